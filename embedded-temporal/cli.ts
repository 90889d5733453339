import pino from 'pino';
import { parseServerArgs } from './cli-args';
import { bindGrpcServer } from './grpc/bind';

/** Heavy modules, loaded only after the port is bound (start-up time matters: tests spawn the server often). */
export interface Loaders {
  engine(): typeof import('./index');
  database(): typeof import('./embedded-database');
}

/**
 * `temporal-server server start-dev [flags]` or `temporal-server <port>` (time-skipping test server).
 * Database: --database-url, else CHIS_TEMPORAL_DATABASE_URL, else an embedded PostgreSQL under
 * --db-filename (a folder; a temporary one when absent, removed when the server ends). The
 * embedded PostgreSQL ends with this process, however it ends (SIGKILL included: the SDK's test
 * environment stops a spawned server that way), and a restart on the same --db-filename waits
 * for the previous one to finish shutting down.
 */
export async function main(argv: string[], load: Loaders): Promise<void> {
  const args = parseServerArgs(argv);
  const logger = pino(
    { level: ['warn', 'error', 'debug', 'info', 'fatal', 'trace'].includes(args.logLevel) ? args.logLevel : 'info' },
    pino.destination({ fd: 2, sync: false }),
  );
  for (const w of args.warnings) logger.warn(w);
  if (args.ignored.length) logger.debug({ flags: args.ignored }, 'ignoring dev-server flags this server does not need');
  let stopServer: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Stop the engine, then its embedded PostgreSQL; should that hang, exiting still stops the
    // database (its watchdog sees this process go).
    setTimeout(() => process.exit(0), 10_000).unref();
    void Promise.resolve(stopServer?.())
      .catch(() => undefined)
      .finally(() => {
        logger.flush();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const testMode = args.mode === 'test';
  const bound = await bindGrpcServer(testMode ? '0.0.0.0' : args.ip, args.port, testMode);
  let databaseUrl = args.databaseUrl ?? process.env.CHIS_TEMPORAL_DATABASE_URL;
  let stopDatabase: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const db = await load.database().startEmbeddedDatabase(args.dbFilename);
    databaseUrl = db.url;
    stopDatabase = db.stop;
    stopServer = db.stop;
  }
  const server = await load.engine().startOnBoundServer(bound, {
    databaseUrl,
    host: testMode ? '0.0.0.0' : args.ip,
    namespaces: args.namespaces,
    searchAttributes: Object.fromEntries(args.searchAttributes.map((s) => [s.name, s.type])),
    timeSkipping: testMode,
    dynamicConfig: args.dynamicConfig,
    logger,
  });
  stopServer = async () => {
    await server.stop();
    await stopDatabase?.();
  };
  if (stopping) await stopServer();
}
