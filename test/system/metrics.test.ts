/**
 * Prometheus /metrics (issue 17), scraped for real from `npm start`'s entry in a child process
 * (the Temporal SDK's runtime telemetry is process-wide): its own port and a bearer token, never
 * the API's port; process figures, HTTP durations by route template (an NHS number in a path never
 * reaches a label), the outbox backlogs and failures, the task queues and SLA breaches, the SDK's
 * worker metrics and the embedded Temporal server's own figures, changing as work happens.
 */
import { DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../core/free-port';
import { freshNhsNumber } from '../support/chis-stack';
import { startSystemProcess, type SystemProcess } from './support/system-process';
import { dashboardMetricNames, scrapeExports } from '../operations/support/dashboard';

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
    system = await startSystemProcess('metrics', {
      CHIS_METRICS_PORT: String(metricsPort),
      CHIS_METRICS_TOKEN: TOKEN,
      // The task figures are read from the tables at most once a second here (30 s by default).
      CHIS_METRICS_REFRESH_SECONDS: '1',
    });
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
    // The embedded Temporal server's own figures: the workflow and activity tasks it handed to the worker, its commits.
    const server = (text: string, name: string, labels = '') =>
      sampleSum(text, `chis_embedded_temporal_${name}`, labels);
    expect(server(after, 'tasks_dispatched_total', 'kind="workflow"')).toBeGreaterThan(
      server(before, 'tasks_dispatched_total', 'kind="workflow"'),
    );
    expect(server(after, 'commits_total')).toBeGreaterThan(server(before, 'commits_total'));
    expect(server(after, 'poll_wait_seconds_total', 'kind="workflow"')).toBeGreaterThan(0);
    for (const name of ['polls_empty_total', 'grouped_batches_total', 'task_backlog', 'pollers_waiting'])
      expect({ name, value: server(after, name) }).toEqual({ name, value: expect.any(Number) });
    expect(server(after, 'pollers_waiting', 'kind="activity"')).toBeGreaterThanOrEqual(1);

    // Task queues and SLA breaches: the demo births of Birmingham (three recent new birth visits in
    // its health visiting queue; one 16 days old, past its day-14 due date and escalated to the
    // safeguarding queue) once their processes have created the tasks.
    const hv = 'queue="birmingham-health-visiting"';
    const safeguarding = 'queue="birmingham-safeguarding"';
    let figures = after;
    for (
      let i = 0;
      i < 240 &&
      !(
        sampleSum(figures, 'chis_task_queue_depth', hv) === 3 &&
        sampleSum(figures, 'chis_tasks_escalated', 'locality="birmingham"') >= 1
      );
      i++
    ) {
      await new Promise((r) => setTimeout(r, 500));
      figures = await scrape();
    }
    expect(sampleSum(figures, 'chis_task_queue_depth', hv)).toBe(3);
    expect(sampleSum(figures, 'chis_task_queue_depth', safeguarding)).toBeGreaterThanOrEqual(1);
    expect(sampleSum(figures, 'chis_task_queue_oldest_age_seconds', hv)).toBeGreaterThan(0);
    expect(sampleSum(figures, 'chis_task_queue_overdue', hv)).toBe(0);
    expect(sampleSum(figures, 'chis_task_queue_overdue', safeguarding)).toBeGreaterThanOrEqual(1);
    expect(sampleSum(figures, 'chis_tasks_sla_breached', 'locality="birmingham"')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(figures, 'chis_tasks_escalated', 'locality="birmingham"')).toBeGreaterThanOrEqual(1);
    // The outbox failure figures are there (nothing failed: the embedded SMTP server takes every email).
    for (const name of ['chis_mail_outbox_failed', 'chis_mail_outbox_retrying', 'chis_process_outbox_retrying'])
      expect({ name, value: sampleSum(figures, name) }).toEqual({ name, value: 0 });

    // A health visitor claims one of the queue's tasks: the queue is one shorter at the next reading.
    const hvLogin = await fetch(`${api}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'cw.birmingham.hv', password: DEMO_PASSWORD }),
    });
    const hvCookie = (hvLogin.headers.get('set-cookie') ?? '').split(';')[0];
    const { csrfToken: hvCsrf } = (await hvLogin.json()) as { csrfToken: string };
    const unclaimed = (await (
      await fetch(`${api}/tasks/queues/unclaimed`, { headers: { cookie: hvCookie } })
    ).json()) as {
      tasks: Array<{ id: string; candidateGroups: string[] }>;
    };
    const task = unclaimed.tasks.find((t) => t.candidateGroups.includes('birmingham-health-visiting'));
    expect(task).toBeDefined();
    const claim = await fetch(`${api}/tasks/${task!.id}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: hvCookie, 'x-csrf-token': hvCsrf },
      body: '{}',
    });
    expect(claim.status).toBe(200);
    for (let i = 0; i < 20 && sampleSum(figures, 'chis_task_queue_depth', hv) !== 2; i++) {
      await new Promise((r) => setTimeout(r, 500));
      figures = await scrape();
    }
    expect(sampleSum(figures, 'chis_task_queue_depth', hv)).toBe(2);
    after = figures;

    // Every metric the provisioned Grafana dashboard asks for is one this process exports.
    expect(dashboardMetricNames().filter((name) => !scrapeExports(after, name))).toEqual([]);

    // No NHS number anywhere in the scrape (labels hold route templates only).
    expect(after).not.toContain(nhs);
    const labelValues = [...after.matchAll(/="([^"]*)"/g)].map((m) => m[1]);
    expect(labelValues.filter((v) => /\d{3}[ -]?\d{3}[ -]?\d{4}/.test(v))).toEqual([]);
  }, 600_000);
});
