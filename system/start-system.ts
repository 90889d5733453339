import { join } from 'node:path';
import { PROJECT_ROOT } from '../core/project-root';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { DEMO_PASSWORD, demoLogins, regionIsEmpty, seedRegion, type DemoLogin } from '../db/seed';
import { createEngineWorker } from '../workers/engine-worker';
import { workflowBundleSource } from '../workers/workflow-bundle';
import { syncAllTimerStartSchedules } from '../workers/timer-start-schedules';
import type { Sequelize } from 'sequelize';
import type { Config, ProcessRole } from '../core/config';
import type { Logger } from '../core/logger';
import { connect, migrateAndGrant, startPostgresFor } from '../db/database';
import { pendingMigrations } from '../db/migrations/run';
import { auditProtectionProblems } from '../db/migrations/roles';
import { createApp } from '../api/app';
import { probe } from '../api/routes/health';
import { startEmbeddedTemporal, type RunningTemporal } from '../embedded-temporal';
import { embeddedTemporalMetrics } from '../embedded-temporal/metrics';
import { startPdsFor } from './start-pds';
import { ping } from '../records/sql';
import { outboxBacklogHealth, outboxHealth, startMailFor, startOutboxRelay, type OutboxRelay } from '../mail';
import { listen } from './http-server';
import { ShutdownStack } from './shutdown-stack';
import { createSystemMetrics, startMetricsServer } from './metrics';
import { UI_DIST } from './ui-build';
import { createDemoCaseWork } from './demo-case-work';
import { caseWorkDependencies, deployDefinitions, engineActivities, startEngineLoops } from './composition';
import { engineClientInterceptors } from '../engine-client/request-id-interceptor';
import { startTracing } from './tracing';

export interface RunningSystem {
  /** What this process runs. */
  roles: ProcessRole[];
  /** The web UI (served from ui/dist by the same HTTP server); absent without the api role. */
  webUrl?: string;
  /** The API; absent without the api role (other roles serve only /api/health on CHIS_PORT). */
  apiUrl?: string;
  /** Base URL of the HTTP server every role has: /api/health/live and /api/health/ready. */
  healthUrl: string;
  temporalAddress: string;
  databaseUrl: string;
  /** Demo accounts (all with DEMO_PASSWORD) when the demo region was seeded. */
  demoLogins: DemoLogin[];
  /** Port of the embedded SMTP server (absent when mail goes to SMTP_URL or the relay runs elsewhere). */
  embeddedSmtpPort?: number;
  /** Prometheus metrics of this process (CHIS_METRICS_PORT; absent when not configured). */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** CHIS_ROLE=all (npm start): the api, worker and relay roles in one process. */
const ALL_ROLES = 3;

/** Whether this process holds the owner's URL: the embedded PostgreSQL's, or CHIS_MIGRATION_DATABASE_URL. */
const ownerUrlGiven = (config: Config) => !('url' in config.database) || config.database.migrationUrl !== undefined;

/** How long a process that does not migrate waits for another (`npm run migrate`, an api with the owner's URL). */
const SCHEMA_WAIT_MS = 5 * 60_000;

async function waitForSchema(sequelize: Sequelize, logger: Logger): Promise<void> {
  const deadline = Date.now() + SCHEMA_WAIT_MS;
  let said = false;
  for (;;) {
    const pending = await pendingMigrations(sequelize);
    if (pending.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `the database schema lacks ${pending.length} migration(s) (first: ${pending[0]}): run \`npm run migrate\` with the owner's CHIS_MIGRATION_DATABASE_URL`,
      );
    if (!said) logger.info({ pending: pending.length }, 'waiting for the database schema to be migrated');
    said = true;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * Brings up what this process's roles need (config.roles; `npm start`: all of them) from a
 * validated configuration. Every role: PostgreSQL (embedded unless DATABASE_URL is set, which
 * separate roles require), Temporal (embedded unless TEMPORAL_ADDRESS is set, likewise) and an
 * HTTP server on CHIS_PORT. api: migrations, the demo seed, definitions, schedules, the API and
 * UI. worker: the engine worker and the PDS adapter its activities call. relay: mail delivery
 * (and the embedded SMTP server), the process outbox relay and task reconciliation. If any step
 * fails, what was already started is stopped again.
 */
export async function startSystem(
  config: Config,
  logger: Logger,
  options: {
    /** The Temporal SDK's Prometheus exporter (Runtime telemetry, installed by cli/start.ts), merged into /metrics. */
    temporalSdkMetricsUrl?: string;
  } = {},
): Promise<RunningSystem> {
  const has = (role: ProcessRole) => config.roles.includes(role);
  const stack = new ShutdownStack(logger);
  try {
    logger.info({ roles: config.roles }, 'starting');
    // OpenTelemetry (off unless an OTLP endpoint is configured); flushed when everything else has stopped.
    const tracing = config.tracing ? startTracing({ ...config.tracing, roles: config.roles }) : undefined;
    if (tracing) stack.push('tracing', () => tracing.shutdown());
    const postgres = await startPostgresFor(config, logger);
    if (postgres.embedded) stack.push('embedded PostgreSQL', () => postgres.embedded!.stop());

    // Migrations as the owner role; everything else as the application role, which cannot alter
    // the audit trail. A process of separate roles migrates only when given the owner's URL: an
    // api started with the runtime URL alone (least privilege; compose's `migrate` job holds the
    // owner's) waits for the schema like the worker and relay.
    const migrates = has('api') && (ownerUrlGiven(config) || config.roles.length === ALL_ROLES);
    if (migrates) {
      const applied = await migrateAndGrant(postgres, (m) => logger.info(m));
      logger.info({ applied: applied.length }, 'database schema is up to date');
    } else if (has('api'))
      logger.info('no owner URL (CHIS_MIGRATION_DATABASE_URL): migrations are left to `npm run migrate`');
    const db = connect(postgres.url, { logger });
    stack.push('database pool', () => db.close());
    if (!migrates) await waitForSchema(db.sequelize, logger);
    let seedingDemo = false;
    if (has('api')) {
      const unprotected = await auditProtectionProblems(db.sequelize);
      if (unprotected.length > 0)
        logger.warn({ problems: unprotected }, 'the application database role could alter the audit trail');
      seedingDemo = config.demoChildren > 0 && (await regionIsEmpty(db.sequelize));
      if (seedingDemo) {
        logger.info({ children: config.demoChildren }, 'seeding the synthetic demo region');
        await seedRegion(db.sequelize, { children: config.demoChildren });
      }
      await deployDefinitions(db.sequelize, join(PROJECT_ROOT, 'definitions'));
    }

    let temporalAddress: string;
    let embeddedTemporal: RunningTemporal | undefined;
    if ('address' in config.temporal) {
      temporalAddress = config.temporal.address;
    } else {
      const server = await startEmbeddedTemporal({
        // The Temporal server keeps its own schema: the owner's, not the application's.
        databaseUrl: postgres.migrationUrl,
        host: config.host,
        port: config.temporal.embedded.port,
        namespaces: [config.temporal.namespace],
        namespaceRetentionSeconds: config.temporal.embedded.retentionSeconds,
        logger: logger.child({ component: 'embedded-temporal' }),
      });
      stack.push('embedded Temporal server', () => server.stop());
      temporalAddress = server.address;
      embeddedTemporal = server;
    }
    const temporal = await Connection.connect({ address: temporalAddress });
    stack.push('Temporal connection', () => temporal.close());
    const client = new Client({
      connection: temporal,
      namespace: config.temporal.namespace,
      interceptors: engineClientInterceptors({ tracing: !!tracing }),
    });
    const engine = { client, taskQueue: config.temporal.taskQueue };

    // The PDS adapter: only activities call it.
    const pds = has('worker') ? await startPdsFor(config, db.sequelize, logger) : undefined;
    if (pds?.stop) stack.push('PDS simulator', pds.stop);

    // Email: the embedded SMTP server (unless SMTP_URL is set) and the delivery service. The
    // outbox relay delivers every message (activities only write them); it stops after the
    // worker, so what the last activities wrote still gets its round.
    let relay: OutboxRelay | undefined;
    let embeddedSmtpPort: number | undefined;
    if (has('relay')) {
      const mail = await startMailFor(config, db.sequelize, logger);
      stack.push('mail (transport, embedded SMTP server)', () => mail.stop());
      embeddedSmtpPort = mail.embeddedSmtpPort;
      const outboxRelay = startOutboxRelay({ mail: mail.mail, logger: logger.child({ component: 'outbox-relay' }) });
      stack.push('outbox relay', () => outboxRelay.stop());
      relay = outboxRelay;
    }

    if (has('worker')) {
      const workerConnection = await NativeConnection.connect({ address: temporalAddress });
      stack.push('worker connection', () => workerConnection.close());
      const worker = await createEngineWorker({
        connection: workerConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        sequelize: db.sequelize,
        client,
        ...(tracing ? { tracing } : {}),
        activities: engineActivities({
          sequelize: db.sequelize,
          client,
          taskQueue: config.temporal.taskQueue,
          pds: pds!.client,
          // A relay in another process finds new mail on its next poll (every 2 s).
          wakeOutboxRelay: () => relay?.wake(),
        }),
      });
      const workerRun = worker.run();
      stack.push('worker', async () => {
        worker.shutdown();
        await workerRun;
      });
      logger.info(
        { taskQueue: config.temporal.taskQueue, workflowBundle: workflowBundleSource({ tracing: !!tracing }) },
        'engine worker polling',
      );
    }
    if (has('relay')) {
      // Task rows whose completion the workflow accepted but whose row write failed are mended,
      // and starts and messages (inbound events, concerns, API calls) their writer could not
      // deliver at once are delivered, by the loops beside the worker.
      const loops = startEngineLoops({ db: { sequelize: db.sequelize }, engine, logger });
      stack.push('task reconciliation', () => loops.reconciliation.stop());
      stack.push('process outbox relay', () => loops.processRelay.stop());
    }
    if (has('api')) {
      // Definitions were deployed before Temporal was up: start, replace or stop their timer-start schedulers now.
      const schedules = await syncAllTimerStartSchedules(db.sequelize, {
        client,
        taskQueue: config.temporal.taskQueue,
      });
      logger.info({ schedules }, 'timer start events scheduled');
    }

    const health = {
      database: () => probe(() => ping({ sequelize: db.sequelize })),
      // The namespace the worker polls, not just the frontend; no version (anonymous callers read this).
      temporal: () =>
        probe(
          async () => void (await temporal.workflowService.describeNamespace({ namespace: config.temporal.namespace })),
        ),
      // The relay's own view of the mail server when it runs here, else the backlog in the table.
      mail: async () => (relay ? outboxHealth(relay.status()) : await outboxBacklogHealth({ sequelize: db.sequelize })),
    };
    // Metrics on their own listener; the outbox backlogs, task queues and SLA figures (read from
    // the tables) where the relay runs, so api replicas do not each read them; the embedded
    // Temporal server's own figures where it runs.
    const metrics = config.metrics
      ? createSystemMetrics({
          ...(has('relay')
            ? {
                outboxes: { sequelize: db.sequelize },
                tasks: { db: { sequelize: db.sequelize }, refreshMs: config.metrics.refreshMs },
              }
            : {}),
          ...(embeddedTemporal ? { appended: [() => embeddedTemporalMetrics(embeddedTemporal.engine)] } : {}),
        })
      : undefined;
    let metricsUrl: string | undefined;
    if (config.metrics && metrics) {
      const server = await startMetricsServer({
        ...config.metrics,
        metrics,
        ...(options.temporalSdkMetricsUrl ? { temporalSdkUrl: options.temporalSdkMetricsUrl } : {}),
        logger,
      });
      stack.push('metrics server', () => server.stop());
      metricsUrl = server.url;
      logger.info({ url: metricsUrl, token: config.metrics.token !== undefined }, 'metrics served');
    }
    // Without the api role the HTTP server answers only the health probes (for orchestrators).
    const app = createApp({
      logger,
      trustProxy: config.trustProxy,
      health,
      ...(metrics ? { httpDurations: metrics.httpDurations } : {}),
      ...(tracing ? { tracer: tracing.tracer } : {}),
      ...(has('api')
        ? {
            caseWork: caseWorkDependencies({
              db: { sequelize: db.sequelize },
              auth: config.auth,
              engine,
              taskListenerWaitMs: config.taskListenerWaitMs,
              // The mailbox is the embedded SMTP server's table, readable wherever the server runs.
              localMailbox: !('url' in config.smtp),
            }),
            ui: { distDir: UI_DIST },
          }
        : {}),
    });
    const http = await listen(app, config.host, config.port);
    stack.push('HTTP server', () => http.stop());
    const baseUrl = `http://${config.host}:${http.port}`;
    const apiUrl = has('api') ? `${baseUrl}/api` : undefined;
    if (seedingDemo && apiUrl) {
      // A new demo region gets live work (new births in every locality) through the same API the maternity feed uses.
      await createDemoCaseWork({ apiUrl, db: { sequelize: db.sequelize }, logger }).then(
        (births) =>
          logger.info({ births }, 'demo case work: birth notifications posted; their tasks appear in the queues'),
        (error: unknown) =>
          logger.warn({ err: error }, 'demo case work could not be created; the region is seeded without it'),
      );
    }

    return {
      roles: config.roles,
      ...(apiUrl ? { apiUrl, webUrl: `${baseUrl}/` } : {}),
      healthUrl: `${baseUrl}/api/health`,
      temporalAddress,
      databaseUrl: postgres.url,
      demoLogins: has('api') && config.demoChildren > 0 ? demoLogins() : [],
      embeddedSmtpPort,
      ...(metricsUrl ? { metricsUrl } : {}),
      stop: () => stack.unwind(),
    };
  } catch (error) {
    await stack.unwind();
    throw error;
  }
}

export { DEMO_PASSWORD };
