/**
 * Prometheus /metrics (issue 17), scraped for real from `npm start`'s entry in a child process
 * (the Temporal SDK's runtime telemetry is process-wide): its own port and a bearer token, never
 * the API's port; process figures, HTTP durations by route template (an NHS number in a path never
 * reaches a label), the outbox backlogs and the SDK's worker metrics, changing as work happens.
 */
import { DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../core/free-port';
import { freshNhsNumber } from '../support/chis-stack';
import { startSystemProcess, type SystemProcess } from './support/system-process';

const TOKEN = 'metrics-test-token-0123456789';

/** The value of a sample line, or of the sum of every series of a metric whose labels contain `labels`. */
function sampleSum(text: string, name: string, labels = ''): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) {
      sum += Number(m[3]);
      found = true;
    }
  }
  return found ? sum : NaN;
}

describe('/metrics', () => {
  let system: SystemProcess | undefined;

  afterAll(async () => {
    await system?.stop();
  });

  test('served on its own port behind a token; figures change as work happens; no NHS number in any label', async () => {
    const metricsPort = await freePort();
    system = await startSystemProcess('metrics', { CHIS_METRICS_PORT: String(metricsPort), CHIS_METRICS_TOKEN: TOKEN });
    const { api, apiPort } = system;
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect(system.output()).toContain(`Metrics:  ${metricsUrl}`);

    // Access: not on the API's port, and only with the token.
    // (the UI's page answers its client-side paths; no figure is there)
    expect(await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text()).not.toMatch(/process_cpu|chis_http/);
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const scrape = async () => {
      const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      return res.text();
    };

    const login = await fetch(`${api}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'manager', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const nhs = freshNhsNumber();
    const childRoute = 'route="/api/children/:nhsNumber"';
    const before = await scrape();
    // A child's record asked for three times signed in, once not (refused by the route: 401), and a path no route takes.
    for (let i = 0; i < 3; i++) await fetch(`${api}/children/${nhs}`, { headers: { cookie } });
    await fetch(`${api}/children/${nhs}`);
    await fetch(`${api}/no-such-thing/${nhs}`, { headers: { cookie } });
    // A process instance the worker runs to its end.
    const started = await fetch(`${api}/process-instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ key: 'example-hello', variables: {} }),
    });
    expect(started.status).toBe(201);

    let after = await scrape();
    const completed = (text: string) => sampleSum(text, 'temporal_workflow_completed');
    for (let i = 0; i < 60 && !(completed(after) > (completed(before) || 0)); i++) {
      await new Promise((r) => setTimeout(r, 500));
      after = await scrape();
    }
    // Process figures (prom-client's defaults).
    expect(sampleSum(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleSum(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // HTTP durations by route template: four more for the child route, one of them refused; the unknown path has no route.
    const count = (text: string, labels: string) =>
      sampleSum(text, 'chis_http_request_duration_seconds_count', labels) || 0;
    expect(count(after, childRoute) - count(before, childRoute)).toBe(4);
    expect(count(after, `${childRoute},status="401"`)).toBe(1);
    expect(count(after, 'route="(no route)",status="404"') - count(before, 'route="(no route)",status="404"')).toBe(1);
    expect(
      sampleSum(after, 'chis_http_request_duration_seconds_count', 'route="/api/process-instances",status="201"'),
    ).toBe(1);
    // The outbox backlogs are there (the demo births' GP emails go through the mail outbox).
    for (const name of [
      'chis_mail_outbox_unsent',
      'chis_mail_outbox_overdue',
      'chis_mail_outbox_oldest_unsent_age_seconds',
      'chis_process_outbox_undelivered',
      'chis_process_outbox_oldest_undelivered_age_seconds',
    ])
      expect({ name, value: sampleSum(after, name) }).toEqual({ name, value: expect.any(Number) });
    expect(sampleSum(after, 'chis_process_outbox_undelivered')).toBeGreaterThanOrEqual(0);
    // The SDK's worker metrics, from its runtime telemetry: the workflow just run counted.
    expect(completed(after)).toBeGreaterThan(completed(before) || 0);
    expect(after).toMatch(/^temporal_workflow_task_execution_latency\w*/m);
    // No NHS number anywhere in the scrape (labels hold route templates only).
    expect(after).not.toContain(nhs);
    const labelValues = [...after.matchAll(/="([^"]*)"/g)].map((m) => m[1]);
    expect(labelValues.filter((v) => /\d{3}[ -]?\d{3}[ -]?\d{4}/.test(v))).toEqual([]);
  }, 600_000);
});
