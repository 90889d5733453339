/** Unique test data for the mail tests: a GP practice, a child registered with it, a contact. */
import { randomInt } from 'node:crypto';
import { nhsCheckDigit } from '../../core/nhs-number';
import { selectOne, type Db } from '../../records/sql';

/** A synthetic (999…) NHS number that passes the Modulus 11 check. */
export function syntheticNhsNumber(): string {
  for (;;) {
    const nine = `999${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const check = nhsCheckDigit(nine);
    if (check !== null) return `${nine}${check}`;
  }
}

export async function insertPractice(
  db: Db,
  overrides: { email?: string } = {},
): Promise<{ odsCode: string; email: string; name: string }> {
  const odsCode = `T${String(randomInt(0, 99_999_999)).padStart(8, '0')}`;
  const email = overrides.email ?? `${odsCode.toLowerCase()}@practice.example.nhs.uk`;
  const name = `Test Surgery ${odsCode}`;
  await db.sequelize.query(
    'INSERT INTO gp_practices (ods_code, name, email, locality_id) VALUES ($1, $2, $3, (SELECT min(id) FROM localities))',
    {
      bind: [odsCode, name, email],
      transaction: db.transaction,
    },
  );
  return { odsCode, email, name };
}

export const CHILD = {
  givenName: 'Amelia',
  familyName: 'Featherstonehaugh',
  addressLine1: '17 Larkspur Crescent',
  postcode: 'CV1 2AB',
};

export async function insertChild(db: Db, gpPracticeOds: string | null): Promise<{ id: string; nhsNumber: string }> {
  const nhsNumber = syntheticNhsNumber();
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, postcode, locality_id, gp_practice_ods)
     VALUES ($1, $2, $3, '2026-01-05', 'female', $4, $5, (SELECT min(id) FROM localities), $6) RETURNING id`,
    [nhsNumber, CHILD.givenName, CHILD.familyName, CHILD.addressLine1, CHILD.postcode, gpPracticeOds],
  );
  return { id: row!.id, nhsNumber };
}

export async function insertContact(
  db: Db,
  childId: string,
  c: { preferredMethod: 'email' | 'sms' | 'letter' | 'phone'; email?: string; phone?: string; name?: string },
): Promise<void> {
  await db.sequelize.query(
    `INSERT INTO contacts (child_id, relationship, name, phone, email, preferred_method, is_primary) VALUES ($1, 'mother', $2, $3, $4, $5, true)`,
    {
      bind: [childId, c.name ?? 'Joanna Featherstonehaugh', c.phone ?? null, c.email ?? null, c.preferredMethod],
      transaction: db.transaction,
    },
  );
}
