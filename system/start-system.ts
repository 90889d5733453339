import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { DEMO_PASSWORD, demoLogins, regionIsEmpty, seedRegion, type DemoLogin } from '../db/seed';
import { createEngineWorker } from '../workers/engine-worker';
import { syncAllTimerStartSchedules } from '../workers/timer-start-schedules';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { connect, migrateAndGrant, startPostgresFor } from '../db/database';
import { auditProtectionProblems } from '../db/roles';
import { createApp } from '../api/app';
import { probe } from '../api/routes/health';
import { startEmbeddedTemporal } from '../embedded-temporal';
import { startPdsFor } from './start-pds';
import { ping } from '../records/sql';
import { outboxHealth, startMailFor, startOutboxRelay } from '../mail';
import { listen } from './http-server';
import { ShutdownStack } from './shutdown-stack';
import { UI_DIST } from './ui-build';
import { createDemoCaseWork } from './demo-case-work';
import { caseWorkDependencies, deployDefinitions, engineActivities, startEngineLoops } from './composition';

export interface RunningSystem {
  /** The web UI (served from ui/dist by the same HTTP server). */
  webUrl: string;
  apiUrl: string;
  temporalAddress: string;
  databaseUrl: string;
  /** Demo accounts (all with DEMO_PASSWORD) when the demo region was seeded. */
  demoLogins: DemoLogin[];
  /** Port of the embedded SMTP server (absent when mail goes to SMTP_URL). */
  embeddedSmtpPort?: number;
  stop(): Promise<void>;
}

/**
 * Brings the whole system up from a validated configuration: PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations, Temporal (embedded unless TEMPORAL_ADDRESS is set) and
 * the API. If any step fails, what was already started is stopped again.
 */
export async function startSystem(config: Config, logger: Logger): Promise<RunningSystem> {
  const stack = new ShutdownStack(logger);
  try {
    const postgres = await startPostgresFor(config, logger);
    if (postgres.embedded) stack.push('embedded PostgreSQL', () => postgres.embedded!.stop());

    // Migrations as the owner role; everything else as the application role, which cannot alter the audit trail.
    const applied = await migrateAndGrant(postgres, (m) => logger.info(m));
    logger.info({ applied: applied.length }, 'database schema is up to date');
    const db = connect(postgres.url, { logger });
    stack.push('database pool', () => db.close());
    const unprotected = await auditProtectionProblems(db.sequelize);
    if (unprotected.length > 0)
      logger.warn({ problems: unprotected }, 'the application database role could alter the audit trail');
    const seedingDemo = config.demoChildren > 0 && (await regionIsEmpty(db.sequelize));
    if (seedingDemo) {
      logger.info({ children: config.demoChildren }, 'seeding the synthetic demo region');
      await seedRegion(db.sequelize, { children: config.demoChildren });
    }
    await deployDefinitions(db.sequelize, resolve(__dirname, '../definitions'));

    let temporalAddress: string;
    if ('address' in config.temporal) {
      temporalAddress = config.temporal.address;
    } else {
      const server = await startEmbeddedTemporal({
        // The Temporal server keeps its own schema: the owner's, not the application's.
        databaseUrl: postgres.migrationUrl,
        host: config.host,
        port: config.temporal.embedded.port,
        namespaces: [config.temporal.namespace],
        logger: logger.child({ component: 'embedded-temporal' }),
      });
      stack.push('embedded Temporal server', () => server.stop());
      temporalAddress = server.address;
    }
    const temporal = await Connection.connect({ address: temporalAddress });
    stack.push('Temporal connection', () => temporal.close());

    const pds = await startPdsFor(config, db.sequelize, logger);
    if (pds.stop) stack.push('PDS simulator', pds.stop);

    // Email: the embedded SMTP server (unless SMTP_URL is set) and the delivery service.
    const mail = await startMailFor(config, db.sequelize, logger);
    stack.push('mail (transport, embedded SMTP server)', () => mail.stop());
    // The outbox relay delivers every message (activities only write them); it stops after the
    // worker, so what the last activities wrote still gets its round.
    const relay = startOutboxRelay({ mail: mail.mail, logger: logger.child({ component: 'outbox-relay' }) });
    stack.push('outbox relay', () => relay.stop());

    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    stack.push('worker connection', () => workerConnection.close());
    const client = new Client({ connection: temporal, namespace: config.temporal.namespace });
    const engine = { client, taskQueue: config.temporal.taskQueue };
    const worker = await createEngineWorker({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      sequelize: db.sequelize,
      client,
      activities: engineActivities({
        sequelize: db.sequelize,
        client,
        taskQueue: config.temporal.taskQueue,
        pds: pds.client,
        wakeOutboxRelay: () => relay.wake(),
      }),
    });
    const workerRun = worker.run();
    stack.push('worker', async () => {
      worker.shutdown();
      await workerRun;
    });
    // Task rows whose completion the workflow accepted but whose row write failed are mended, and
    // starts and messages (inbound events, concerns, API calls) their writer could not deliver at
    // once are delivered, by the loops beside the worker.
    const loops = startEngineLoops({ db: { sequelize: db.sequelize }, engine, logger });
    stack.push('task reconciliation', () => loops.reconciliation.stop());
    stack.push('process outbox relay', () => loops.processRelay.stop());
    // Definitions were deployed before Temporal was up: start, replace or stop their timer-start schedulers now.
    const schedules = await syncAllTimerStartSchedules(db.sequelize, { client, taskQueue: config.temporal.taskQueue });
    logger.info({ schedules }, 'timer start events scheduled');

    const app = createApp({
      logger,
      trustProxy: config.trustProxy,
      caseWork: caseWorkDependencies({
        db: { sequelize: db.sequelize },
        auth: config.auth,
        engine,
        localMailbox: mail.embeddedSmtpPort !== undefined,
      }),
      ui: { distDir: UI_DIST },
      health: {
        database: () => probe(() => ping({ sequelize: db.sequelize })),
        // The namespace the worker polls, not just the frontend; no version (anonymous callers read this).
        temporal: () =>
          probe(
            async () =>
              void (await temporal.workflowService.describeNamespace({ namespace: config.temporal.namespace })),
          ),
        mail: async () => outboxHealth(relay.status()),
      },
    });
    const http = await listen(app, config.host, config.port);
    stack.push('HTTP server', () => http.stop());
    const apiUrl = `http://${config.host}:${http.port}/api`;
    if (seedingDemo) {
      // A new demo region gets live work (new births in every locality) through the same API the maternity feed uses.
      await createDemoCaseWork({ apiUrl, db: { sequelize: db.sequelize }, logger }).then(
        (births) =>
          logger.info({ births }, 'demo case work: birth notifications posted; their tasks appear in the queues'),
        (error: unknown) =>
          logger.warn({ err: error }, 'demo case work could not be created; the region is seeded without it'),
      );
    }

    return {
      webUrl: `http://${config.host}:${http.port}/`,
      apiUrl,
      temporalAddress,
      databaseUrl: postgres.url,
      demoLogins: config.demoChildren > 0 ? demoLogins() : [],
      embeddedSmtpPort: mail.embeddedSmtpPort,
      stop: () => stack.unwind(),
    };
  } catch (error) {
    await stack.unwind();
    throw error;
  }
}

export { DEMO_PASSWORD };
