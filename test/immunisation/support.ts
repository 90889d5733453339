/** Hand-built children for the immunisation tests: valid synthetic NHS numbers, chosen dates, chosen history. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { nhsNumberSequence } from '../support/nhs-numbers';

// 999 7xx xxxx: never issued.
export const testNhsNumber = nhsNumberSequence('9997', 50_000);

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export interface TestChild {
  id: string;
  nhsNumber: string;
}

export async function insertChild(
  sequelize: Sequelize,
  c: {
    dateOfBirth: string;
    localityId: number;
    status?: string;
    safeguardingAlert?: string;
    gpPracticeOds?: string | null;
    givenName?: string;
    familyName?: string;
  },
): Promise<TestChild> {
  const nhsNumber = testNhsNumber();
  const [row] = await sequelize.query<{ id: string }>(
    `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, postcode, locality_id, status, safeguarding_alert, gp_practice_ods)
     VALUES ($1, $2, $3, $4, 'female', '1 Test Street', 'B1 1AA', $5, $6, $7, $8) RETURNING id::text AS id`,
    {
      type: QueryTypes.SELECT,
      bind: [
        nhsNumber,
        c.givenName ?? 'Ava',
        c.familyName ?? 'Test',
        c.dateOfBirth,
        c.localityId,
        c.status ?? 'active',
        c.safeguardingAlert ?? 'none',
        c.gpPracticeOds ?? null,
      ],
    },
  );
  return { id: row.id, nhsNumber };
}

export async function giveDose(
  sequelize: Sequelize,
  childId: string,
  vaccine: string,
  dose: number,
  givenOn: string,
): Promise<void> {
  await sequelize.query(
    'INSERT INTO immunisation_events (child_id, vaccine, dose, given_on, given_by) VALUES ($1, $2, $3, $4, $5)',
    {
      bind: [childId, vaccine, dose, givenOn, 'test'],
    },
  );
}

/** The dose codes followed up for a child, sorted. */
export async function followUpCodes(sequelize: Sequelize, childId: string): Promise<string[]> {
  const rows = await sequelize.query<{ dose_code: string }>(
    'SELECT dose_code FROM immunisation_follow_ups WHERE child_id = $1 ORDER BY dose_code',
    {
      type: QueryTypes.SELECT,
      bind: [childId],
    },
  );
  return rows.map((r) => r.dose_code);
}
