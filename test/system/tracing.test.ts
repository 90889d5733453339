/**
 * OpenTelemetry tracing (issue 17), from `npm start`'s entry in a child process exporting to an
 * OTLP/HTTP receiver run here: a request sent with a W3C traceparent gives one trace with the HTTP
 * server span, the workflow start, the workflow run and its activities (scheduled in the workflow,
 * run in the worker), each the child of the one before. (Off without an endpoint:
 * test/core/config.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../core/free-port';
import { connect } from '../../db/database';
import { select } from '../../records/sql';
import { freshNhsNumber } from '../support/chis-stack';
import { startSystemProcess, type SystemProcess } from './support/system-process';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  service: string;
}

describe('OpenTelemetry tracing', () => {
  let system: SystemProcess | undefined;
  let receiver: Server | undefined;
  const spans: ReceivedSpan[] = [];
  let posts = 0;

  afterAll(async () => {
    await system?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  /** An OTLP/HTTP (JSON) traces receiver: what a collector's otlp receiver takes on :4318/v1/traces. */
  async function startReceiver(): Promise<number> {
    const port = await freePort();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts++;
        if (req.url === '/v1/traces' && (req.headers['content-type'] ?? '').startsWith('application/json')) {
          const parsed = JSON.parse(body) as {
            resourceSpans: {
              resource: { attributes: { key: string; value: { stringValue?: string } }[] };
              scopeSpans: { spans: Omit<ReceivedSpan, 'service'>[] }[];
            }[];
          };
          for (const rs of parsed.resourceSpans) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
            for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver!.listen(port, '127.0.0.1', r));
    return port;
  }

  async function waitForSpan(match: (s: ReceivedSpan) => boolean, what: string, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = spans.find(match);
      if (found) return found;
      if (system!.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${what}; spans: ${spans.map((s) => s.name).join(', ')}\n${system!.output().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const traceparent = () => {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
  };

  test('one trace from the HTTP request through the workflow to its activities', async () => {
    const receiverPort = await startReceiver();
    system = await startSystemProcess('tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
      OTEL_SERVICE_NAME: 'chis-flow-under-test',
    });
    const { api, databaseUrl: app } = system;
    const signIn = async (username: string) => {
      const login = await fetch(`${api}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      return { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    };

    // A process that runs to its end: the workflow's own span is exported when it ends.
    const hello = traceparent();
    const started = await fetch(`${api}/process-instances`, {
      method: 'POST',
      headers: { ...(await signIn('manager')), traceparent: hello.header },
      body: JSON.stringify({ key: 'example-hello', variables: {} }),
    });
    expect(started.status).toBe(201);
    const inHello = (name: string) => (s: ReceivedSpan) => s.traceId === hello.traceId && s.name === name;
    const helloHttp = await waitForSpan(inHello('POST /api/process-instances'), 'HTTP span of the start');
    expect(helloHttp).toMatchObject({ parentSpanId: hello.spanId, kind: 2, service: 'chis-flow-under-test' });
    const helloStart = await waitForSpan(inHello('StartWorkflow:processInstance'), 'client start span');
    expect(helloStart.parentSpanId).toBe(helloHttp.spanId);
    const helloRun = await waitForSpan(inHello('RunWorkflow:processInstance'), 'workflow run span');
    expect(helloRun.parentSpanId).toBe(helloStart.spanId);

    // A birth notification: the GP email activity, scheduled by the workflow, run by the worker.
    const database = connect(app);
    const [practice] = await select<{ odsCode: string }>(
      database,
      `SELECT p.ods_code FROM gp_practices p JOIN localities l ON l.id = p.locality_id WHERE l.code = 'coventry' ORDER BY p.ods_code LIMIT 1`,
    );
    await database.close();
    const birth = traceparent();
    const nhs = freshNhsNumber();
    const notified = await fetch(`${api}/events/birth-notifications`, {
      method: 'POST',
      headers: { ...(await signIn('feed')), traceparent: birth.header },
      body: JSON.stringify({
        nhsNumber: nhs,
        givenName: 'Ada',
        familyName: 'Traced',
        dateOfBirth: new Date().toISOString().slice(0, 10),
        timeOfBirth: '08:30',
        sex: 'female',
        mother: { name: 'Anne Traced' },
        address: { lines: ['1 Test Street'], postcode: 'CV1 2AB' },
        gpPracticeCode: practice.odsCode,
        maternityUnit: 'University Hospital Coventry',
      }),
    });
    expect(notified.status).toBe(202);
    const inBirth = (name: string) => (s: ReceivedSpan) => s.traceId === birth.traceId && s.name === name;
    const birthHttp = await waitForSpan(inBirth('POST /api/events/birth-notifications'), 'HTTP span of the birth');
    expect(birthHttp.parentSpanId).toBe(birth.spanId);
    const birthStart = await waitForSpan(inBirth('StartWorkflow:processInstance'), 'the birth process start span');
    expect(birthStart.parentSpanId).toBe(birthHttp.spanId);
    const runEmail = await waitForSpan(inBirth('RunActivity:notify.emailGpPractice'), 'the GP email activity span');
    const scheduleEmail = await waitForSpan((s) => s.spanId === runEmail.parentSpanId, "the activity's schedule span");
    expect(scheduleEmail).toMatchObject({ name: 'StartActivity:notify.emailGpPractice', traceId: birth.traceId });
    // Scheduled inside the workflow run (which still waits for the visit), under the start.
    expect(scheduleEmail.parentSpanId).toEqual(expect.any(String));
    expect([birthHttp.spanId, birthStart.spanId]).not.toContain(scheduleEmail.parentSpanId);
    // No NHS number in any span (names and attributes hold route templates, types and ids).
    expect(JSON.stringify(spans)).not.toContain(nhs);
    expect(posts).toBeGreaterThan(0);
  }, 600_000);
});
