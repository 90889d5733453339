/**
 * The steps of the `immunisation-follow-up` process that touch the record: check the dose at
 * the start, count Was Not Brought appointments (and decide on escalation), close the
 * follow-up. Each is audited; each is safe to retry.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import { inTransaction, type Db } from '../../records/sql';
import {
  claimWasNotBroughtEscalation,
  closeOpenFollowUp,
  countWasNotBrought,
  lockFollowUp,
  markFollowUpEscalated,
  readDoseCheck,
} from '../../records/immunisations/follow-ups';
import { escalatedForChild } from '../../records/was-not-brought';
import { auditBySystem, notFound, parseInput } from '../support';
import { scheduleForChild } from '../../records/immunisations/schedule-facts';
import { runningActivity, todayInEngland } from './support';

const PROCESS_KEY = 'immunisation-follow-up';
/** Alerts under which one Was Not Brought is enough (CP-IS: child protection plan or looked after). */
const CHILD_PROTECTION_ALERTS = new Set(['child_protection_plan', 'looked_after']);

export async function checkDose(
  db: Db,
  raw: ActivityInput<'immunisation.checkDose'>,
): Promise<ActivityOutput<'immunisation.checkDose'>> {
  const input = parseInput('immunisation.checkDose', IMMUNISATION_ACTIVITIES['immunisation.checkDose'].input, raw);
  const asOf = input.asOf ?? todayInEngland();
  const row = await readDoseCheck(db, input.childId, input.doseCode);
  if (!row) throw notFound(`immunisation.checkDose: no child record ${input.childId}`);
  // The same rules as the sweep: an equivalent product counts (a 6-in-1 after the first birthday for Hib/MenC).
  const evaluated = row.status === 'active' ? await scheduleForChild(db, input.childId, { asOf }) : null;
  const dose = evaluated?.schedule.doses.find((d) => d.code === input.doseCode);
  const closeAs =
    row.status !== 'active'
      ? 'child_inactive'
      : dose?.status === 'given'
        ? 'given'
        : dose === undefined || dose.status === 'not_offered' || (row.offerUntil !== null && row.offerUntil < asOf)
          ? 'no_longer_offered'
          : null;
  await auditBySystem(db, runningActivity(PROCESS_KEY, `direct-check-${randomUUID()}`), {
    action: 'immunisation.dose_checked',
    entityType: 'child',
    entityId: input.childId,
    childId: input.childId,
    detail: {
      doseCode: input.doseCode,
      asOf,
      stillMissing: closeAs === null,
      closeAs,
      ...(dose?.given ? { givenAs: dose.given.product, givenOn: dose.given.on } : {}),
    },
  });
  return { stillMissing: closeAs === null, closeAs, safeguardingAlert: row.safeguardingAlert };
}

/** Whether an appointment outcome is about this follow-up's vaccine. */
function isForVaccine(appointment: { kind?: string; vaccine?: string } | undefined, vaccine: string): boolean {
  if (appointment?.vaccine !== undefined && appointment.vaccine !== vaccine) return false;
  if (appointment?.kind !== undefined && !/immuni[sz]ation|vaccin/i.test(appointment.kind)) return false;
  return true;
}

export async function recordWasNotBrought(
  db: Db,
  raw: ActivityInput<'immunisation.recordWasNotBrought'>,
): Promise<ActivityOutput<'immunisation.recordWasNotBrought'>> {
  const input = parseInput(
    'immunisation.recordWasNotBrought',
    IMMUNISATION_ACTIVITIES['immunisation.recordWasNotBrought'].input,
    raw,
  );
  const who = runningActivity(PROCESS_KEY, `direct-wnb-${randomUUID()}`);
  // The same missed appointment reaches every follow-up of the child (one per dose): its key
  // lets each count it once and only one of them escalate it.
  const appointmentKey = input.appointment?.date
    ? `${input.appointment.kind ?? 'immunisation'}/${input.appointment.date}`
    : who.idempotencyKey;
  return inTransaction(db, async (tx) => {
    const f = await lockFollowUp(tx, input.childId, input.doseCode);
    if (!f)
      throw notFound(
        `immunisation.recordWasNotBrought: no follow-up of dose ${input.doseCode} for child ${input.childId}`,
      );
    const limit = CHILD_PROTECTION_ALERTS.has(f.safeguardingAlert)
      ? input.childProtectionLimit
      : input.wasNotBroughtLimit;
    const relevant = isForVaccine(input.appointment, input.vaccine);
    const counted = relevant && !f.wasNotBrought.includes(appointmentKey);
    const count = f.wasNotBrought.length + (counted ? 1 : 0);
    if (counted) await countWasNotBrought(tx, f.id, appointmentKey);
    // Once per appointment: by the first of the child's follow-ups to claim it, unless the
    // child-level Was Not Brought process escalated it already.
    const escalate =
      relevant &&
      count >= limit &&
      (await claimWasNotBroughtEscalation(tx, { childId: input.childId, appointmentKey, followUpId: f.id })) &&
      !(await escalatedForChild(tx, input.childId, appointmentKey));
    if (escalate) await markFollowUpEscalated(tx, f.id);
    await auditBySystem(tx, who, {
      action: 'immunisation.was_not_brought_recorded',
      entityType: 'immunisation_follow_up',
      entityId: f.id,
      childId: input.childId,
      detail: { doseCode: input.doseCode, appointmentKey, counted, wasNotBroughtCount: count, limit, escalate },
    });
    return { counted, wasNotBroughtCount: count, limit, escalate, safeguardingAlert: f.safeguardingAlert };
  });
}

export async function closeFollowUp(
  db: Db,
  raw: ActivityInput<'immunisation.closeFollowUp'>,
): Promise<ActivityOutput<'immunisation.closeFollowUp'>> {
  const input = parseInput(
    'immunisation.closeFollowUp',
    IMMUNISATION_ACTIVITIES['immunisation.closeFollowUp'].input,
    raw,
  );
  return inTransaction(db, async (tx) => {
    const closed = await closeOpenFollowUp(tx, input.childId, input.doseCode, input.outcome);
    if (closed) {
      await auditBySystem(tx, runningActivity(PROCESS_KEY, `direct-close-${randomUUID()}`), {
        action: 'immunisation.follow_up_closed',
        entityType: 'immunisation_follow_up',
        entityId: closed.id,
        childId: input.childId,
        detail: { doseCode: input.doseCode, outcome: input.outcome },
      });
    }
    return { closed: closed !== null };
  });
}
