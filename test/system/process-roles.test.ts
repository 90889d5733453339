/**
 * API and engine worker as separate processes (CHIS_ROLE, issue 17): `cli/start.ts` started
 * twice as child processes, one with the api and relay roles and one with the worker role,
 * against one PostgreSQL and one embedded Temporal server started here for both. A birth
 * notification posted to the api process is carried out by the worker process (the child's
 * record, the GP email delivered by the relay, the new birth visit task); with the worker
 * killed, an instance started through the API waits; a new worker process finishes it and
 * accepts the completion of the visit task.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connect, migrateAndGrant, type Database } from '../../db/database';
import { seedRegion, DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../core/free-port';
import { createLogger } from '../../core/logger';
import { startEmbeddedTemporal, type RunningTemporal } from '../../embedded-temporal';
import { select } from '../../records/sql';
import { freshNhsNumber } from '../support/chis-stack';
import { createEmptyDatabase, roleUrlsOf } from '../support/databases';
import { CLI_START, spawnInGroup, type SpawnedProcess } from './support/system-process';

const NAMESPACE = 'chis-roles';

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A signed-in caller of the api process (cookie and CSRF token). */
async function signIn(apiUrl: string, username: string) {
  const res = await fetch(`${apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return async (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
}

describe('api and worker as separate processes', () => {
  let temporal: RunningTemporal | undefined;
  let connection: Connection | undefined;
  let database: Database | undefined;
  let dataDir: string;
  const processes: SpawnedProcess[] = [];

  afterAll(async () => {
    for (const p of processes) await p.signalGroup('SIGKILL');
    await connection?.close();
    await temporal?.stop();
    await database?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('the worker process carries out what the api process starts; a new worker takes over from a killed one', async () => {
    const owner = await createEmptyDatabase('roles');
    const app = roleUrlsOf(decodeURIComponent(new URL(owner).pathname.slice(1))).app;
    await migrateAndGrant({ url: app, migrationUrl: owner });
    database = connect(app, { poolMax: 3 });
    // Staff accounts and GP practices (the api process then seeds nothing: the region is not empty).
    await seedRegion(database.sequelize, { children: 20 });
    temporal = await startEmbeddedTemporal({
      databaseUrl: owner,
      port: 0,
      namespaces: [NAMESPACE],
      logger: createLogger('silent'),
    });
    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: NAMESPACE });
    dataDir = await mkdtemp(join(tmpdir(), 'chis-roles-'));
    await chmod(dataDir, 0o755);
    const env = {
      ...process.env,
      DATABASE_URL: app,
      CHIS_MIGRATION_DATABASE_URL: owner,
      TEMPORAL_ADDRESS: temporal.address,
      CHIS_TEMPORAL_NAMESPACE: NAMESPACE,
      SMTP_URL: '',
      CHIS_EMBEDDED_SMTP_PORT: '0',
      CHIS_DEMO_CHILDREN: '0',
      CHIS_DATA_DIR: dataDir,
      CHIS_LOG_LEVEL: 'info',
    };

    const api = spawnInGroup(...CLI_START, { ...env, CHIS_ROLE: 'api,relay', CHIS_PORT: String(await freePort()) });
    processes.push(api);
    await api.waitForOutput(/CHIS Flow is running \(api, relay\)/, 'the api process');
    const apiUrl = /API: +(http:\/\/\S+\/api)/.exec(api.output())![1];
    const startWorker = async () => {
      const worker = spawnInGroup(...CLI_START, { ...env, CHIS_ROLE: 'worker', CHIS_PORT: String(await freePort()) });
      processes.push(worker);
      await worker.waitForOutput(/CHIS Flow is running \(worker\)/, 'the worker process');
      return worker;
    };
    let worker = await startWorker();
    // The worker process serves its probes only, no API.
    const workerHealth = /Health: +(http:\/\/\S+\/api\/health)\/live/.exec(worker.output())![1];
    expect((await fetch(`${workerHealth}/ready`)).status).toBe(200);
    expect((await fetch(`${workerHealth.replace(/\/health$/, '')}/tasks`)).status).toBe(404);

    // A birth notification through the api process: the worker process does the work.
    const nhs = freshNhsNumber();
    const [practice] = await select<{ odsCode: string; email: string }>(
      database,
      `SELECT p.ods_code, p.email FROM gp_practices p JOIN localities l ON l.id = p.locality_id WHERE l.code = 'coventry' ORDER BY p.ods_code LIMIT 1`,
    );
    const feed = await signIn(apiUrl, 'feed');
    const notified = await feed('/events/birth-notifications', {
      nhsNumber: nhs,
      givenName: 'Ada',
      familyName: 'Roles-Test',
      dateOfBirth: new Date().toISOString().slice(0, 10),
      timeOfBirth: '08:30',
      sex: 'female',
      mother: { name: 'Anne Roles-Test' },
      address: { lines: ['1 Test Street'], postcode: 'CV1 2AB' },
      gpPracticeCode: practice.odsCode,
      maternityUnit: 'University Hospital Coventry',
    });
    expect(notified).toMatchObject({ status: 202, body: { processesStarted: 1 } });
    const visit = await waitFor(
      async () =>
        (
          await select<{ id: string; status: string }>(
            database!,
            `SELECT t.id, t.status FROM human_tasks t JOIN children c ON c.id = t.child_id WHERE c.nhs_number = $1 AND t.name = 'New birth visit'`,
            [nhs],
          )
        )[0],
      'the new birth visit task',
    );
    expect(visit.status).toBe('open');
    // The GP email, written by the worker's activity, delivered by the relay in the api process.
    const sent = await waitFor(
      async () =>
        (
          await select<{ status: string }>(
            database!,
            `SELECT status FROM notifications WHERE recipient = $1 AND status = 'sent'`,
            [practice.email],
          )
        )[0],
      'the GP email sent',
    );
    expect(sent.status).toBe('sent');

    // No worker: an instance started through the API is accepted and waits.
    await worker.signalGroup('SIGKILL');
    const manager = await signIn(apiUrl, 'manager');
    const started = await manager('/process-instances', { key: 'example-hello', variables: {} });
    expect(started).toMatchObject({ status: 201, body: { engineStarted: true } });
    const hello = client.workflow.getHandle(String(started.body.id));
    await new Promise((r) => setTimeout(r, 3000));
    expect((await hello.describe()).status.name).toBe('RUNNING');

    // A new worker process finishes it, and takes the visit's completion for the birth's instance.
    worker = await startWorker();
    await hello.result();
    expect((await hello.describe()).status.name).toBe('COMPLETED');
    const hv = await signIn(apiUrl, 'cw.coventry.hv');
    expect((await hv(`/tasks/${visit.id}/claim`, {})).status).toBe(200);
    const completed = await hv(`/tasks/${visit.id}/complete`, {
      data: { visitDate: new Date().toISOString().slice(0, 10), visitOutcome: 'completed' },
    });
    expect(completed.status).toBe(200);
    const [row] = await select<{ status: string }>(database, 'SELECT status FROM human_tasks WHERE id = $1', [
      visit.id,
    ]);
    expect(row.status).toBe('completed');

    // Both stop in order on SIGTERM.
    await worker.signalGroup('SIGTERM');
    await api.signalGroup('SIGTERM');
    expect([worker.child.exitCode, api.child.exitCode]).toEqual([0, 0]);
  }, 600_000);
});
