/**
 * Test data written behind the API (tests may hold SQL): children and parts of their record as
 * another system would have left them. Production code reads and writes these only through records/.
 */
import type { StaffActor } from '../../records/actor';
import { childRowById, type ChildDetails } from '../../records/children/child-rows';
import { raiseConcern, type RaisedConcern } from '../../records/concerns/raise';
import { select, selectOne, type Db } from '../../records/sql';

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
  return (await childRowById(db, row!.id))!;
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

/** A member of staff as records operations name them, outside any request. */
export function staffActor(
  staff: { id: number; username: string; localityIds: readonly number[] },
  accessReason: string | null = null,
): StaffActor {
  return {
    kind: 'staff',
    id: staff.id,
    username: staff.username,
    localityIds: staff.localityIds,
    accessReason,
    sourceIp: '127.0.0.1',
    request: null,
  };
}

/** A concern raised by a member of staff (as POST /children/:nhs/concerns does, without the process). */
export function raiseConcernAs(
  db: Db,
  staff: { id: number; username: string; localityIds: readonly number[] },
  childId: string,
  summary: string,
): Promise<RaisedConcern> {
  return raiseConcern(db, staffActor(staff), { childId, summary, severity: 'medium', source: 'caseworker' });
}
