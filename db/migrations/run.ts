import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { Umzug, type UmzugStorage } from 'umzug';
import type { RunSql } from '../migration-context';

// Any constant shared by every process that migrates this database.
const MIGRATION_LOCK_KEY = 727_000_001;

/** Records applied migrations in schema_migrations, inside the migrating transaction. */
function tableStorage(sequelize: Sequelize, transaction: Transaction): UmzugStorage {
  return {
    async executed() {
      const rows = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name', {
        type: QueryTypes.SELECT,
        transaction,
      });
      return rows.map((r) => r.name);
    },
    async logMigration({ name }) {
      await sequelize.query('INSERT INTO schema_migrations (name) VALUES ($1)', { bind: [name], transaction });
    },
    async unlogMigration({ name }) {
      await sequelize.query('DELETE FROM schema_migrations WHERE name = $1', { bind: [name], transaction });
    },
  };
}

/**
 * Applies pending numbered migrations in one transaction under an advisory lock, so that
 * several processes starting at once apply each migration exactly once, and a failing
 * migration leaves the schema as it was. Returns the names applied by this call.
 */
export async function migrate(sequelize: Sequelize, log: (message: string) => void = () => {}): Promise<string[]> {
  return sequelize.transaction(async (transaction) => {
    await sequelize.query('SELECT pg_advisory_xact_lock($1)', { bind: [MIGRATION_LOCK_KEY], transaction });
    await sequelize.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      { transaction },
    );
    const runSql: RunSql = (sql, bind) => sequelize.query(sql, { bind, transaction });
    const umzug = new Umzug<RunSql>({
      migrations: {
        glob: ['[0-9][0-9][0-9][0-9]_*.{ts,js}', { cwd: resolve(__dirname) }],
        // Names without extension, so that the record stays the same for compiled .js files.
        resolve: ({ name, path, context }) => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const migration = require(path!) as { up(arg: { context: RunSql }): Promise<void> };
          return { name: name.replace(/\.[jt]s$/, ''), up: () => migration.up({ context }) };
        },
      },
      context: () => runSql, // a function here is taken as a context factory
      storage: tableStorage(sequelize, transaction),
      logger: undefined,
    });
    const applied = await umzug.up();
    for (const m of applied) log(`applied migration ${m.name}`);
    return applied.map((m) => m.name);
  });
}

/**
 * Migrations not yet applied to this database (all of them before the first). A process that
 * does not migrate (the worker and relay roles, which hold no owner URL) waits for none to be left.
 */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const known = readdirSync(resolve(__dirname))
    .filter((f) => /^\d{4}_.*\.[jt]s$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.[jt]s$/, ''));
  const [table] = await sequelize.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    { type: QueryTypes.SELECT },
  );
  if (!table?.present) return known.sort();
  const applied = new Set(
    (await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations', { type: QueryTypes.SELECT })).map(
      (r) => r.name,
    ),
  );
  return known.filter((n) => !applied.has(n)).sort();
}
