/** Bulk loading of GP practices (db/seed/practices.ts generates them): reference data, not audited. */
import type { Client } from 'pg';

export interface PracticeRow {
  odsCode: string;
  name: string;
  email: string;
  localityId: number;
}

/** Inserts the practices not there yet (by ODS code); returns how many were new. */
export async function insertPracticesBulk(client: Client, practices: readonly PracticeRow[]): Promise<number> {
  const result = await client.query(
    `INSERT INTO gp_practices (ods_code, name, email, locality_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::smallint[])
     ON CONFLICT (ods_code) DO NOTHING`,
    [
      practices.map((p) => p.odsCode),
      practices.map((p) => p.name),
      practices.map((p) => p.email),
      practices.map((p) => p.localityId),
    ],
  );
  return result.rowCount ?? 0;
}

/** Every practice's code and locality, by code. */
export async function practiceCodes(client: Client): Promise<{ ods_code: string; locality_id: number }[]> {
  const { rows } = await client.query<{ ods_code: string; locality_id: number }>(
    'SELECT ods_code, locality_id FROM gp_practices ORDER BY ods_code',
  );
  return rows;
}
