/**
 * Least privilege for the api role (issue 17): `cli/start.ts` with CHIS_ROLE=api and only the
 * application role's URL (no CHIS_MIGRATION_DATABASE_URL), as compose runs it beside its one-shot
 * `migrate` job. On an empty database it waits for the schema instead of migrating; once the
 * owner has migrated (what `npm run migrate` does), it serves: readiness, sign-in and a queue page,
 * the definitions deployed. Every session it opens is the application role's, which cannot
 * create, alter or drop anything, and nothing in the schema belongs to it.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { connect, type Database } from '../../db/database';
import { DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../core/free-port';
import { createLogger } from '../../core/logger';
import { startEmbeddedTemporal, type RunningTemporal } from '../../embedded-temporal';
import { APP_ROLE, createEmptyDatabase, roleUrlsOf } from '../support/databases';
import { CLI_START, spawnInGroup, type SpawnedProcess } from './support/system-process';

const NAMESPACE = 'chis-api-runtime';

describe('the api role with the runtime URL only', () => {
  let child: SpawnedProcess | undefined;
  let temporal: RunningTemporal | undefined;
  let database: Database | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await child?.signalGroup('SIGKILL');
    await temporal?.stop();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('waits for the owner to migrate, then serves; its sessions are the application role, which cannot change the schema', async () => {
    const owner = await createEmptyDatabase('api_runtime');
    const name = decodeURIComponent(new URL(owner).pathname.slice(1));
    const app = roleUrlsOf(name).app;
    // The Temporal server on a database of its own, so every session on the app's database is the api process's (or ours).
    temporal = await startEmbeddedTemporal({
      databaseUrl: await createEmptyDatabase('api_runtime_temporal'),
      port: 0,
      namespaces: [NAMESPACE],
      logger: createLogger('silent'),
    });
    dataDir = await mkdtemp(join(tmpdir(), 'chis-api-runtime-'));
    await chmod(dataDir, 0o755);
    const apiPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CHIS_ROLE: 'api',
      DATABASE_URL: app,
      CHIS_MIGRATION_DATABASE_URL: '',
      CHIS_MIGRATION_DATABASE_PASSWORD: '',
      TEMPORAL_ADDRESS: temporal.address,
      CHIS_TEMPORAL_NAMESPACE: NAMESPACE,
      CHIS_DEMO_CHILDREN: '0',
      CHIS_PORT: String(apiPort),
      CHIS_DATA_DIR: dataDir,
      CHIS_LOG_LEVEL: 'info',
    };
    // No other way to the owner's URL: nothing in its environment names the owner role.
    expect(Object.values(env).filter((v) => typeof v === 'string' && v.includes(owner))).toEqual([]);
    child = spawnInGroup(...CLI_START, env);

    // An empty database: the api does not migrate (it could not), it waits.
    await child.waitForOutput(/waiting for the database schema to be migrated/, 'the wait for the schema');
    expect(child.output()).toMatch(/no owner URL \(CHIS_MIGRATION_DATABASE_URL\)/);
    expect(child.output()).not.toMatch(/CHIS Flow is running/);

    // The one-shot migration as the owner and staff accounts to sign in with: `npm run seed` (it
    // migrates first, as `npm run migrate` does), in a process of its own so that its CPU-heavy
    // password hashing never stalls the Temporal server this test process runs for the api.
    const seed = spawnInGroup(process.execPath, ['--import', 'tsx', 'cli/seed.ts', '--children', '10'], {
      ...process.env,
      DATABASE_URL: app,
      CHIS_MIGRATION_DATABASE_URL: owner,
      CHIS_DATA_DIR: dataDir,
    });
    expect({ exit: await seed.exited, output: (await seed.exited) === 0 ? '' : seed.output() }).toEqual({
      exit: 0,
      output: '',
    });
    database = connect(app, { poolMax: 2 });
    await child.waitForOutput(/CHIS Flow is running \(api\)/, 'the api process');
    const api = `http://127.0.0.1:${apiPort}/api`;
    expect((await fetch(`${api}/health/ready`)).status).toBe(200);
    const login = await fetch(`${api}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'manager', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await fetch(`${api}/tasks/queues/counts`, { headers: { cookie } })).status).toBe(200);

    const admin = new PgClient({ connectionString: owner });
    await admin.connect();
    try {
      // Definitions deployed by the api process, as the application role.
      const deployed = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM process_definitions');
      expect(deployed.rows[0].n).toBeGreaterThan(0);
      // Every session on this database but ours and the test's own pool is the application role's.
      const sessions = await admin.query<{ usename: string }>(
        'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      expect(sessions.rows.map((r) => r.usename)).toEqual([APP_ROLE]);
      // Nothing in the schema belongs to the application role: it created nothing.
      const owned = await admin.query<{ relname: string }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = $1`,
        [APP_ROLE],
      );
      expect(owned.rows).toEqual([]);
    } finally {
      await admin.end();
    }
    // And it cannot: DDL as the application role is refused.
    const asApp = new PgClient({ connectionString: app });
    await asApp.connect();
    try {
      for (const ddl of [
        'CREATE TABLE api_runtime_probe (id int)',
        'ALTER TABLE children ADD COLUMN api_runtime_probe int',
        'DROP TABLE audit_events',
        'CREATE INDEX api_runtime_probe ON children (id)',
      ])
        await expect(asApp.query(ddl)).rejects.toThrow(/permission denied|must be owner/);
    } finally {
      await asApp.end();
    }
  }, 600_000);
});
