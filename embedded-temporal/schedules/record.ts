import type { temporal, P } from '../proto';

/** A start waiting to happen (or to be dropped) under the overlap policy. Times in server ms. */
export interface BufferedStart {
  nominal: number;
  actual: number;
  overlapPolicy: number;
  /** Trigger or backfill: not subject to pause, remaining actions or the catch-up window. */
  manual: boolean;
  /** Makes the start idempotent if it is repeated after a crash. */
  requestId: string;
}

/** Everything about one schedule, persisted as one JSON row. */
export interface ScheduleRecord {
  namespace: string;
  scheduleId: string;
  /** Spec (canonical), action, policies (defaults resolved) and state (paused, notes, remaining actions). */
  schedule: P<temporal.api.schedule.v1.ISchedule>;
  memo?: P<temporal.api.common.v1.IMemo>;
  searchAttributes?: P<temporal.api.common.v1.ISearchAttributes>;
  conflictToken: number;
  createTime: number;
  updateTime?: number;
  /** Matching times up to here have been handled. */
  lastProcessedTime: number;
  buffer: BufferedStart[];
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  /** Started workflows still running (workflow id, first run id); ALLOW_ALL starts are not tracked. */
  running: { workflowId: string; runId: string }[];
  recentActions: P<temporal.api.schedule.v1.IScheduleActionResult>[];
  lastCompletionResult?: P<temporal.api.common.v1.IPayloads>;
  continuedFailure?: P<temporal.api.failure.v1.IFailure>;
}
