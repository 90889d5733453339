import { select, selectOne, type Db } from './sql';

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
}

export interface ChildDetails extends ChildSummary {
  addressLine1: string;
  addressLine2: string | null;
  town: string | null;
  gpPracticeOds: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewChild {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'female' | 'male' | 'indeterminate' | 'unknown';
  addressLine1: string;
  postcode: string;
  localityId: number;
  gpPracticeOds?: string | null;
  safeguardingAlert?: 'none' | 'concern' | 'child_protection_plan' | 'looked_after';
}

const SUMMARY = `c.id, c.nhs_number, c.given_name, c.family_name, c.date_of_birth::text AS date_of_birth, c.sex, c.postcode,
  c.locality_id, l.code AS locality_code, l.name AS locality_name, c.status, c.safeguarding_alert`;

export async function createChild(db: Db, child: NewChild): Promise<ChildDetails> {
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, postcode, locality_id, gp_practice_ods, safeguarding_alert)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      child.nhsNumber,
      child.givenName,
      child.familyName,
      child.dateOfBirth,
      child.sex,
      child.addressLine1,
      child.postcode,
      child.localityId,
      child.gpPracticeOds ?? null,
      child.safeguardingAlert ?? 'none',
    ],
  );
  return (await findChildById(db, row!.id))!;
}

export function findChildById(db: Db, id: string): Promise<ChildDetails | null> {
  return selectOne<ChildDetails>(
    db,
    `SELECT ${SUMMARY}, c.address_line1, c.address_line2, c.town, c.gp_practice_ods, c.created_at, c.updated_at
     FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = $1`,
    [id],
  );
}

export function findChildByNhsNumber(db: Db, nhsNumber: string): Promise<ChildDetails | null> {
  return selectOne<ChildDetails>(
    db,
    `SELECT ${SUMMARY}, c.address_line1, c.address_line2, c.town, c.gp_practice_ods, c.created_at, c.updated_at
     FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.nhs_number = $1`,
    [nhsNumber],
  );
}

/**
 * Search by NHS number, or by family name (case-insensitive, exact) and date of birth.
 * `localityIds` null means every locality (break glass); otherwise only those localities.
 */
export function searchChildren(
  db: Db,
  by: { nhsNumber: string } | { familyName: string; dateOfBirth: string },
  localityIds: number[] | null,
  limit: number,
): Promise<ChildSummary[]> {
  const byNhs = 'nhsNumber' in by;
  const where = byNhs ? 'c.nhs_number = $3' : 'lower(c.family_name) = lower($3) AND c.date_of_birth = $4::date';
  const bind = byNhs ? [by.nhsNumber] : [by.familyName, by.dateOfBirth];
  return select<ChildSummary>(
    db,
    `SELECT ${SUMMARY} FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE ${where} AND ($1::smallint[] IS NULL OR c.locality_id = ANY($1::smallint[]))
     ORDER BY c.family_name, c.given_name, c.id LIMIT $2`,
    [localityIds, limit, ...bind],
  );
}

export interface ChildRecordParts {
  contacts: Array<{
    id: string;
    relationship: string;
    name: string;
    phone: string | null;
    email: string | null;
    preferredMethod: string;
    isPrimary: boolean;
  }>;
  immunisations: Array<{
    id: string;
    vaccine: string;
    dose: number;
    givenOn: string;
    givenBy: string | null;
    source: string;
  }>;
  screening: Array<{ id: string; programme: string; outcome: string; recordedOn: string; detail: unknown }>;
  concerns: Array<{
    id: string;
    status: string;
    summary: string;
    raisedAt: Date;
    outcome: string | null;
    closedAt: Date | null;
  }>;
}

export async function childRecordParts(db: Db, childId: string): Promise<ChildRecordParts> {
  const [contacts, immunisations, screening, concerns] = await Promise.all([
    select<ChildRecordParts['contacts'][number]>(
      db,
      'SELECT id, relationship, name, phone, email, preferred_method, is_primary FROM contacts WHERE child_id = $1 ORDER BY is_primary DESC, id',
      [childId],
    ),
    select<ChildRecordParts['immunisations'][number]>(
      db,
      'SELECT id, vaccine, dose, given_on::text AS given_on, given_by, source FROM immunisation_events WHERE child_id = $1 ORDER BY given_on, vaccine, dose',
      [childId],
    ),
    select<ChildRecordParts['screening'][number]>(
      db,
      'SELECT id, programme, outcome, recorded_on::text AS recorded_on, detail FROM screening_results WHERE child_id = $1 ORDER BY recorded_on, id',
      [childId],
    ),
    select<ChildRecordParts['concerns'][number]>(
      db,
      'SELECT id, status, summary, raised_at, outcome, closed_at FROM safeguarding_concerns WHERE child_id = $1 ORDER BY raised_at DESC, id DESC',
      [childId],
    ),
  ]);
  return { contacts, immunisations, screening, concerns };
}

export async function setSafeguardingAlert(
  db: Db,
  childId: string,
  alert: 'none' | 'concern' | 'child_protection_plan' | 'looked_after',
): Promise<void> {
  await select(
    db,
    'UPDATE children SET safeguarding_alert = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id',
    [childId, alert],
  );
}

export async function addImmunisation(
  db: Db,
  childId: string,
  i: { vaccine: string; dose: number; givenOn: string },
): Promise<void> {
  await select(
    db,
    'INSERT INTO immunisation_events (child_id, vaccine, dose, given_on) VALUES ($1, $2, $3, $4) RETURNING id',
    [childId, i.vaccine, i.dose, i.givenOn],
  );
}

export async function addScreeningResult(
  db: Db,
  childId: string,
  s: { programme: 'blood_spot' | 'hearing' | 'nipe'; outcome: string; recordedOn: string },
): Promise<void> {
  await select(
    db,
    'INSERT INTO screening_results (child_id, programme, outcome, recorded_on) VALUES ($1, $2, $3, $4) RETURNING id',
    [childId, s.programme, s.outcome, s.recordedOn],
  );
}

export async function addContact(
  db: Db,
  childId: string,
  c: { relationship: string; name: string; phone?: string; preferredMethod: string; isPrimary?: boolean },
): Promise<void> {
  await select(
    db,
    'INSERT INTO contacts (child_id, relationship, name, phone, preferred_method, is_primary) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [childId, c.relationship, c.name, c.phone ?? null, c.preferredMethod, c.isPrimary ?? false],
  );
}

/** Summaries of several children by id (one query for a page of list rows). */
export function childSummariesByIds(db: Db, ids: readonly string[]): Promise<ChildSummary[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return select<ChildSummary>(
    db,
    `SELECT ${SUMMARY} FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = ANY($1::bigint[])`,
    [ids],
  );
}

/** The child's GP practice (code and name), for the banner. */
export function gpPracticeOf(db: Db, odsCode: string | null): Promise<{ odsCode: string; name: string } | null> {
  if (!odsCode) return Promise.resolve(null);
  return selectOne<{ odsCode: string; name: string }>(
    db,
    'SELECT ods_code, name FROM gp_practices WHERE ods_code = $1',
    [odsCode],
  );
}
