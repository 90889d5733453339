import pino, { type Logger } from 'pino';
import { startRetentionSweeps } from './engine/retention';
import { Store } from './store/store';
import { holdServerLock, type ServerLock } from './store/server-lock';
import { Engine } from './engine/engine';
import { processDeadlines } from './engine/on-deadline';
import { runOutboxTask } from './engine/outbox';
import { recover } from './engine/recovery';
import { bindGrpcServer, type BoundServer } from './grpc/bind';
import { workflowService } from './grpc/workflow-service';
import { operatorService } from './grpc/operator-service';
import { testService } from './grpc/test-service';
import { attachment } from './grpc/handler';
import { applyDynamicConfig, DEFAULT_LIMITS } from './engine/limits';
import { Schedules } from './schedules/schedules';
import { PREDEFINED_CUSTOM_SEARCH_ATTRIBUTES, searchAttributeType } from './engine/system-search-attributes';

export interface EmbeddedTemporalOptions {
  /** PostgreSQL URL; the server keeps everything in its own schema (temporal_server). */
  databaseUrl: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Namespaces to create besides `default`. */
  namespaces?: string[];
  /**
   * The closed-history retention of `namespaces` (seconds), set at every start, so a changed
   * setting applies to a namespace created before; absent: one day for new ones, existing kept.
   */
  namespaceRetentionSeconds?: number;
  /** Custom search attributes: name → type name (Keyword, Int, Double, Bool, Datetime, Text, KeywordList). */
  searchAttributes?: Record<string, string>;
  /** Serve the time-skipping TestService and skip time when idle. */
  timeSkipping?: boolean;
  /** `key=value` limits as the dev server's --dynamic-config-value takes them (see engine/limits.ts). */
  dynamicConfig?: string[];
  /**
   * How long to wait for another server's lock on the database (store/server-lock.ts) before
   * refusing to start; covers a server killed just before (default 5 s).
   */
  lockWaitMs?: number;
  /**
   * How often closed histories past their namespace's retention are looked for and deleted
   * (default 60 s). In time-skipping mode none are unless this is given: like Temporal's test
   * server, which keeps what a test may still read after skipping days.
   */
  retentionSweepMs?: number;
  logger?: Logger;
}

export interface RunningTemporal {
  /** host:port to give to the SDK's Connection / NativeConnection. */
  address: string;
  engine: Engine;
  stop(): Promise<void>;
}

/** Starts the embedded Temporal-compatible server on PostgreSQL. */
export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions): Promise<RunningTemporal> {
  const bound = await bindGrpcServer(options.host ?? '127.0.0.1', options.port ?? 7233, !!options.timeSkipping);
  return startOnBoundServer(bound, options);
}

/** Initialises storage and the engine behind an already-listening gRPC server (see grpc/bind.ts). */
export async function startOnBoundServer(
  bound: BoundServer,
  options: EmbeddedTemporalOptions,
): Promise<RunningTemporal> {
  const logger = options.logger ?? pino({ level: 'info' });
  const limits = { ...DEFAULT_LIMITS };
  let unknownSettings: string[];
  try {
    unknownSettings = applyDynamicConfig(limits, options.dynamicConfig ?? []);
  } catch (err) {
    bound.server.forceShutdown();
    throw err;
  }
  if (unknownSettings.length)
    logger.debug({ settings: unknownSettings }, 'ignoring dynamic config this server does not use');
  const host = options.host ?? '127.0.0.1';
  const address = `${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound.port}`;
  let lock: ServerLock;
  const stopping: { stop?: () => Promise<void> } = {};
  try {
    lock = await holdServerLock(options.databaseUrl, {
      waitMs: options.lockWaitMs ?? 5000,
      address,
      onLost: (err) =>
        logger.error({ err }, 'lost the connection holding the one-server-per-database lock: taking it again'),
      onRetaken: () => logger.warn('the one-server-per-database lock is held again'),
      // Another server runs on this database now: two must not run at once, so this one stops serving.
      onTakenByAnother: (err) => {
        logger.fatal({ err }, 'another embedded Temporal server took this database: this server stops');
        void stopping.stop?.();
      },
    });
  } catch (err) {
    bound.server.forceShutdown();
    throw err;
  }
  const store = new Store(options.databaseUrl);
  try {
    await store.init();
  } catch (err) {
    bound.server.forceShutdown();
    await store.close().catch(() => undefined);
    await lock.release();
    throw err;
  }
  const engine = new Engine({ store, logger, timeSkipping: !!options.timeSkipping, limits });
  engine.onDeadline = processDeadlines;
  engine.runOutbox = (id, task) => {
    runOutboxTask(engine, id, task).catch((err: unknown) => {
      if (engine.isStopped) return;
      logger.error({ err, task: task.kind }, 'outbox task failed; retrying in 1s');
      setTimeout(() => engine.runOutbox(id, task), 1000).unref();
    });
  };
  await engine.namespaces.load();
  await engine.deployments.load();
  await engine.namespaces.ensure('default');
  for (const name of options.namespaces ?? []) {
    const retention = options.namespaceRetentionSeconds;
    await engine.namespaces.ensure(name, '', retention);
    if (retention !== undefined) await engine.namespaces.setRetention(name, retention);
  }
  for (const [name, type] of Object.entries(PREDEFINED_CUSTOM_SEARCH_ATTRIBUTES)) {
    if (!engine.namespaces.searchAttributes.has(name)) await engine.namespaces.addSearchAttribute(name, type);
  }
  for (const [name, type] of Object.entries(options.searchAttributes ?? {}))
    await engine.namespaces.addSearchAttribute(name, searchAttributeType(type));
  const recovered = await recover(engine);
  const schedules = new Schedules(engine);
  engine.onScheduleDue = (key) => schedules.due(key);
  engine.onScheduledRunClosed = (closed) => {
    schedules.runClosed(closed).catch((err: unknown) => logger.error({ err, closed }, 'schedule close report failed'));
  };
  const recoveredSchedules = await schedules.recover();
  bound.attach(
    attachment(logger, {
      workflow: workflowService(engine, logger, schedules),
      operator: operatorService(engine, logger),
      test: options.timeSkipping ? testService(engine, logger) : undefined,
    }),
  );
  const sweepMs = options.retentionSweepMs ?? (options.timeSkipping ? undefined : 60_000);
  const retention = sweepMs !== undefined ? startRetentionSweeps(engine, logger, sweepMs) : undefined;
  logger.info({ address, recovered, schedules: recoveredSchedules }, 'embedded Temporal server listening');
  let stopped: Promise<void> | undefined;
  // Once only: the owner's stop() and a lock taken by another server may both ask.
  const stop = () =>
    (stopped ??= (async () => {
      bound.health.stopping();
      await retention?.stop();
      engine.stop();
      await new Promise<void>((resolve) => {
        // Long polls still open (history, updates) get cut after a moment.
        const force = setTimeout(() => {
          bound.server.forceShutdown();
          resolve();
        }, 1000);
        bound.server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await store.close();
      await lock.release();
    })());
  stopping.stop = stop;
  return {
    address,
    engine,
    stop,
  };
}
