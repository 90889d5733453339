/**
 * Is a mandated contact (schedule/contacts.ts) on the child's record: an attended appointment
 * reported for it, or — the 6–8 week NIPE examination is done by the GP practice and may come
 * as a screening outcome — a NIPE outcome recorded from the day its window opened (so the
 * 72-hour examination does not count for it). Read by the child-health-reviews process, with
 * the child's status, responsible locality and safeguarding alert now (a follow-up goes to the
 * team of the locality the child lives in when the window closes; a child on a child protection
 * plan or looked after is escalated at once). Audited `child.contact_checked`.
 */
import type { ProcessActor } from '../actor';
import { attendedContactOn } from '../appointments';
import { writeAudit } from '../audit';
import { notFound } from '../errors';
import { resultsForProgrammes } from '../screening/results';
import type { Db } from '../sql';
import { childFactsById, type ChildFacts } from './facts';

export interface ContactCheck {
  recorded: boolean;
  recordedOn: string | null;
  status: 'active' | 'moved_out' | 'deceased';
  locality: string;
  localityId: number;
  safeguardingAlert: ChildFacts['safeguardingAlert'];
}

export async function checkMandatedContact(
  db: Db,
  actor: ProcessActor,
  input: { childId: string; contact: string; since: string },
): Promise<ContactCheck> {
  const child = await childFactsById(db, input.childId);
  if (!child) throw notFound(`no child record for id ${input.childId}`);
  const dates = [await attendedContactOn(db, child.childId, input.contact)];
  if (input.contact === 'nipe-6-8-week') {
    const nipe = await resultsForProgrammes(db, child.childId, ['nipe']);
    dates.push(
      nipe
        .map((r) => r.recordedOn)
        .filter((d) => d >= input.since)
        .sort()[0] ?? null,
    );
  }
  const recordedOn = dates.filter((d): d is string => d !== null).sort()[0] ?? null;
  await writeAudit(db, actor, {
    action: 'child.contact_checked',
    entityType: 'child',
    entityId: child.nhsNumber,
    childId: child.childId,
    detail: { contact: input.contact, since: input.since, recordedOn },
  });
  return {
    recorded: recordedOn !== null,
    recordedOn,
    status: child.status,
    locality: child.localityCode,
    localityId: child.localityId,
    safeguardingAlert: child.safeguardingAlert,
  };
}
