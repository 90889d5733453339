/**
 * Request ids in the logs (issue 17), from `npm start`'s entry in a child process: an HTTP
 * request's id (the caller's X-Request-Id) is on its access log line and travels through
 * Temporal (a header on the start, passed on by the workflow to its activities) into the log line
 * the activity writes in the worker; NHS numbers in a logged URL are masked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../core/free-port';
import { connect } from '../../db/database';
import { select } from '../../records/sql';
import { freshNhsNumber } from '../support/chis-stack';
import { createEmptyDatabase, roleUrlsOf } from '../support/databases';

const ROOT = resolve(__dirname, '../..');

type LogLine = Record<string, unknown> & { msg?: string };

describe('request ids in the logs', () => {
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let output = '';

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const logLines = (): LogLine[] =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });

  async function waitForLine(match: (l: LogLine) => boolean, what: string, timeoutMs = 90_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = logLines().find(match);
      if (found) return found;
      if (child!.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what}:\n${output.slice(-8000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test("a birth notification's request id reaches the GP email activity's log line; URLs are masked", async () => {
    const owner = await createEmptyDatabase('requestids');
    const app = roleUrlsOf(decodeURIComponent(new URL(owner).pathname.slice(1))).app;
    dataDir = await mkdtemp(join(tmpdir(), 'chis-request-ids-'));
    await chmod(dataDir, 0o755);
    const apiPort = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        DATABASE_URL: app,
        CHIS_MIGRATION_DATABASE_URL: owner,
        TEMPORAL_ADDRESS: '',
        CHIS_EMBEDDED_TEMPORAL_PORT: String(await freePort()),
        SMTP_URL: '',
        CHIS_EMBEDDED_SMTP_PORT: '0',
        CHIS_PORT: String(apiPort),
        CHIS_DEMO_CHILDREN: '20',
        CHIS_LOG_LEVEL: 'info',
        CHIS_DATA_DIR: dataDir,
      },
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const deadline = Date.now() + 300_000;
    while (!/CHIS Flow is running\./.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const api = `http://127.0.0.1:${apiPort}/api`;
    const login = await fetch(`${api}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'feed', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };

    const database = connect(app);
    const [practice] = await select<{ odsCode: string }>(
      database,
      `SELECT p.ods_code FROM gp_practices p JOIN localities l ON l.id = p.locality_id WHERE l.code = 'coventry' ORDER BY p.ods_code LIMIT 1`,
    );
    await database.close();
    const requestId = `maternity-feed-${randomUUID()}`;
    const nhs = freshNhsNumber();
    const notified = await fetch(`${api}/events/birth-notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken, 'X-Request-Id': requestId },
      body: JSON.stringify({
        nhsNumber: nhs,
        givenName: 'Ada',
        familyName: 'Request-Id',
        dateOfBirth: new Date().toISOString().slice(0, 10),
        timeOfBirth: '08:30',
        sex: 'female',
        mother: { name: 'Anne Request-Id' },
        address: { lines: ['1 Test Street'], postcode: 'CV1 2AB' },
        gpPracticeCode: practice.odsCode,
        maternityUnit: 'University Hospital Coventry',
      }),
    });
    expect(notified.status).toBe(202);
    expect(notified.headers.get('x-request-id')).toBe(requestId);

    // The access log line of the request.
    const access = await waitForLine((l) => l.msg === 'request' && l.requestId === requestId, 'access log line');
    expect(access).toMatchObject({
      method: 'POST',
      url: '/api/events/birth-notifications',
      route: '/api/events/birth-notifications',
      status: 202,
      durationMs: expect.any(Number),
    });
    // The worker's activity, two hops later (workflow start → activity), logs with the same id.
    const activity = await waitForLine(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('notify.emailGpPractice:') && l.requestId === requestId,
      "the GP email activity's log line with the request id",
    );
    expect(activity).toMatchObject({ sdkComponent: 'activity', activityType: 'notify.emailGpPractice' });
    expect(activity.workflowId).toEqual(expect.any(String));
    // Other births' activities (the demo's) carry their own requests' ids, not this one.
    const gpLines = logLines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('notify.emailGpPractice:'));
    expect(gpLines.filter((l) => l.requestId === requestId)).toHaveLength(1);

    // A caller's id that is not a plain token is replaced; an NHS number in a URL is masked in the access log.
    const read = await fetch(`${api}/children/${nhs}?again=${nhs}`, {
      headers: { cookie, 'X-Request-Id': 'bad id {"forged":true}' },
    });
    const givenId = read.headers.get('x-request-id')!;
    expect(givenId).toMatch(/^[0-9a-f-]{36}$/);
    const readLine = await waitForLine((l) => l.msg === 'request' && l.requestId === givenId, 'the read access line');
    expect(readLine).toMatchObject({ method: 'GET', route: '/api/children/:nhsNumber', status: read.status });
    expect(readLine.url).toBe('/api/children/[NHS number]?again=[NHS number]');
    expect(output).not.toContain(nhs);
  }, 600_000);
});
