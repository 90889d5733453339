import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import { freePort } from '../../core/free-port';
import { startSystem, type RunningSystem } from '../../system/start-system';
import { createEmptyDatabase, roleUrlsOf } from '../support/databases';

/** As the test server's superuser: let connections to database `name` in, or shut it off and end the ones it has. */
async function setDatabaseReachable(name: string, reachable: boolean): Promise<void> {
  const admin = new Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${reachable}`);
    if (!reachable)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  } finally {
    await admin.end();
  }
}

async function getJson(url: string): Promise<{ status: number; type: string; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('readiness of the running system', () => {
  let system: RunningSystem | undefined;
  let databaseName: string;

  afterAll(async () => {
    if (databaseName) await setDatabaseReachable(databaseName, true);
    await system?.stop();
  });

  test('ready turns 503 when PostgreSQL stops answering and back to 200 when it returns; live stays 200', async () => {
    const owner = await createEmptyDatabase('health_ready');
    databaseName = decodeURIComponent(new URL(owner).pathname.slice(1));
    const dataDir = await mkdtemp(join(tmpdir(), 'chis-ready-'));
    await chmod(dataDir, 0o755);
    const config = loadConfig({
      DATABASE_URL: roleUrlsOf(databaseName).app,
      CHIS_MIGRATION_DATABASE_URL: owner,
      CHIS_PORT: String(await freePort()),
      CHIS_EMBEDDED_TEMPORAL_PORT: String(await freePort()),
      CHIS_EMBEDDED_SMTP_PORT: '0',
      CHIS_DEMO_CHILDREN: '0',
      CHIS_DATA_DIR: dataDir,
    });
    system = await startSystem(config, createLogger('silent'));

    const ready = await getJson(`${system.apiUrl!}/health/ready`);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
    // Anonymous callers learn no versions, from any health route.
    const full = await getJson(`${system.apiUrl!}/health`);
    expect(JSON.stringify(full.body)).not.toMatch(/version|1\.24/i);

    await setDatabaseReachable(databaseName, false);
    const down = await eventually(
      () => getJson(`${system!.apiUrl!}/health/ready`),
      (r) => r.status === 503,
    );
    expect(down.status).toBe(503);
    expect(down.type).toMatch(/^application\/problem\+json/);
    expect(down.body.unavailable).toContain('database');
    expect((await getJson(`${system.apiUrl!}/health/live`)).status).toBe(200);

    await setDatabaseReachable(databaseName, true);
    const back = await eventually(
      () => getJson(`${system!.apiUrl!}/health/ready`),
      (r) => r.status === 200,
    );
    expect(back).toMatchObject({ status: 200, body: { status: 'ready' } });
  }, 180_000);
});
