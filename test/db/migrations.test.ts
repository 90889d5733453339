import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { QueryTypes } from 'sequelize';
import { connect, type Database } from '../../db/database';
import { migrate } from '../../db/migrations/run';
import { createEmptyDatabase } from '../support/databases';

describe('migrations', () => {
  let db: Database;
  beforeAll(async () => {
    db = connect(await createEmptyDatabase('migrations'));
  });
  afterAll(() => db.close());

  test('each number is taken once, with none skipped (two branches landing the same number must renumber one)', () => {
    const numbers = readdirSync(resolve(__dirname, '../../db/migrations'))
      .filter((f) => /^\d{4}_.*\.ts$/.test(f))
      .map((f) => Number(f.slice(0, 4)))
      .sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  test('apply from empty, then re-run as a no-op', async () => {
    const first = await migrate(db.sequelize);
    expect(first[0]).toBe('0001_domain_schema');
    const tables = await db.sequelize.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      { type: QueryTypes.SELECT },
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining([
        'children',
        'localities',
        'human_tasks',
        'audit_events',
        'notifications',
        'process_definitions',
        'schema_migrations',
      ]),
    );
    expect(await migrate(db.sequelize)).toEqual([]);
  });

  test('concurrent migrators apply each migration exactly once', async () => {
    const other = connect(await createEmptyDatabase('migrations_race'));
    try {
      const results = await Promise.all([migrate(other.sequelize), migrate(other.sequelize), migrate(other.sequelize)]);
      const appliedCounts = results.map((r) => r.length).sort();
      expect(appliedCounts[0]).toBe(0);
      expect(appliedCounts[1]).toBe(0);
      expect(appliedCounts[2]).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
  });
});
