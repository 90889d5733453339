/**
 * Retention: a closed run's history (which holds the process's variables, NHS numbers included)
 * is deleted once its namespace's retention period has passed since it closed, as a real
 * Temporal server does. A periodic sweep, in batches, each run deleted under its lock like
 * DeleteWorkflowExecution; the server's own clock decides (time-skipping mode skips it too).
 * A namespace with a retention of 0 keeps its histories.
 */
import type { Logger } from 'pino';
import type { Engine } from './engine';

export const RETENTION_BATCH = 500;

/** Deletes every closed run past its namespace's retention now; returns how many. */
export async function deleteExpiredRuns(
  engine: Engine,
  options: { batchSize?: number; stopped?: () => boolean } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? RETENTION_BATCH;
  const stopped = () => engine.isStopped || (options.stopped?.() ?? false);
  let deleted = 0;
  for (const namespace of engine.namespaces.list()) {
    if (namespace.retentionSeconds <= 0) continue;
    const closedBefore = engine.clock.now() - namespace.retentionSeconds * 1000;
    for (;;) {
      if (stopped()) return deleted;
      const runs = await engine.store.closedRunsBefore(namespace.name, closedBefore, batchSize);
      for (const run of runs) {
        await engine.deleteClosedRun(run);
        deleted++;
      }
      if (runs.length < batchSize) break;
    }
  }
  return deleted;
}

/** Sweeps at start and then `intervalMs` after each sweep ends, until stopped; a failed sweep is logged and tried again next time. */
export function startRetentionSweeps(engine: Engine, logger: Logger, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = deleteExpiredRuns(engine, { stopped: () => stopped })
      .then(
        (deleted) => {
          if (deleted > 0) logger.info({ deleted }, 'closed workflow histories past their retention deleted');
        },
        (err: unknown) => {
          if (!stopped && !engine.isStopped)
            logger.error({ err }, 'deleting closed workflow histories past their retention failed');
        },
      )
      .then(() => {
        if (stopped) return;
        timer = setTimeout(sweep, intervalMs);
        timer.unref();
      });
  };
  sweep();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
