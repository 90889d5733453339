/**
 * What a route wrote to the process outbox (records/process-outbox.ts) is delivered at once when
 * the engine is connected, so the answer can say what started; whatever is not delivered now
 * stays in the outbox for the relay.
 */
import { processOutbox, type DeliveryOutcome } from '../engine-client/process-outbox';
import type { RequestContext } from './request-context';

/** Delivers the row now; null when this API has no engine (the relay delivers it). */
export function deliverNow(ctx: RequestContext, outboxId: string): Promise<DeliveryOutcome> | null {
  const engine = ctx.deps.engine;
  if (!engine) return null;
  return (engine.outbox ?? processOutbox(ctx.deps.db, engine)).deliver(outboxId);
}

/** How many instances a delivery started (0 when it was not delivered now). */
export function startedBy(outcome: DeliveryOutcome | null): number {
  return outcome && (outcome.status === 'delivered' || outcome.status === 'delivered-before')
    ? (outcome.result?.started ?? 0)
    : 0;
}
