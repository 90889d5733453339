/** The `children` row as the records modules read it (no audit here: the operations that return it audit). */
import { select, selectOne, type Db } from '../sql';

export type SafeguardingAlert = 'none' | 'concern' | 'child_protection_plan' | 'looked_after';
export interface ChildSummary {
  id: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  postcode: string;
  localityId: number;
  localityCode: string;
  localityName: string;
  status: string;
  safeguardingAlert: string;
  /** Restricted on PDS: the address fields read ADDRESS_WITHHELD. */
  restricted: boolean;
}

export interface ChildDetails extends ChildSummary {
  addressLine1: string;
  addressLine2: string | null;
  town: string | null;
  gpPracticeOds: string | null;
  dateOfDeath: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A record restricted on PDS (S-flagged) never gives its address out of records/: every read
 * for staff, task, email or export gets this in place of the first line and postcode, nothing
 * for the rest. The real address stays for routing only (facts.ts, localities).
 */
export const ADDRESS_WITHHELD = 'Withheld: restricted record (PDS)';
const withheld = (column: string, as: string, shown = `'${ADDRESS_WITHHELD}'`) =>
  `CASE WHEN c.restricted THEN ${shown} ELSE c.${column} END AS ${as}`;

export const SUMMARY_COLUMNS = `c.id, c.nhs_number, c.given_name, c.family_name, c.date_of_birth::text AS date_of_birth, c.sex, ${withheld('postcode', 'postcode')},
  c.locality_id, l.code AS locality_code, l.name AS locality_name, c.status, c.safeguarding_alert, c.restricted`;
const DETAIL_COLUMNS = `${SUMMARY_COLUMNS}, ${withheld('address_line1', 'address_line1')}, ${withheld('address_line2', 'address_line2', 'NULL')},
  ${withheld('town', 'town', 'NULL')}, c.gp_practice_ods,
  c.date_of_death::text AS date_of_death, c.created_at, c.updated_at`;

/**
 * The address of a restricted record as held, for the one read that may show it (a role allowed
 * to see restricted details, on the child's own record: ./read.ts, which audits it).
 */
export function restrictedAddressOf(
  db: Db,
  childId: string,
): Promise<Pick<ChildDetails, 'addressLine1' | 'addressLine2' | 'town' | 'postcode'> | null> {
  return selectOne(db, 'SELECT address_line1, address_line2, town, postcode FROM children WHERE id = $1', [childId]);
}

export function childRowById(db: Db, id: string): Promise<ChildDetails | null> {
  return selectOne<ChildDetails>(
    db,
    `SELECT ${DETAIL_COLUMNS} FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = $1`,
    [id],
  );
}

export function childRowByNhsNumber(db: Db, nhsNumber: string): Promise<ChildDetails | null> {
  return selectOne<ChildDetails>(
    db,
    `SELECT ${DETAIL_COLUMNS} FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.nhs_number = $1`,
    [nhsNumber],
  );
}

/**
 * The record for an NHS number an event names: the child with that number, else the child
 * whose superseded number it is (PDS replaced it; senders may still use the old one).
 */
export async function childRowByNhsNumberOrSuperseded(db: Db, nhsNumber: string): Promise<ChildDetails | null> {
  const exact = await childRowByNhsNumber(db, nhsNumber);
  if (exact) return exact;
  const link = await selectOne<{ childId: string }>(
    db,
    'SELECT child_id FROM superseded_nhs_numbers WHERE nhs_number = $1',
    [nhsNumber],
  );
  return link ? childRowById(db, link.childId) : null;
}

/**
 * SQL for the id of the child an NHS number (`n`, an SQL expression) leads to: the record with
 * that number, else the record whose superseded number it is (a process or sender still using
 * the number PDS replaced, the record of it merged away or not).
 */
export const childIdOfNumberOrSupersededSql = (n: string): string =>
  `COALESCE((SELECT id FROM children WHERE nhs_number = ${n}), (SELECT child_id FROM superseded_nhs_numbers WHERE nhs_number = ${n}))`;

/** The id of the child an NHS number leads to, following a number PDS superseded. */
export async function childIdOfNhsNumberOrSuperseded(db: Db, nhsNumber: string): Promise<string | null> {
  const row = await selectOne<{ id: string | null }>(db, `SELECT ${childIdOfNumberOrSupersededSql('$1')} AS id`, [
    nhsNumber,
  ]);
  return row?.id ?? null;
}

/** The id of the child with this NHS number, if we hold one. */
export async function childIdOfNhsNumber(db: Db, nhsNumber: string): Promise<string | null> {
  const row = await selectOne<{ id: string }>(db, 'SELECT id FROM children WHERE nhs_number = $1', [nhsNumber]);
  return row?.id ?? null;
}

/** Summaries of these children (list rows and banners); the operation that shows them audits the read. */
export function childSummariesByIds(db: Db, ids: readonly string[]): Promise<ChildSummary[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return select<ChildSummary>(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = ANY($1::bigint[])`,
    [ids],
  );
}

/** Which of these NHS numbers a child of ours already has. */
export async function nhsNumbersHeld(db: Db, nhsNumbers: readonly string[]): Promise<Set<string>> {
  const rows = await select<{ nhsNumber: string }>(db, 'SELECT nhs_number FROM children WHERE nhs_number = ANY($1)', [
    nhsNumbers,
  ]);
  return new Set(rows.map((r) => r.nhsNumber));
}
