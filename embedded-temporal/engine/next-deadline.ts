import type { ActivityState, ExecutionState } from './state';

/** A real server lengthens a failing task's start-to-close timeout after the third attempt (5 s doubling, at most 10 min). */
const RETRY_BACKOFF_MIN_ATTEMPTS = 3;
const RETRY_INITIAL_MS = 5_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Start-to-close timeout of a workflow task attempt. */
export function workflowTaskTimeoutMs(defaultMs: number, attempt: number): number {
  if (attempt <= RETRY_BACKOFF_MIN_ATTEMPTS) return defaultMs;
  return defaultMs + Math.min(RETRY_INITIAL_MS * 2 ** (attempt - RETRY_BACKOFF_MIN_ATTEMPTS - 1), RETRY_MAX_MS);
}

/** Every time-driven transition of an activity, as [time, what]. */
export function activityDeadlines(
  a: ActivityState,
): [number, 'retry' | 'scheduleToStart' | 'scheduleToClose' | 'startToClose' | 'heartbeat'][] {
  const out: [number, 'retry' | 'scheduleToStart' | 'scheduleToClose' | 'startToClose' | 'heartbeat'][] = [];
  if (a.retryAt !== undefined) out.push([a.retryAt, 'retry']);
  if (a.scheduleToCloseMs > 0) out.push([a.scheduledTime + a.scheduleToCloseMs, 'scheduleToClose']);
  if (a.startedTime === undefined) {
    if (a.scheduleToStartMs > 0 && a.retryAt === undefined)
      out.push([a.attemptScheduledTime + a.scheduleToStartMs, 'scheduleToStart']);
  } else {
    if (a.startToCloseMs > 0) out.push([a.startedTime + a.startToCloseMs, 'startToClose']);
    if (a.heartbeatMs > 0) out.push([(a.lastHeartbeatTime ?? a.startedTime) + a.heartbeatMs, 'heartbeat']);
  }
  return out;
}

/** The earliest moment something must happen to this run without outside input. */
export function nextDeadline(s: ExecutionState): number | undefined {
  let min = Infinity;
  const consider = (t: number | undefined) => {
    if (t !== undefined && t < min) min = t;
  };
  for (const t of Object.values(s.timers)) consider(t.fireAt);
  for (const a of Object.values(s.activities)) for (const [t] of activityDeadlines(a)) consider(t);
  if (s.wft?.startedTime !== undefined)
    consider(s.wft.startedTime + workflowTaskTimeoutMs(s.workflowTaskTimeoutMs, s.wft.attempt));
  consider(s.firstTaskAt);
  if (s.wft?.startedEventId === undefined) consider(s.wft?.stickyUntil);
  consider(s.runExpiresAt);
  consider(s.executionExpiresAt);
  return min === Infinity ? undefined : min;
}
