/**
 * Hands a stored inbound event to the process engine as its BPMN message, exactly once as far
 * as starting processes goes: the event id is publishMessage's idempotency key, so a retried
 * publish finds the instances it already started. The row is locked while publishing and
 * marked published in the same transaction; a failure leaves it pending for the next try
 * (a repeat of the request, or the relay below).
 */
import type { Client } from '@temporalio/client';
import { publishMessage } from '../../activities/engine/publish-message';
import type { Logger } from '../../core/logger';
import {
  claimForPublish,
  markPublished,
  markPublishFailed,
  pendingInboundEventIds,
} from '../../records/inbound-events';
import { inTransaction, type Db } from '../../db/repositories/sql';

export interface EngineHandle {
  client: Client;
  taskQueue: string;
}

export type PublishOutcome =
  | { status: 'published'; started: number; delivered: number }
  | { status: 'not-pending' }
  | { status: 'failed'; error: string };

export async function publishInboundEvent(db: Db, engine: EngineHandle, id: string): Promise<PublishOutcome> {
  try {
    return await inTransaction({ sequelize: db.sequelize }, async (tx) => {
      const event = await claimForPublish(tx, id);
      // Already published, or another caller is publishing it right now.
      if (!event) return { status: 'not-pending' } as const;
      const r = await publishMessage(
        { sequelize: db.sequelize, client: engine.client, taskQueue: engine.taskQueue },
        {
          name: event.messageName,
          correlationKey: event.nhsNumber,
          variables: event.messageVariables,
          sourceInstanceId: '',
        },
        event.id,
      );
      await markPublished(tx, id);
      return { status: 'published', ...r } as const;
    });
  } catch (e) {
    const error = (e as Error).message || String(e);
    await markPublishFailed({ sequelize: db.sequelize }, id, error).catch(() => undefined);
    return { status: 'failed', error };
  }
}

export interface InboundEventRelay {
  /** Publishes every pending event received before now − grace; resolves with how many were published. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Publishes events whose publish failed (Temporal unreachable) and whose sender did not
 * repeat the request. `graceMs` leaves fresh events to the request that stored them.
 */
export function startInboundEventRelay(o: {
  db: Db;
  engine: EngineHandle;
  logger: Logger;
  intervalMs?: number;
  graceMs?: number;
}): InboundEventRelay {
  const intervalMs = o.intervalMs ?? 30_000;
  const graceMs = o.graceMs ?? 10_000;
  let running: Promise<number> | null = null;

  async function sweep(): Promise<number> {
    let published = 0;
    const ids = await pendingInboundEventIds(o.db, new Date(Date.now() - graceMs), 100);
    for (const id of ids) {
      const r = await publishInboundEvent(o.db, o.engine, id);
      if (r.status === 'published') published++;
      else if (r.status === 'failed') {
        o.logger.warn({ eventId: id, error: r.error }, 'inbound event relay: publish failed, will retry');
        break; // the engine is probably still down: wait for the next round
      }
    }
    return published;
  }
  const round = () => {
    running ??= sweep()
      .catch((err: unknown) => {
        o.logger.error({ err }, 'inbound event relay: round failed');
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
