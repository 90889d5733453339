import type { ActivityState, ExecutionState } from './state';

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
  if (s.wft?.startedTime !== undefined) consider(s.wft.startedTime + s.workflowTaskTimeoutMs);
  consider(s.firstTaskAt);
  if (s.wft?.startedEventId === undefined) consider(s.wft?.stickyUntil);
  consider(s.runExpiresAt);
  consider(s.executionExpiresAt);
  return min === Infinity ? undefined : min;
}
