/**
 * The screening activity's call: the shared per-run identity (../support/running-activity.ts:
 * idempotency key `<workflow>/<run>/<activity>`, actor `system:<process key>`) plus the day
 * the attempt was scheduled.
 */
import { currentProcessCall } from '../support';

export interface ActivityCall {
  idempotencyKey: string;
  processInstanceId: string;
  actor: string;
  /**
   * The day (UTC) this attempt was scheduled, on the Temporal server's clock: "today" for a
   * process that does not say, and right under time skipping, where the wall clock is not.
   */
  scheduledOn: string;
}

export function currentCall(): ActivityCall {
  const { idempotencyKey, processInstanceId, actor, info } = currentProcessCall();
  return {
    idempotencyKey,
    processInstanceId,
    actor,
    scheduledOn: new Date(info.currentAttemptScheduledTimestampMs).toISOString().slice(0, 10),
  };
}
