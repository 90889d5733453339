import { randomUUID } from 'node:crypto';
import { EventType, temporal, type HistoryEvent, type P } from '../proto';
import { msToDuration, timestamp } from '../time';
import { notFound } from '../errors';
import { parseRunKey, type Tx } from './execution';
import type { Engine } from './engine';
import type { QueuedTask } from './matching';
import type { ActivityState } from './state';
import { appendExternalEvent } from './history';
import { encodeToken, type TaskToken } from './task-token';
import { scheduleWorkflowTask } from './workflow-task';
import { nextRetry } from './close';
import { pinnedVersionKey } from './worker-versioning';

type PollResponse = P<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;
const TimeoutType = temporal.api.enums.v1.TimeoutType;
const HEARTBEAT_SAVE_MS = 1000;
const RetryState = temporal.api.enums.v1.RetryState;

export function enqueueActivity(tx: Tx, act: ActivityState): void {
  const s = tx.exec.state;
  const key = tx.exec.key;
  // A pinned run's activities go to its version too (when their queue belongs to that deployment).
  const task: QueuedTask = {
    key,
    scheduledEventId: act.scheduledEventId,
    attempt: act.attempt,
    pinned: pinnedVersionKey(s),
  };
  tx.after.push(() => tx.engine.matching.push(s.namespace, 'activity', act.taskQueue, task));
}

export async function dispatchActivityTask(
  engine: Engine,
  task: QueuedTask,
  identity: string,
): Promise<PollResponse | undefined> {
  const ref = parseRunKey(task.key);
  try {
    return await engine.mutate(ref, (tx) => {
      const act = tx.exec.state.activities[String(task.scheduledEventId)];
      if (
        !tx.exec.running ||
        !act ||
        act.attempt !== task.attempt ||
        act.startedTime !== undefined ||
        act.retryAt !== undefined
      ) {
        tx.save = false;
        return undefined;
      }
      // Committed before the worker gets it (as a real server records it): after a restart the attempt
      // is known to be running, so it is not offered twice and a cancellation waits for its worker.
      return startAttempt(tx, act, identity);
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 5) return undefined;
    throw err;
  }
}

/** Marks the attempt started (in memory) and builds the task a worker executes. */
export function startAttempt(tx: Tx, act: ActivityState, identity: string): PollResponse {
  const s = tx.exec.state;
  const ref = tx.exec.ref;
  act.startedTime = tx.now;
  act.startedIdentity = identity;
  act.lastHeartbeatTime = undefined;
  act.dispatch = randomUUID();
  return {
    taskToken: encodeToken({
      kind: 'activity',
      ...ref,
      scheduledEventId: act.scheduledEventId,
      dispatch: act.dispatch,
      attempt: act.attempt,
      activityId: act.activityId,
    }),
    workflowNamespace: s.namespace,
    workflowType: { name: s.workflowType },
    workflowExecution: { workflowId: s.workflowId, runId: s.runId },
    activityType: { name: act.activityType },
    activityId: act.activityId,
    header: act.header,
    input: act.input,
    heartbeatDetails: act.heartbeatDetails,
    scheduledTime: timestamp(act.scheduledTime),
    currentAttemptScheduledTime: timestamp(act.attemptScheduledTime),
    startedTime: timestamp(tx.now),
    attempt: act.attempt,
    scheduleToCloseTimeout: msToDuration(act.scheduleToCloseMs),
    startToCloseTimeout: msToDuration(act.startToCloseMs),
    heartbeatTimeout: msToDuration(act.heartbeatMs),
    retryPolicy: act.retryPolicy,
  };
}

/** Writes the lazily-recorded ActivityTaskStarted (final attempt) and the close event; wakes the workflow. */
function recordClose(
  tx: Tx,
  act: ActivityState,
  type: temporal.api.enums.v1.EventType,
  attrs: Omit<HistoryEvent, 'eventId' | 'eventTime' | 'eventType'>,
  identity?: string | null,
): void {
  const s = tx.exec.state;
  const buffered = s.wft?.startedEventId !== undefined;
  let startedEventId = 0;
  if (act.startedTime !== undefined || type !== EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
    startedEventId = buffered ? -1 : s.nextEventId;
    appendExternalEvent(tx, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, {
      activityTaskStartedEventAttributes: {
        scheduledEventId: act.scheduledEventId,
        identity: act.startedIdentity ?? identity,
        requestId: act.dispatch ?? randomUUID(),
        attempt: act.attempt,
        lastFailure: act.lastFailure,
      },
    });
  }
  const field = Object.keys(attrs)[0] as keyof typeof attrs;
  (attrs[field] as { startedEventId?: number }).startedEventId = startedEventId;
  appendExternalEvent(tx, type, attrs);
  delete s.activities[String(act.scheduledEventId)];
  scheduleWorkflowTask(tx);
}

function findActivity(tx: Tx, token: TaskToken): ActivityState {
  const act = tx.exec.running ? tx.exec.state.activities[String(token.scheduledEventId)] : undefined;
  if (!act || act.attempt !== token.attempt) throw notFound('Activity task not found.');
  return act;
}

export async function activityCompleted(
  engine: Engine,
  token: TaskToken,
  result: P<temporal.api.common.v1.IPayloads> | null | undefined,
  identity: string | null | undefined,
): Promise<void> {
  await engine.mutate(token, (tx) => {
    const act = findActivity(tx, token);
    recordClose(
      tx,
      act,
      EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      { activityTaskCompletedEventAttributes: { result, scheduledEventId: act.scheduledEventId, identity } },
      identity,
    );
  });
}

export async function activityCanceled(
  engine: Engine,
  token: TaskToken,
  details: P<temporal.api.common.v1.IPayloads> | null | undefined,
  identity: string | null | undefined,
): Promise<void> {
  await engine.mutate(token, (tx) => {
    const act = findActivity(tx, token);
    recordClose(
      tx,
      act,
      EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
      {
        activityTaskCanceledEventAttributes: {
          details,
          scheduledEventId: act.scheduledEventId,
          latestCancelRequestedEventId: act.cancelRequestedEventId,
          identity,
        },
      },
      identity,
    );
  });
}

/** A failed attempt: retried per the retry policy (no history) or recorded as ActivityTaskFailed. */
export async function activityFailed(
  engine: Engine,
  token: TaskToken,
  failure: P<temporal.api.failure.v1.IFailure> | null | undefined,
  identity: string | null | undefined,
  lastHeartbeatDetails?: P<temporal.api.common.v1.IPayloads> | null,
): Promise<void> {
  await engine.mutate(token, (tx) => {
    const act = findActivity(tx, token);
    if (lastHeartbeatDetails) act.heartbeatDetails = lastHeartbeatDetails;
    const retryState = retryOrState(tx, act, failure);
    if (retryState === undefined) return;
    recordClose(
      tx,
      act,
      EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
      { activityTaskFailedEventAttributes: { failure, scheduledEventId: act.scheduledEventId, identity, retryState } },
      identity,
    );
  });
}

/** Schedules the next attempt if the policy and the schedule-to-close deadline allow; else returns the retry state. */
function retryOrState(
  tx: Tx,
  act: ActivityState,
  failure: P<temporal.api.failure.v1.IFailure> | null | undefined,
): number | undefined {
  if (act.cancelRequested) return RetryState.RETRY_STATE_CANCEL_REQUESTED;
  const next = nextRetry(act.retryPolicy, act.attempt, failure);
  if (!('delayMs' in next)) return next.retryState;
  const at = tx.now + next.delayMs;
  if (act.scheduleToCloseMs > 0 && at >= act.scheduledTime + act.scheduleToCloseMs)
    return RetryState.RETRY_STATE_TIMEOUT;
  act.attempt++;
  act.lastFailure = failure ?? undefined;
  act.lastWorkerIdentity = act.startedIdentity;
  act.startedTime = undefined;
  act.startedIdentity = undefined;
  act.lastHeartbeatTime = undefined;
  act.dispatch = undefined;
  act.attemptScheduledTime = at;
  if (next.delayMs > 0) act.retryAt = at;
  else enqueueActivity(tx, act);
  return undefined;
}

export async function heartbeat(
  engine: Engine,
  token: TaskToken,
  details: P<temporal.api.common.v1.IPayloads> | null | undefined,
): Promise<boolean> {
  return engine.mutate(token, (tx) => {
    const act = findActivity(tx, token);
    act.lastHeartbeatTime = tx.now;
    if (details) act.heartbeatDetails = details;
    // Heartbeat details are progress a retry resumes from: persist them, at most once a second per activity.
    tx.save =
      details !== undefined &&
      details !== null &&
      (act.heartbeatSavedAt === undefined || tx.now - act.heartbeatSavedAt >= HEARTBEAT_SAVE_MS);
    if (tx.save) act.heartbeatSavedAt = tx.now;
    return act.cancelRequested;
  });
}

/** Applies whatever activity deadline has passed (retry backoff over, or a timeout). */
export function activityDeadline(tx: Tx, act: ActivityState, what: string): void {
  if (what === 'retry') {
    act.retryAt = undefined;
    enqueueActivity(tx, act);
    return;
  }
  const timeoutType = {
    scheduleToStart: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
    scheduleToClose: TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
    startToClose: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
    heartbeat: TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
  }[what]!;
  const failure: P<temporal.api.failure.v1.IFailure> = {
    message: `activity ${what.replace(/^./, (c) => c.toUpperCase())} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: act.heartbeatDetails },
    cause: act.lastFailure,
  };
  let retryState: number | undefined = RetryState.RETRY_STATE_TIMEOUT;
  if (timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE || timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
    retryState = retryOrState(tx, act, failure);
    if (retryState === undefined) return;
  }
  recordClose(tx, act, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT, {
    activityTaskTimedOutEventAttributes: { failure, scheduledEventId: act.scheduledEventId, retryState },
  });
}
