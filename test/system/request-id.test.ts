/**
 * Request ids in the logs (issue 17), from `npm start`'s entry in a child process: an HTTP
 * request's id (the caller's X-Request-Id) is on its access log line and travels through
 * Temporal (a header on the start, passed on by the workflow to its activities) into the log line
 * the activity writes in the worker, and onto the GP email's outbox row, whose delivery by the
 * relay logs it; NHS numbers in a logged URL are masked.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD } from '../../db/seed';
import { connect } from '../../db/database';
import { select } from '../../records/sql';
import { freshNhsNumber } from '../support/chis-stack';
import { startSystemProcess, type SystemProcess } from './support/system-process';

type LogLine = Record<string, unknown> & { msg?: string };

describe('request ids in the logs', () => {
  let system: SystemProcess | undefined;

  afterAll(async () => {
    await system?.stop();
  });

  const logLines = (): LogLine[] =>
    system!
      .output()
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
      if (system!.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${what}:\n${system!.output().slice(-8000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  test("a birth notification's request id reaches the GP email activity's log line; URLs are masked", async () => {
    system = await startSystemProcess('requestids', { CHIS_LOG_LEVEL: 'info' });
    const { api, databaseUrl: app } = system;
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

    // The GP email the activity wrote keeps the id on its outbox row, and the relay that delivers
    // it (a loop of its own, no request) logs the delivery under it; the birth's message to the
    // process outbox keeps it too.
    const sent = await waitForLine(
      (l) => l.msg === 'outbox: sent' && l.requestId === requestId,
      "the relay's delivery line with the request id",
    );
    expect(sent).toMatchObject({ template: 'gp-new-birth', channel: 'email' });
    const rows = connect(app);
    try {
      const mail = await select<{ requestId: string | null }>(
        rows,
        `SELECT n.request_id FROM notifications n JOIN children c ON c.id = n.child_id WHERE c.nhs_number = $1`,
        [nhs],
      );
      expect(mail).toEqual([{ requestId }]);
      const commands = await select<{ requestId: string | null }>(
        rows,
        `SELECT request_id FROM process_outbox WHERE command->>'correlationKey' = $1`,
        [nhs],
      );
      expect(commands).toEqual([{ requestId }]);
    } finally {
      await rows.close();
    }

    // A caller's id that is not a plain token is replaced; an NHS number in a URL is masked in the access log.
    const read = await fetch(`${api}/children/${nhs}?again=${nhs}`, {
      headers: { cookie, 'X-Request-Id': 'bad id {"forged":true}' },
    });
    const givenId = read.headers.get('x-request-id')!;
    expect(givenId).toMatch(/^[0-9a-f-]{36}$/);
    const readLine = await waitForLine((l) => l.msg === 'request' && l.requestId === givenId, 'the read access line');
    expect(readLine).toMatchObject({ method: 'GET', route: '/api/children/:nhsNumber', status: read.status });
    expect(readLine.url).toBe('/api/children/[NHS number]?again=[NHS number]');
    expect(system!.output()).not.toContain(nhs);
  }, 600_000);
});
