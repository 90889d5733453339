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

/**
 * The earliest moment something must happen to this run without outside input. Called after
 * every change to a run, so it is written without closures or arrays (the same times as
 * activityDeadlines gives).
 */
export function nextDeadline(s: ExecutionState): number | undefined {
  let min = Infinity;
  for (const key in s.timers) min = Math.min(min, s.timers[key].fireAt);
  for (const key in s.activities) {
    const a = s.activities[key];
    if (a.retryAt !== undefined) min = Math.min(min, a.retryAt);
    if (a.scheduleToCloseMs > 0) min = Math.min(min, a.scheduledTime + a.scheduleToCloseMs);
    if (a.startedTime === undefined) {
      if (a.scheduleToStartMs > 0 && a.retryAt === undefined)
        min = Math.min(min, a.attemptScheduledTime + a.scheduleToStartMs);
    } else {
      if (a.startToCloseMs > 0) min = Math.min(min, a.startedTime + a.startToCloseMs);
      if (a.heartbeatMs > 0) min = Math.min(min, (a.lastHeartbeatTime ?? a.startedTime) + a.heartbeatMs);
    }
  }
  const wft = s.wft;
  if (wft?.startedTime !== undefined)
    min = Math.min(min, wft.startedTime + workflowTaskTimeoutMs(s.workflowTaskTimeoutMs, wft.attempt));
  if (s.firstTaskAt !== undefined) min = Math.min(min, s.firstTaskAt);
  if (wft && wft.startedEventId === undefined && wft.stickyUntil !== undefined) min = Math.min(min, wft.stickyUntil);
  if (s.runExpiresAt !== undefined) min = Math.min(min, s.runExpiresAt);
  if (s.executionExpiresAt !== undefined) min = Math.min(min, s.executionExpiresAt);
  return min === Infinity ? undefined : min;
}
