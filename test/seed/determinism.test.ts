import { QueryTypes } from 'sequelize';
import type { Database } from '../../db/database';
import { seedRegion } from '../../db/seed';
import { createMigratedDatabase } from '../support/databases';

const REFERENCE_DATE = '2026-11-24';
const CHILDREN = 1000;

/** A digest of who the children are and where they live, independent of row ids. */
async function childrenDigest(db: Database): Promise<string> {
  const [{ digest }] = await db.sequelize.query<{ digest: string }>(
    `SELECT md5(string_agg(concat_ws('|', nhs_number, given_name, family_name, date_of_birth, sex, locality_id, postcode, address_line1, gp_practice_ods, safeguarding_alert), ','
                ORDER BY nhs_number)) AS digest FROM children`,
    { type: QueryTypes.SELECT },
  );
  return digest;
}

async function historyDigest(db: Database): Promise<string> {
  const [{ digest }] = await db.sequelize.query<{ digest: string }>(
    `SELECT md5(string_agg(concat_ws('|', c.nhs_number, e.vaccine, e.dose, e.given_on, e.given_by), ',' ORDER BY c.nhs_number, e.vaccine, e.dose)) AS digest
     FROM immunisation_events e JOIN children c ON c.id = e.child_id`,
    { type: QueryTypes.SELECT },
  );
  return digest;
}

describe('seedRegion is deterministic', () => {
  const databases: Database[] = [];
  afterAll(() => Promise.all(databases.map((db) => db.close())));

  async function seeded(seed: number, batchSize: number, concurrency: number): Promise<Database> {
    const db = await createMigratedDatabase('seed_determinism');
    databases.push(db);
    await seedRegion(db.sequelize, { children: CHILDREN, seed, batchSize, concurrency, referenceDate: REFERENCE_DATE });
    return db;
  }

  test('the same seed gives the same region, whatever the batch size; another seed gives another', async () => {
    const a = await seeded(7, 1000, 1);
    const b = await seeded(7, 300, 2);
    const c = await seeded(8, 1000, 1);
    expect(await childrenDigest(b)).toBe(await childrenDigest(a));
    expect(await historyDigest(b)).toBe(await historyDigest(a));
    expect(await childrenDigest(c)).not.toBe(await childrenDigest(a));
    expect(await historyDigest(c)).not.toBe(await historyDigest(a));
  }, 180_000); // three databases migrated and seeded: slow on a busy machine
});
