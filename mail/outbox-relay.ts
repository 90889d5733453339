/**
 * The outbox relay: a loop in the worker process that delivers whatever is due (new rows,
 * retries after backoff, rows whose sender crashed). Several relays may run against one
 * database; claims keep them off each other's rows.
 */
import type { Logger } from '../core/logger';
import type { MailService } from './delivery';

export interface OutboxRelayOptions {
  mail: MailService;
  logger: Logger;
  /** Pause between polls when nothing was due (default 2 s). */
  intervalMs?: number;
  /** Rows claimed per round (default 20). */
  batchSize?: number;
}

export interface OutboxRelay {
  /** Runs rounds until nothing is due; resolves with the number sent. */
  drain(): Promise<number>;
  /** Polls again now instead of waiting for the interval (e.g. right after an enqueue). */
  wake(): void;
  stop(): Promise<void>;
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { mail, logger } = options;
  const intervalMs = options.intervalMs ?? 2000;
  const batchSize = options.batchSize ?? 20;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;

  async function drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const round = await mail.deliverDue(batchSize);
      sent += round.sent;
      // A full batch may mean more is due; a round with failures waits for the backoff.
      if (stopping || round.claimed < batchSize) return sent;
    }
  }

  const loop = (async () => {
    while (!stopping) {
      try {
        await drain();
      } catch (err) {
        logger.error({ err }, 'outbox relay: round failed (database unavailable?); trying again');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  })();

  return {
    drain,
    wake: () => {
      clearTimeout(timer);
      wakeUp?.();
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wakeUp?.();
      await loop;
    },
  };
}
