/**
 * Crash recovery of the embedded PostgreSQL with real processes (issue 11): `npm start` and
 * `embedded-temporal/bin/temporal-server` killed with SIGKILL leave no PostgreSQL behind (within
 * 5 s), start again on the same data with everything in it, and stop on Ctrl-C / SIGTERM in
 * order, PostgreSQL last. Linux (/proc).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { freePort } from '../../core/free-port';
import { postgresTree, waitUntilGone, watchdogsOf } from '../support/postgres-processes';
import { TEMPORAL_SERVER_BIN } from '../support/temporal-env';
import { freshNhsNumber } from '../support/chis-stack';
import { CLI_START, spawnInGroup, type SpawnedProcess } from './support/system-process';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) {
    // A server of a killed process is still being stopped by its watchdog: let it finish first.
    const pids = [...postgresTree(folder), ...postgresTree(join(folder, 'postgres'))].map((p) => p.pid);
    await waitUntilGone(pids, 30_000);
    await rm(folder, { recursive: true, force: true });
  }
});

async function dataFolder(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  folders.push(dir);
  await chmod(dir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  return dir;
}

describe('npm start', () => {
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const running: SpawnedProcess[] = [];

  beforeAll(async () => {
    dataDir = await dataFolder('chis-crash-');
    env = {
      ...process.env,
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      SMTP_URL: '',
      CHIS_LOG_LEVEL: 'info',
      CHIS_DATA_DIR: dataDir,
      CHIS_PORT: String(await freePort()),
      CHIS_EMBEDDED_POSTGRES_PORT: String(await freePort()),
      CHIS_EMBEDDED_TEMPORAL_PORT: String(await freePort()),
      CHIS_EMBEDDED_SMTP_PORT: '0',
      CHIS_DEMO_CHILDREN: '50',
    };
  });
  afterAll(async () => {
    for (const s of running) await s.signalGroup('SIGKILL');
  });

  /** `npm start` itself, or its command (`node --import tsx cli/start.ts`, whose exit code is then ours to see). */
  async function npmStart(how: 'npm' | 'node' = 'npm'): Promise<{ s: SpawnedProcess; apiUrl: string }> {
    const s = how === 'npm' ? spawnInGroup('npm', ['start', '--silent'], env) : spawnInGroup(...CLI_START, env);
    running.push(s);
    const apiUrl = (await s.waitForOutput(/API:\s+(http:\/\/\S+\/api)/, 'the start banner'))[1];
    return { s, apiUrl };
  }

  async function signIn(apiUrl: string, username: string): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${apiUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'demo-password' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0], csrf: body.csrfToken };
  }

  /** A query on the system's own database (as a look behind the API). */
  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new PgClient({
      connectionString: `postgres://postgres:postgres@127.0.0.1:${env.CHIS_EMBEDDED_POSTGRES_PORT}/chis_flow`,
    });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  test('SIGKILL of the whole `npm start` leaves no PostgreSQL within 5 s; the next start is up with all data; Ctrl-C then stops everything in order, PostgreSQL last', async () => {
    const first = await npmStart();
    // Something to find again: a birth notification, its stored event and the record its process creates.
    const [practice] = await query<{ ods_code: string }>('SELECT ods_code FROM gp_practices ORDER BY ods_code LIMIT 1');
    const feed = await signIn(first.apiUrl, 'feed');
    const nhsNumber = freshNhsNumber();
    const posted = await fetch(`${first.apiUrl}/events/birth-notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: feed.cookie, 'x-csrf-token': feed.csrf },
      body: JSON.stringify({
        nhsNumber,
        givenName: 'Iris',
        familyName: 'Crash-Test',
        dateOfBirth: new Date().toISOString().slice(0, 10),
        timeOfBirth: '06:40',
        sex: 'female',
        mother: { name: 'Hazel Crash-Test' },
        address: { lines: ['3 Test Street'], postcode: 'CV1 2AB' },
        gpPracticeCode: practice.ods_code,
        maternityUnit: 'University Hospital Coventry',
      }),
    });
    expect(posted.status).toBe(202);
    const visitTasks = () =>
      query(
        "SELECT t.id FROM human_tasks t WHERE t.business_key = $1 AND t.name = 'New birth visit' AND t.status = 'open'",
        [nhsNumber],
      );
    const deadline = Date.now() + 120_000;
    while ((await visitTasks()).length === 0) {
      if (Date.now() > deadline) throw new Error(`the birth notification opened no visit task:\n${first.s.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const counts = () =>
      query<{ children: string; events: string; instances: string }>(
        `SELECT (SELECT count(*) FROM children) AS children, (SELECT count(*) FROM inbound_events) AS events,
                (SELECT count(*) FROM process_instances) AS instances`,
      );
    const before = await counts();

    const tree = postgresTree(join(dataDir, 'postgres'));
    expect(tree.length).toBeGreaterThanOrEqual(3); // postmaster, its background processes, the watchdog
    process.kill(-first.s.child.pid!, 'SIGKILL'); // npm, its shell and node at once
    await first.s.exited;
    const gone = await waitUntilGone(
      tree.map((p) => p.pid),
      5_000,
    );
    expect({ gone, left: postgresTree(join(dataDir, 'postgres')).map((p) => p.command) }).toEqual({
      gone: expect.any(Number),
      left: [],
    });

    const second = await npmStart();
    expect(await counts()).toEqual(before);
    expect(await visitTasks()).toHaveLength(1);
    await signIn(second.apiUrl, 'manager');
    const health = (await (await fetch(`${second.apiUrl}/health`)).json()) as {
      dependencies: Record<string, { status: string }>;
    };
    expect(health.dependencies.database.status).toBe('up');
    expect(health.dependencies.temporal.status).toBe('up');

    // Ctrl-C in a terminal signals the whole foreground group (npm forwards it to node as well):
    // only our process may act on it, and only once.
    const secondTree = postgresTree(join(dataDir, 'postgres'));
    process.kill(-second.s.child.pid!, 'SIGINT');
    await second.s.exited;
    await second.s.waitForOutput(/"msg":"stopped"/, 'the end of the stop');
    expect(second.s.output()).not.toMatch(/stopping at once|stop failed/);
    expect(
      await waitUntilGone(
        secondTree.map((p) => p.pid),
        1_000,
      ),
    ).not.toBeNull();
    const stops = [...second.s.output().matchAll(/"msg":"stopped ([^"]+)"/g)].map((m) => m[1]);
    expect(stops).toEqual([
      'HTTP server',
      'process outbox relay',
      'task reconciliation',
      'worker',
      'worker connection',
      'outbox relay',
      'mail (transport, embedded SMTP server)',
      'PDS simulator',
      'Temporal connection',
      'embedded Temporal server',
      'database pool',
      'embedded PostgreSQL',
    ]);
    // Nothing stopped under the server's feet: no connection lost while the engine was still running.
    expect(second.s.output()).not.toMatch(/terminating connection due to administrator command|Connection terminated/);
  }, 600_000);

  test('a second `npm start` on the same data says which process holds it; `npm run seed` beside it seeds into the running system; SIGTERM stops it', async () => {
    const first = await npmStart('node');
    try {
      const clash = spawnInGroup('npm', ['start', '--silent'], { ...env, CHIS_PORT: String(await freePort()) });
      running.push(clash);
      expect(await clash.exited).toBe(1);
      expect(clash.output()).toContain(
        `CHIS Flow could not start: the PostgreSQL data directory ${join(dataDir, 'postgres')} is in use by PostgreSQL PID `,
      );
      expect(clash.output()).toMatch(
        new RegExp(
          `\\(port ${env.CHIS_EMBEDDED_POSTGRES_PORT}\\), run by PID \\d+ \\([^)]*node [^)]*cli/start\\.ts\\)`,
        ),
      );
      expect(clash.output()).not.toMatch(/undefined/);

      const seed = spawnInGroup('npm', ['run', '--silent', 'seed', '--', '--children', '20', '--append'], env);
      running.push(seed);
      expect(await seed.exited).toBe(0);
      expect(seed.output()).toMatch(/Seeding finished/);
      expect(seed.output()).not.toMatch(/undefined/);
      // The system is still up on its database.
      const health = await fetch(
        `${(await first.s.waitForOutput(/API:\s+(http:\/\/\S+\/api)/, 'the banner'))[1]}/health`,
      );
      expect(health.status).toBe(200);
    } finally {
      process.kill(-first.s.child.pid!, 'SIGTERM');
      expect(await first.s.exited).toBe(0);
    }
  }, 600_000);
});

describe('embedded-temporal/bin/temporal-server', () => {
  async function startServer(args: string[]): Promise<{ s: SpawnedProcess; address: string }> {
    const port = await freePort();
    const s = spawnInGroup(
      TEMPORAL_SERVER_BIN,
      ['server', 'start-dev', '--port', String(port), '--headless', ...args],
      {
        ...process.env,
        CHIS_TEMPORAL_DATABASE_URL: '',
      },
    );
    const address = `127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (s.child.exitCode !== null) throw new Error(`server exited early (${s.child.exitCode}): ${s.output()}`);
      try {
        const c = await Connection.connect({ address, connectTimeout: 1000 });
        await c.workflowService.getSystemInfo({});
        await c.close();
        return { s, address };
      } catch {
        if (Date.now() > deadline) throw new Error(`server did not come up: ${s.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  test('SIGKILL with --db-filename: no PostgreSQL left within 5 s; a restart on the same folder has the workflows; SIGTERM stops it', async () => {
    const folder = await dataFolder('chis-temporal-crash-');
    const first = await startServer(['--db-filename', folder]);
    const connection = await Connection.connect({ address: first.address });
    const workflowId = `crash-${Date.now()}`;
    try {
      await new Client({ connection }).workflow.start('nobodyRunsThis', { taskQueue: 'no-worker', workflowId });
    } finally {
      await connection.close();
    }
    const tree = postgresTree(folder);
    expect(tree.length).toBeGreaterThanOrEqual(3);
    first.s.child.kill('SIGKILL');
    await first.s.exited;
    expect(
      await waitUntilGone(
        tree.map((p) => p.pid),
        5_000,
      ),
    ).not.toBeNull();

    const second = await startServer(['--db-filename', folder]);
    expect(second.s.output()).not.toMatch(/undefined/);
    const again = await Connection.connect({ address: second.address });
    try {
      const description = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await again.close();
    }
    const secondTree = postgresTree(folder);
    second.s.child.kill('SIGTERM');
    expect(await second.s.exited).toBe(0);
    expect(
      await waitUntilGone(
        secondTree.map((p) => p.pid),
        1_000,
      ),
    ).not.toBeNull();
  }, 300_000);

  test('SIGKILL without --db-filename (as the SDK stops a spawned test server): its PostgreSQL and temporary folder are gone', async () => {
    const server = await startServer([]);
    // The server answers before its database is up: wait for the watchdog.
    const deadline = Date.now() + 60_000;
    while (watchdogsOf(server.s.child.pid!).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const [served] = watchdogsOf(server.s.child.pid!);
    expect(served?.dataDir).toMatch(/chis-temporal-pg-/);
    while (postgresTree(served.dataDir).length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const tree = postgresTree(served.dataDir);
    server.s.child.kill('SIGKILL');
    await server.s.exited;
    expect(
      await waitUntilGone(
        tree.map((p) => p.pid),
        5_000,
      ),
    ).not.toBeNull();
    expect(existsSync(served.dataDir)).toBe(false);
  }, 300_000);
});
