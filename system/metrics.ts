/**
 * Prometheus metrics of one process (issue 17): the process itself (CPU, memory, event loop,
 * GC: prom-client's defaults), HTTP request durations by route template, the mail and process
 * outbox backlogs and failures, the task queues and SLA breaches (in a process with the relay
 * role), the embedded Temporal server's own figures (where it runs) and, in a process with the
 * worker role, the Temporal SDK's own worker metrics (its core's Prometheus exporter on a
 * loopback port, appended to each scrape).
 *
 * They are served on their own listener (CHIS_METRICS_PORT, loopback unless CHIS_METRICS_HOST),
 * never on the API's port: that one faces the users' network through the load balancer, and
 * the figures (workload, backlog, route use) are for operators. CHIS_METRICS_TOKEN adds a bearer
 * token for a listener that must be reachable more widely.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { HttpDurationHistogram } from '../api/http-metrics';
import type { Logger } from '../core/logger';
import { OUTBOX_ALERT_AFTER_MS } from '../mail/outbox-backlog';
import { summariseUnsentNotifications } from '../records/outbox';
import { processOutboxBacklog } from '../records/process-outbox';
import type { Db } from '../records/sql';
import { taskQueueFigures, taskSlaFigures } from '../records/tasks/operational-figures';
import { redactNhsNumbers } from '../core/redact';

export interface SystemMetrics {
  registry: Registry;
  httpDurations: HttpDurationHistogram;
  /** Prometheus text appended to each scrape. */
  appended: Array<() => string>;
}

const ageSeconds = (since: Date | null) => (since ? Math.max(0, (Date.now() - since.getTime()) / 1000) : 0);

/**
 * One reading per `maxAgeMs` for the gauges that share it (a scrape asks each gauge in turn;
 * the task figures are read at most once per refresh period however often Prometheus scrapes).
 * A failed reading is not kept.
 */
function cachedReading<T>(read: () => Promise<T>, maxAgeMs = 1000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > maxAgeMs) {
      const value = read();
      const reading = { at: Date.now(), value };
      last = reading;
      value.catch(() => {
        if (last === reading) last = undefined;
      });
    }
    return last.value;
  };
}

/** At most this many queues get series of their own; the rest are summed as `(other queues)`. */
const MAX_QUEUE_SERIES = 200;

/**
 * A queue's label: its candidate group, with anything that reads as an NHS number masked (a
 * process may compute its candidate groups from data).
 */
export function queueLabel(queue: string): string {
  return redactNhsNumbers(queue).slice(0, 100);
}

export function createSystemMetrics(o: {
  outboxes?: Db;
  /** The task queues and SLA figures, read at most every `refreshMs` (default 30 s). */
  tasks?: { db: Db; refreshMs?: number };
  /** Prometheus text of other sources appended to each scrape (the embedded Temporal server's own figures). */
  appended?: Array<() => string>;
}): SystemMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDurations = new Histogram({
    name: 'chis_http_request_duration_seconds',
    help: 'HTTP requests by method, route template (never the path sent) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  if (o.outboxes) {
    const db = o.outboxes;
    const mail = cachedReading(() => summariseUnsentNotifications(db, OUTBOX_ALERT_AFTER_MS));
    const commands = cachedReading(() => processOutboxBacklog(db));
    new Gauge({
      name: 'chis_mail_outbox_unsent',
      help: 'Emails written by the processes and not delivered yet',
      registers: [registry],
      async collect() {
        this.set((await mail()).unsent);
      },
    });
    new Gauge({
      name: 'chis_mail_outbox_overdue',
      help: `Emails not delivered ${OUTBOX_ALERT_AFTER_MS / 60_000} minutes after they were written (the alert age)`,
      registers: [registry],
      async collect() {
        this.set((await mail()).old);
      },
    });
    new Gauge({
      name: 'chis_mail_outbox_oldest_unsent_age_seconds',
      help: 'How long the oldest undelivered email has waited (0 when none waits)',
      registers: [registry],
      async collect() {
        this.set(ageSeconds((await mail()).oldestCreatedAt));
      },
    });
    new Gauge({
      name: 'chis_mail_outbox_failed',
      help: 'Undelivered emails marked failed after repeated failed attempts (still retried)',
      registers: [registry],
      async collect() {
        this.set((await mail()).failed);
      },
    });
    new Gauge({
      name: 'chis_mail_outbox_retrying',
      help: 'Undelivered emails with at least one failed delivery attempt',
      registers: [registry],
      async collect() {
        this.set((await mail()).retrying);
      },
    });
    new Gauge({
      name: 'chis_process_outbox_retrying',
      help: 'Undelivered process starts and messages with at least one failed delivery attempt',
      registers: [registry],
      async collect() {
        this.set((await commands()).retrying);
      },
    });
    new Gauge({
      name: 'chis_process_outbox_undelivered',
      help: 'Process starts and messages written but not yet delivered to the engine',
      registers: [registry],
      async collect() {
        this.set((await commands()).undelivered);
      },
    });
    new Gauge({
      name: 'chis_process_outbox_oldest_undelivered_age_seconds',
      help: 'How long the oldest undelivered process command has waited (0 when none waits)',
      registers: [registry],
      async collect() {
        this.set(ageSeconds((await commands()).oldestCreatedAt));
      },
    });
  }
  if (o.tasks) registerTaskFigures(registry, o.tasks.db, o.tasks.refreshMs ?? 30_000);
  return { registry, httpDurations, appended: o.appended ?? [] };
}

function registerTaskFigures(registry: Registry, db: Db, refreshMs: number): void {
  const queues = cachedReading(async () => {
    const rows = await taskQueueFigures(db, new Date());
    // Busiest first: the queues past the cap are summed into one series.
    const sorted = [...rows].sort((a, b) => b.depth - a.depth);
    const kept = sorted.slice(0, MAX_QUEUE_SERIES).map((r) => ({ ...r, queue: queueLabel(r.queue) }));
    const rest = sorted.slice(MAX_QUEUE_SERIES);
    if (rest.length > 0)
      kept.push({
        queue: '(other queues)',
        depth: rest.reduce((n, r) => n + r.depth, 0),
        overdue: rest.reduce((n, r) => n + r.overdue, 0),
        oldestCreatedAt: rest.reduce<Date | null>(
          (d, r) => (r.oldestCreatedAt && (!d || r.oldestCreatedAt < d) ? r.oldestCreatedAt : d),
          null,
        ),
      });
    return kept;
  }, refreshMs);
  const sla = cachedReading(() => taskSlaFigures(db, new Date()), refreshMs);
  new Gauge({
    name: 'chis_task_queue_depth',
    help: 'Open unclaimed tasks by queue (candidate group)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const rows = await queues();
      this.reset();
      for (const r of rows) this.set({ queue: r.queue }, r.depth);
    },
  });
  new Gauge({
    name: 'chis_task_queue_oldest_age_seconds',
    help: "Age of the oldest open unclaimed task by queue (candidate group), from the task's creation",
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const rows = await queues();
      this.reset();
      for (const r of rows) this.set({ queue: r.queue }, ageSeconds(r.oldestCreatedAt));
    },
  });
  new Gauge({
    name: 'chis_task_queue_overdue',
    help: 'Open unclaimed tasks past their due date by queue (candidate group)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const rows = await queues();
      this.reset();
      for (const r of rows) this.set({ queue: r.queue }, r.overdue);
    },
  });
  new Gauge({
    name: 'chis_tasks_sla_breached',
    help: 'Active tasks (open or claimed) past their due date, the SLA the process set, by locality',
    labelNames: ['locality'] as const,
    registers: [registry],
    async collect() {
      const rows = await sla();
      this.reset();
      for (const r of rows) this.set({ locality: r.locality }, r.overdue);
    },
  });
  new Gauge({
    name: 'chis_tasks_escalated',
    help: "Active tasks escalated (moved to a lead's queue when their SLA passed) by locality",
    labelNames: ['locality'] as const,
    registers: [registry],
    async collect() {
      const rows = await sla();
      this.reset();
      for (const r of rows) this.set({ locality: r.locality }, r.escalated);
    },
  });
}

/** Compared as digests, so neither the token's length nor its characters show in the timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(sent), digest(token));
}

async function temporalSdkMetrics(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.text() : `# Temporal SDK metrics unavailable (${res.status})\n`;
  } catch {
    return '# Temporal SDK metrics unavailable (no answer)\n';
  }
}

export async function startMetricsServer(o: {
  host: string;
  port: number;
  token?: string;
  metrics: SystemMetrics;
  /** The SDK core's own exporter (loopback), appended to every scrape. */
  temporalSdkUrl?: string;
  logger: Logger;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at GET /metrics\n');
      return;
    }
    if (o.token !== undefined && !tokenMatches(req.headers.authorization, o.token)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' })
        .end('Send Authorization: Bearer <CHIS_METRICS_TOKEN>\n');
      return;
    }
    const own = await o.metrics.registry.metrics();
    const appended = o.metrics.appended.map((text) => text()).join('\n');
    const sdk = o.temporalSdkUrl ? await temporalSdkMetrics(o.temporalSdkUrl) : '';
    res.writeHead(200, { 'content-type': o.metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : `${own}\n${appended}\n${sdk}`);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.logger.error({ err }, 'metrics scrape failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('metrics could not be collected\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}/metrics`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
