/**
 * The application cannot alter its audit trail (issue 11, finding 4): it connects as a role
 * that is no superuser, owns nothing and may only INSERT and SELECT on audit_events, so
 * DELETE, UPDATE, TRUNCATE, `SET session_replication_role = replica` (which would skip the
 * append-only trigger) and `ALTER TABLE … DISABLE TRIGGER` all fail for it. Migrations run as
 * the owner; the embedded PostgreSQL of `npm start` creates both roles, also for a data folder
 * whose tables a superuser created before the roles existed.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { freePort } from '../../core/free-port';
import { connect, type Database } from '../../db/database';
import { migrate } from '../../db/migrations/run';
import { APP_ROLE, auditProtectionProblems, OWNER_ROLE } from '../../db/migrations/roles';
import { createEmptyDatabase, createMigratedDatabase } from '../support/databases';

const INSERT =
  "INSERT INTO audit_events (actor_username, action, entity_type) VALUES ('tester', 'child.read', 'child')";

/** What the application role tries, and the error PostgreSQL answers. */
const TAMPERING: Array<[string, string[], RegExp]> = [
  ['DELETE', ['DELETE FROM audit_events'], /permission denied for table audit_events/],
  ['UPDATE', ["UPDATE audit_events SET reason = 'tampered'"], /permission denied for table audit_events/],
  ['TRUNCATE', ['TRUNCATE audit_events'], /permission denied for table audit_events/],
  [
    'session_replication_role',
    ['BEGIN', 'SET LOCAL session_replication_role = replica', 'DELETE FROM audit_events', 'COMMIT'],
    /permission denied to set parameter "session_replication_role"/,
  ],
  ['SET session_replication_role', ['SET session_replication_role = replica'], /permission denied to set parameter/],
  [
    'DISABLE TRIGGER',
    ['ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete'],
    /must be owner of table audit_events/,
  ],
  ['DISABLE TRIGGER ALL', ['ALTER TABLE audit_events DISABLE TRIGGER ALL'], /must be owner of table audit_events/],
  ['DROP TABLE', ['DROP TABLE audit_events'], /must be owner of table audit_events/],
  // PostgreSQL only warns ("no privileges were granted"): the DELETE after it is still refused.
  [
    'GRANT itself',
    [`GRANT DELETE ON audit_events TO ${APP_ROLE}`, 'DELETE FROM audit_events'],
    /permission denied for table audit_events/,
  ],
  [
    'DROP TRIGGER',
    ['DROP TRIGGER audit_events_no_update_delete ON audit_events'],
    /must be owner of (table|relation) audit_events/,
  ],
  ['a new table', ['CREATE TABLE audit_copy (id int)'], /permission denied for schema public/],
];

async function rows(s: Sequelize): Promise<number> {
  const [r] = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events', { type: QueryTypes.SELECT });
  return r.n;
}

/** Runs the statements on one connection (a SET LOCAL needs its transaction on the same one). */
async function onOneConnection(s: Sequelize, statements: string[]): Promise<void> {
  await s.transaction(async (transaction) => {
    for (const sql of statements.filter((x) => x !== 'BEGIN' && x !== 'COMMIT')) await s.query(sql, { transaction });
  });
}

describe('the application role (as the tests and npm start connect)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createMigratedDatabase('audit_role');
    await db.sequelize.query(INSERT);
  });
  afterAll(() => db.close());

  test('is not a superuser and owns nothing; it appends to and reads audit_events', async () => {
    const [me] = await db.sequelize.query<{ role: string; superuser: boolean; owned: number }>(
      `SELECT current_user AS role, rolsuper AS superuser,
              (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relowner = r.oid) AS owned
       FROM pg_roles r WHERE rolname = current_user`,
      { type: QueryTypes.SELECT },
    );
    expect(me).toEqual({ role: APP_ROLE, superuser: false, owned: 0 });
    const before = await rows(db.sequelize);
    await db.sequelize.query(INSERT);
    expect(await rows(db.sequelize)).toBe(before + 1);
    expect(await auditProtectionProblems(db.sequelize)).toEqual([]);
  });

  test.each(TAMPERING)('%s on audit_events fails and changes nothing', async (_what, statements, error) => {
    const before = await rows(db.sequelize);
    await expect(onOneConnection(db.sequelize, statements)).rejects.toThrow(error);
    expect(await rows(db.sequelize)).toBe(before);
    // The append-only trigger is still there and enabled.
    const [trigger] = await db.sequelize.query<{ enabled: string }>(
      `SELECT tgenabled AS enabled FROM pg_trigger WHERE tgname = 'audit_events_no_update_delete'`,
      { type: QueryTypes.SELECT },
    );
    expect(trigger.enabled).toBe('O');
  });
});

test('with one URL of a superuser (no CHIS_MIGRATION_DATABASE_URL), the start-up check names the problems', async () => {
  const asSuperuser = new URL(process.env.TEST_PG_ADMIN_URL!);
  asSuperuser.pathname = new URL(await createEmptyDatabase('audit_superuser')).pathname;
  const admin = connect(asSuperuser.toString(), { poolMax: 1 });
  try {
    await migrate(admin.sequelize);
    expect(await auditProtectionProblems(admin.sequelize)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/is a superuser$/),
        expect.stringMatching(/may DELETE audit_events$/),
      ]),
    );
  } finally {
    await admin.close();
  }
});

test('npm start on an embedded PostgreSQL: both roles made, even for a data folder a superuser filled before', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-roles-pg-'));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  try {
    const out = await new Promise<string>((resolvePromise, reject) => {
      freePort().then((port) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(__dirname, 'support/embedded-roles.ts'), dataDir, String(port)],
          {
            cwd: resolve(__dirname, '../..'),
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.once('exit', (code) =>
          code === 0 ? resolvePromise(stdout) : reject(new Error(`exit ${code}: ${stderr}`)),
        );
      }, reject);
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({
      appUser: APP_ROLE,
      ownerUser: OWNER_ROLE,
      problems: [],
      deleteError: 'permission denied for table audit_events',
      audit: 2,
    });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);
