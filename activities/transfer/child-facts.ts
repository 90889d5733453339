/**
 * What the mover process needs to know about a child and a place: the record's responsible
 * locality, GP practice and safeguarding state, and which locality a postcode or GP practice
 * belongs to.
 */
import { postcodeDistrict } from '../../db/reference/region';
import { selectOne, type Db } from '../../db/repositories/sql';
import { validationError } from '../support';

export type SafeguardingAlert = 'none' | 'concern' | 'child_protection_plan' | 'looked_after';

export interface ChildFacts {
  childId: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode: string;
  status: string;
  localityId: number;
  localityCode: string;
  localityName: string;
  gpPracticeOds: string | null;
  safeguardingAlert: SafeguardingAlert;
  openConcerns: number;
}

const CHILD = `SELECT c.id AS child_id, c.nhs_number, c.given_name, c.family_name, c.date_of_birth::text AS date_of_birth, c.postcode, c.status,
    c.locality_id, l.code AS locality_code, l.name AS locality_name, c.gp_practice_ods, c.safeguarding_alert,
    (SELECT count(*) FROM safeguarding_concerns k WHERE k.child_id = c.id AND k.status <> 'closed')::int AS open_concerns
  FROM children c JOIN localities l ON l.id = c.locality_id`;

export function childById(db: Db, childId: string, lock = false): Promise<ChildFacts | null> {
  return selectOne<ChildFacts>(db, `${CHILD} WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`, [childId]);
}

export function childByNhsNumber(db: Db, nhsNumber: string): Promise<ChildFacts | null> {
  return selectOne<ChildFacts>(db, `${CHILD} WHERE c.nhs_number = $1`, [nhsNumber]);
}

/** Alert or open concern: a lead-to-lead handover is due before the child's transfer completes. */
export function needsSafeguardingHandover(c: Pick<ChildFacts, 'safeguardingAlert' | 'openConcerns'>): boolean {
  return c.safeguardingAlert !== 'none' || c.openConcerns > 0;
}

export interface LocalityRef {
  id: number;
  code: string;
  name: string;
}

export function localityByCode(db: Db, code: string): Promise<LocalityRef | null> {
  return selectOne<LocalityRef>(db, 'SELECT id, code, name FROM localities WHERE code = $1', [code]);
}

export function localityById(db: Db, id: number): Promise<LocalityRef | null> {
  return selectOne<LocalityRef>(db, 'SELECT id, code, name FROM localities WHERE id = $1', [id]);
}

/** The locality of a postcode's district, or null when the district is outside the region. A malformed postcode is bad input. */
export async function localityOfPostcode(
  db: Db,
  postcode: string,
): Promise<{ district: string; locality: LocalityRef | null }> {
  const district = postcodeDistrict(postcode);
  if (!district) throw validationError(`postcode "${postcode}" is not a UK postcode (e.g. B15 2TT)`);
  const locality = await selectOne<LocalityRef>(
    db,
    'SELECT l.id, l.code, l.name FROM postcode_districts d JOIN localities l ON l.id = d.locality_id WHERE d.district = $1',
    [district],
  );
  return { district, locality };
}

export interface PracticeRef {
  odsCode: string;
  name: string;
  email: string;
  localityId: number;
}

export function practiceByCode(db: Db, odsCode: string): Promise<PracticeRef | null> {
  return selectOne<PracticeRef>(db, 'SELECT ods_code, name, email, locality_id FROM gp_practices WHERE ods_code = $1', [
    odsCode,
  ]);
}
