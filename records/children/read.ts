/**
 * Reading a child's record through the API: search and the record (the timeline is in
 * ./timeline-page.ts). Each opens the child under the legitimate-relationship rule (./access.ts)
 * and writes its audit row here.
 */
import type { StaffActor } from '../actor';
import { writeAudit } from '../audit';
import { concernsOf } from '../concerns/rows';
import { contactsOf, type Contact } from '../contacts';
import { notFound } from '../errors';
import { immunisationsOf, type ImmunisationGiven } from '../immunisations/given';
import { screeningResultsOf, type ScreeningResult } from '../screening/results';
import { select, type Db } from '../sql';
import { breakGlass, hasRelationship, openChild } from './access';
import { mergesInto } from './merge';
import {
  childRowByNhsNumberOrSuperseded,
  restrictedAddressOf,
  SUMMARY_COLUMNS,
  type ChildDetails,
  type ChildSummary,
} from './child-rows';

/**
 * Search by NHS number (a number PDS superseded finds the child under its current one, as PDS
 * itself answers), or by family name (case-insensitive, exact) and date of birth. Without a
 * stated reason the search never leaves the caller's localities; with one, every child found
 * outside them breaks glass. Each child found is audited.
 */
export async function searchChildren(
  db: Db,
  actor: StaffActor,
  by: { nhsNumber: string } | { familyName: string; dateOfBirth: string },
  limit: number,
): Promise<ChildSummary[]> {
  const byNhs = 'nhsNumber' in by;
  const where = byNhs
    ? '(c.nhs_number = $3 OR c.id = (SELECT child_id FROM superseded_nhs_numbers WHERE nhs_number = $3))'
    : 'lower(c.family_name) = lower($3) AND c.date_of_birth = $4::date';
  const bind = byNhs ? [by.nhsNumber] : [by.familyName, by.dateOfBirth];
  const found = await select<ChildSummary>(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE ${where} AND ($1::smallint[] IS NULL OR c.locality_id = ANY($1::smallint[]))
     ORDER BY c.family_name, c.given_name, c.id LIMIT $2`,
    [actor.accessReason ? null : actor.localityIds, limit, ...bind],
  );
  for (const child of found) {
    if (!hasRelationship(actor, child)) await breakGlass(db, actor, child, 'child.search');
    await writeAudit(db, actor, {
      action: 'child.search',
      entityType: 'child',
      entityId: child.nhsNumber,
      childId: child.id,
      detail: { by: byNhs ? 'nhsNumber' : 'nameAndDateOfBirth' },
    });
  }
  return found;
}

/**
 * Opens a child by NHS number for `action` (404 unknown, the relationship rule, break glass).
 * A number PDS superseded opens the child under its current number (letters, old referrals and
 * other systems keep using the old one; a merge keeps the link): `supersededNhsNumber` is then
 * the number asked for. The operation that calls it audits `action`.
 */
export async function openChildByNhsNumber(
  db: Db,
  actor: StaffActor,
  nhsNumber: string,
  action: string,
): Promise<{ child: ChildDetails; brokeGlass: boolean; supersededNhsNumber: string | null }> {
  const child = await childRowByNhsNumberOrSuperseded(db, nhsNumber);
  if (!child) throw notFound(`No child has NHS number ${nhsNumber}`);
  return {
    child,
    brokeGlass: await openChild(db, actor, child, action),
    supersededNhsNumber: child.nhsNumber === nhsNumber ? null : nhsNumber,
  };
}

/**
 * A contact as the record shows it. On a restricted record (for a role that may not see the
 * details) the phone and email are left out and `detailsWithheld` says so, whether or not the
 * family gave any: null keeps meaning "not known", and a withheld detail is never sent as null,
 * which would tell the caller there is none.
 */
export type ContactShown =
  (Contact & { detailsWithheld: false }) | (Omit<Contact, 'phone' | 'email'> & { detailsWithheld: true });

export interface ChildRecord {
  child: ChildDetails;
  contacts: ContactShown[];
  immunisations: ImmunisationGiven[];
  screening: ScreeningResult[];
  concerns: Awaited<ReturnType<typeof concernsOf>>;
  brokeGlass: boolean;
  /** A restricted record whose address and contact details are shown (the caller's role may see them). */
  restrictedDetailsShown: boolean;
  /** The records of superseded NHS numbers merged into this one (./merge.ts), oldest first. */
  mergedFrom: Awaited<ReturnType<typeof mergesInto>>;
  /** The NHS number asked for when PDS superseded it by this record's number, else null. */
  supersededNhsNumber: string | null;
}

/**
 * The record with contacts, immunisations, screening results and safeguarding concerns; audited
 * `child.read`. A record restricted on PDS (S-flagged) shows no address or contact details
 * unless `restrictedDetails` (a role that may see them, api/access/policy.ts): then they are
 * shown and the read is audited again as `child.restricted_details_read`.
 */
export async function readChildRecord(
  db: Db,
  actor: StaffActor,
  nhsNumber: string,
  o: { restrictedDetails?: boolean } = {},
): Promise<ChildRecord> {
  const { child, brokeGlass, supersededNhsNumber } = await openChildByNhsNumber(db, actor, nhsNumber, 'child.read');
  const [contacts, immunisations, screening, concerns, mergedFrom] = await Promise.all([
    contactsOf(db, child.id),
    immunisationsOf(db, child.id),
    screeningResultsOf(db, child.id),
    concernsOf(db, child.id),
    mergesInto(db, child.id),
  ]);
  await auditChildRead(db, actor, 'child.read', child, brokeGlass);
  const record = { child, immunisations, screening, concerns, brokeGlass, mergedFrom, supersededNhsNumber };
  const shownInFull = contacts.map((c): ContactShown => ({ ...c, detailsWithheld: false }));
  if (!child.restricted) return { ...record, contacts: shownInFull, restrictedDetailsShown: false };
  if (o.restrictedDetails) {
    const address = await restrictedAddressOf(db, child.id);
    await writeAudit(db, actor, {
      action: 'child.restricted_details_read',
      entityType: 'child',
      entityId: child.nhsNumber,
      childId: child.id,
      detail: { brokeGlass, shown: ['address', 'contacts'] },
    });
    return { ...record, child: { ...child, ...address }, contacts: shownInFull, restrictedDetailsShown: true };
  }
  // No contact details either (the address is withheld in child-rows.ts).
  const withheld = contacts.map(({ phone: _phone, email: _email, ...c }): ContactShown => ({
    ...c,
    detailsWithheld: true,
  }));
  return { ...record, contacts: withheld, restrictedDetailsShown: false };
}

/** The audit row of a read of one child's data by a member of staff. */
export function auditChildRead(
  db: Db,
  actor: StaffActor,
  action: string,
  child: Pick<ChildDetails, 'id' | 'nhsNumber'>,
  brokeGlass: boolean,
): Promise<string> {
  return writeAudit(db, actor, {
    action,
    entityType: 'child',
    entityId: child.nhsNumber,
    childId: child.id,
    detail: { brokeGlass },
  });
}
