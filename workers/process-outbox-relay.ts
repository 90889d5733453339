/**
 * The relay of the process outbox: delivers every row still undelivered some time after it was
 * written (its writer delivers at once when it can: an API request, an activity), oldest first,
 * and tries again each round while the engine is unreachable. Nothing written is ever dropped.
 */
import type { Logger } from '../core/logger';
import type { ProcessOutbox } from '../engine-client/process-outbox';
import { undeliveredIds } from '../records/process-outbox';
import type { Db } from '../records/sql';

export interface ProcessOutboxRelay {
  /** Delivers every row written before now − grace; resolves with how many were delivered. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export function startProcessOutboxRelay(o: {
  db: Db;
  outbox: ProcessOutbox;
  logger: Logger;
  /** Between rounds (default 30 s). */
  intervalMs?: number;
  /** Fresh rows are left to their writer this long (default 10 s). */
  graceMs?: number;
}): ProcessOutboxRelay {
  const intervalMs = o.intervalMs ?? 30_000;
  const graceMs = o.graceMs ?? 10_000;
  let running: Promise<number> | null = null;

  async function sweep(): Promise<number> {
    let delivered = 0;
    const ids = await undeliveredIds(o.db, new Date(Date.now() - graceMs), 100);
    for (const id of ids) {
      const r = await o.outbox.deliver(id);
      if (r.status === 'delivered') delivered++;
      else if (r.status === 'failed') {
        o.logger.warn({ outboxId: id, error: r.error }, 'process outbox relay: delivery failed, will retry');
        break; // the engine is probably still down: wait for the next round
      }
    }
    return delivered;
  }
  const round = () => {
    running ??= sweep()
      .catch((err: unknown) => {
        o.logger.error({ err }, 'process outbox relay: round failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(round, intervalMs);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
