import { QueryTypes } from 'sequelize';
import { connect, type Database } from '../../db/database';
import { createMigratedDatabase, roleUrlsOf } from '../support/databases';

async function currentDatabase(db: Database): Promise<string> {
  const [row] = await db.sequelize.query<{ name: string }>('SELECT current_database() AS name', {
    type: QueryTypes.SELECT,
  });
  return row.name;
}

const insertChild = `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, postcode, locality_id)
  VALUES ($1, 'Ada', 'Test', '2025-03-01', 'female', '1 High Street', 'B15 2TT', 1)`;

describe('schema constraints', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createMigratedDatabase('constraints');
  });
  afterAll(() => db.close());

  test('the database computes the same check digit rule as the application', async () => {
    const rows = await db.sequelize.query<{ n: string; ok: boolean }>(
      "SELECT n, nhs_number_is_valid(n) AS ok FROM unnest(ARRAY['9434765919','9434765918','1000000010','999000001','99900000AB']) AS n",
      { type: QueryTypes.SELECT },
    );
    expect(Object.fromEntries(rows.map((r) => [r.n, r.ok]))).toEqual({
      '9434765919': true,
      '9434765918': false,
      '1000000010': false,
      '999000001': false,
      '99900000AB': false,
    });
  });

  test('a duplicate NHS number is refused', async () => {
    await db.sequelize.query(insertChild, { bind: ['9990000018'] });
    await expect(db.sequelize.query(insertChild, { bind: ['9990000018'] })).rejects.toMatchObject({
      name: 'SequelizeUniqueConstraintError',
      parent: expect.objectContaining({ constraint: 'children_nhs_number_key' }),
    });
  });

  test('an NHS number with a wrong check digit is refused', async () => {
    await expect(db.sequelize.query(insertChild, { bind: ['9990000019'] })).rejects.toThrow(
      /children_nhs_number_check_digit/,
    );
  });

  test('audit events can be appended but never changed or deleted, even by the owner role (the trigger)', async () => {
    // The application role has no such privilege at all (test/db/audit-role.test.ts); the trigger also stops the owner.
    const owner = connect(roleUrlsOf(await currentDatabase(db)).owner, { poolMax: 1 });
    try {
      await owner.sequelize.query(
        "INSERT INTO audit_events (actor_username, action, entity_type) VALUES ('tester', 'child.read', 'child')",
      );
      await expect(owner.sequelize.query("UPDATE audit_events SET action = 'x'")).rejects.toThrow(/append-only/);
      await expect(owner.sequelize.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      await expect(owner.sequelize.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    } finally {
      await owner.close();
    }
  });

  test('reference data: 14 localities, every district routed once, the 2026 schedule', async () => {
    const [{ localities, districts, doses }] = await db.sequelize.query<{
      localities: number;
      districts: number;
      doses: number;
    }>(
      `SELECT (SELECT count(*)::int FROM localities) AS localities,
              (SELECT count(*)::int FROM postcode_districts) AS districts,
              (SELECT count(*)::int FROM immunisation_schedule_doses) AS doses`,
      { type: QueryTypes.SELECT },
    );
    expect(localities).toBe(14);
    expect(districts).toBeGreaterThan(200);
    expect(doses).toBe(19);
  });
});
