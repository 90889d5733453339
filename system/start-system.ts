import { Connection } from '@temporalio/client';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { connect, startPostgresFor } from '../db/database';
import { migrate } from '../db/migrate';
import { createApp } from '../api/app';
import { probe } from '../api/routes/health';
import { startEmbeddedTemporal } from '../embedded-temporal';
import { listen } from './http-server';
import { ShutdownStack } from './shutdown-stack';

export interface RunningSystem {
  apiUrl: string;
  temporalAddress: string;
  databaseUrl: string;
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

    const db = connect(postgres.url, { logger });
    stack.push('database pool', () => db.close());
    const applied = await migrate(db.sequelize, (m) => logger.info(m));
    logger.info({ applied: applied.length }, 'database schema is up to date');

    let temporalAddress: string;
    if ('address' in config.temporal) {
      temporalAddress = config.temporal.address;
    } else {
      const server = await startEmbeddedTemporal({
        databaseUrl: postgres.url,
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

    const app = createApp({
      logger,
      health: {
        database: () => probe(async () => void (await db.sequelize.query('SELECT 1'))),
        temporal: () =>
          probe(async () => {
            const info = await temporal.workflowService.getSystemInfo({});
            return `server ${info.serverVersion || 'unknown version'} at ${temporalAddress}`;
          }),
      },
    });
    const http = await listen(app, config.host, config.port);
    stack.push('HTTP server', () => http.stop());

    return {
      apiUrl: `http://${config.host}:${http.port}/api`,
      temporalAddress,
      databaseUrl: postgres.url,
      stop: () => stack.unwind(),
    };
  } catch (error) {
    await stack.unwind();
    throw error;
  }
}
