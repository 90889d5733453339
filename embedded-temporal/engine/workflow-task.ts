import { randomUUID } from 'node:crypto';
import { EventType, WithEncodedField, encodeEvent, fieldNumber, temporal, type HistoryEvent, type P } from '../proto';
import { msToDuration, timestamp } from '../time';
import { notFound } from '../errors';
import type { Tx } from './execution';
import type { Engine } from './engine';
import type { QueuedTask } from './matching';
import type { WorkflowTaskState } from './state';
import { appendEvent, flushBuffered, taskQueue } from './history';
import { encodeToken } from './task-token';
import { pendingUpdateMessages } from './updates';
import { attachBufferedQueries, unblockBufferedQueries } from './queries';
import { parseRunKey } from './execution';
import { workflowTaskTimeoutMs } from './next-deadline';
import { pinnedVersionKey, routeTask } from './worker-versioning';
import { versionKey } from './deployments';

type PollResponse = P<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>;
const WFT_FAILED_CAUSE = temporal.api.enums.v1.WorkflowTaskFailedCause;
const POLL_HISTORY_FIELD = fieldNumber(temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse);

/**
 * Schedules a workflow task unless one is already scheduled or running (or the run is closed).
 * `enqueue: false` leaves it off the queues for a caller that hands it out itself (eager start).
 */
export function scheduleWorkflowTask(
  tx: Tx,
  { speculative = false, enqueue = true }: { speculative?: boolean; enqueue?: boolean } = {},
): void {
  const s = tx.exec.state;
  if (s.wft || !tx.exec.running || s.firstTaskAt !== undefined) return;
  const ev = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, scheduledAttributes(tx, 1));
  s.wft = {
    scheduledEventId: ev.eventId!,
    scheduledTime: tx.now,
    attempt: 1,
    sticky: false,
    speculative: speculative || undefined,
  };
  if (enqueue) enqueueWorkflowTask(tx);
}

function scheduledAttributes(tx: Tx, attempt: number): Omit<HistoryEvent, 'eventId' | 'eventTime' | 'eventType'> {
  const s = tx.exec.state;
  return {
    workflowTaskScheduledEventAttributes: {
      taskQueue: taskQueue(s.taskQueue),
      startToCloseTimeout: msToDuration(workflowTaskTimeoutMs(s.workflowTaskTimeoutMs, attempt)),
      attempt,
    },
  };
}

/**
 * Schedules the next attempt of a task that failed or timed out. Attempt 1 is an ordinary task;
 * a later one is transient (see WorkflowTaskState.transient): nothing is written for it now.
 */
function scheduleRetry(tx: Tx, attempt: number): void {
  const s = tx.exec.state;
  if (attempt === 1) {
    scheduleWorkflowTask(tx);
    return;
  }
  s.wft = { scheduledEventId: s.nextEventId, scheduledTime: tx.now, attempt, sticky: false, transient: true };
  enqueueWorkflowTask(tx);
}

export const STICKY_DEFAULT_MS = 5_000;

/**
 * Puts the run's scheduled workflow task on a queue once the transaction has committed: the
 * worker's sticky queue while it has one (falling back to the normal queue after the sticky
 * schedule-to-start timeout, see on-deadline.ts), else the normal queue. Either way the task
 * carries the full history, so a worker without the run cached can always process it.
 */
export function enqueueWorkflowTask(tx: Tx, forceNormal = false): void {
  const exec = tx.exec;
  const s = exec.state;
  const wft = s.wft!;
  const scheduledEventId = wft.scheduledEventId;
  const pinned = pinnedVersionKey(s);
  const sticky = !forceNormal && s.stickyQueue !== undefined && wft.attempt === 1 && lastWorkerStillRouted(tx, pinned);
  wft.sticky = sticky;
  wft.stickyUntil = sticky ? tx.now + (s.stickyTimeoutMs ?? STICKY_DEFAULT_MS) : undefined;
  const queue = sticky ? s.stickyQueue! : s.taskQueue;
  tx.after.push(() =>
    tx.engine.matching.push(s.namespace, 'workflow', queue, { key: exec.key, scheduledEventId, pinned }),
  );
}

/**
 * On a queue routed by worker version, the worker that completed the last task keeps the run
 * (sticky queue, next task in the completion) only while routing would send it there anyway: an
 * auto-upgrade run moves to a new current version at its next task.
 */
export function lastWorkerStillRouted(tx: Tx, pinned = pinnedVersionKey(tx.exec.state)): boolean {
  const s = tx.exec.state;
  const d = tx.engine.deployments.forQueue(s.namespace, 'workflow', s.taskQueue);
  if (!d) return true;
  const last = s.worker?.versioned;
  return routeTask(d, pinned, s.workflowId) === (last ? versionKey(last.deploymentName, last.buildId) : '');
}

/** Moves a not-yet-started sticky task to the normal queue (sticky worker gone or slow). */
export function unstickWorkflowTask(tx: Tx): void {
  const wft = tx.exec.state.wft;
  if (!wft || wft.startedEventId !== undefined || !wft.sticky) return;
  enqueueWorkflowTask(tx, true);
}

/** ShutdownWorker: runs sticky to that worker go back to the normal queue. */
export async function dropStickyQueue(engine: Engine, namespace: string, stickyQueue: string): Promise<void> {
  const affected = [...engine.cached()].filter(
    (e) => e.running && e.state.namespace === namespace && e.state.stickyQueue === stickyQueue,
  );
  for (const e of affected) {
    await engine.mutate(e.ref, (tx) => {
      tx.save = false;
      if (tx.exec.state.stickyQueue !== stickyQueue) return;
      tx.exec.state.stickyQueue = undefined;
      unstickWorkflowTask(tx);
    });
  }
}

/** Hands a queued workflow task to a poller: writes WorkflowTaskStarted (in memory until the next commit). */
export async function dispatchWorkflowTask(
  engine: Engine,
  task: QueuedTask,
  identity: string,
): Promise<WithEncodedField | undefined> {
  const ref = parseRunKey(task.key);
  try {
    return await engine.mutate(ref, (tx) => {
      tx.save = false;
      const wft = tx.exec.state.wft;
      if (
        !tx.exec.running ||
        !wft ||
        wft.scheduledEventId !== task.scheduledEventId ||
        wft.startedEventId !== undefined
      )
        return undefined;
      return startWorkflowTask(tx, identity);
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 5) return undefined;
    throw err;
  }
}

/** Starts the scheduled task for `identity` (in memory) and builds the poll response that carries it. */
export function startWorkflowTask(tx: Tx, identity: string): WithEncodedField {
  const s = tx.exec.state;
  const wft = s.wft!;
  // Events written since a transient task was scheduled make it an ordinary one (a real server does the same).
  if (wft.transient && wft.scheduledEventId !== s.nextEventId) {
    wft.transient = undefined;
    wft.attempt = 1;
    wft.scheduledEventId = appendEvent(
      tx,
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      scheduledAttributes(tx, 1),
    ).eventId!;
  }
  wft.startedTime = tx.now;
  wft.startedIdentity = identity;
  wft.startedRequestId = randomUUID();
  wft.dispatch = randomUUID();
  let transientEvents: HistoryEvent[] = [];
  if (wft.transient) {
    transientEvents = transientTaskEvents(tx, wft);
    wft.startedEventId = wft.scheduledEventId + 1;
  } else {
    wft.startedEventId = appendEvent(
      tx,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      startedAttributes(tx, wft),
    ).eventId!;
  }
  const messages = pendingUpdateMessages(tx, wft.startedEventId);
  const message: PollResponse = {
    taskToken: encodeToken({
      kind: 'workflow',
      ...tx.exec.ref,
      scheduledEventId: wft.scheduledEventId,
      dispatch: wft.dispatch,
    }),
    workflowExecution: { workflowId: s.workflowId, runId: s.runId },
    workflowType: { name: s.workflowType },
    previousStartedEventId: s.lastCompletedStartedId,
    startedEventId: wft.startedEventId,
    attempt: wft.attempt,
    workflowExecutionTaskQueue: taskQueue(s.taskQueue),
    scheduledTime: timestamp(wft.scheduledTime),
    startedTime: timestamp(tx.now),
    messages,
    queries: attachBufferedQueries(tx.exec),
  };
  const history = tx.exec.historyBytes(0, tx.exec.events.length, transientEvents.map(encodeEvent));
  return new WithEncodedField(message, POLL_HISTORY_FIELD, history);
}

function startedAttributes(tx: Tx, wft: WorkflowTaskState): Omit<HistoryEvent, 'eventId' | 'eventTime' | 'eventType'> {
  const s = tx.exec.state;
  const limits = tx.engine.limits;
  const historySizeBytes = s.historySizeBytes ?? 0;
  return {
    workflowTaskStartedEventAttributes: {
      scheduledEventId: wft.scheduledEventId,
      identity: wft.startedIdentity,
      requestId: wft.startedRequestId,
      historySizeBytes,
      // As a real server decides it: on the persisted size, and on the started event's own id.
      suggestContinueAsNew:
        historySizeBytes >= limits.historySizeSuggestContinueAsNew ||
        s.nextEventId >= limits.historyCountSuggestContinueAsNew,
    },
  };
}

/** The scheduled and started events of a transient task, shown to the worker but not (yet) in history. */
function transientTaskEvents(tx: Tx, wft: WorkflowTaskState): HistoryEvent[] {
  const scheduled: HistoryEvent = {
    eventId: wft.scheduledEventId,
    eventTime: timestamp(wft.scheduledTime),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    ...scheduledAttributes(tx, wft.attempt),
  };
  const started: HistoryEvent = {
    eventId: wft.scheduledEventId + 1,
    eventTime: timestamp(wft.startedTime!),
    eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    ...startedAttributes(tx, wft),
  };
  return [scheduled, started];
}

/** A transient task completes: its scheduled and started events are written now, before WorkflowTaskCompleted. */
export function writeTransientTaskEvents(tx: Tx): void {
  const wft = tx.exec.state.wft!;
  if (!wft.transient) return;
  for (const event of transientTaskEvents(tx, wft)) {
    const { eventTime, eventType, eventId, ...attrs } = event;
    const written = appendEvent(tx, eventType!, attrs);
    written.eventTime = eventTime;
    if (written.eventId !== eventId) throw new Error(`transient task event ${eventId} written as ${written.eventId}`);
  }
  wft.transient = undefined;
}

/**
 * Closes the in-flight task as failed or timed out and schedules the next attempt, as a real
 * server does: the failure of a transient attempt is not written; a failure while the run was
 * sticky, or with new events to deliver, starts again at attempt 1 (on the normal queue).
 */
export function failWorkflowTaskInTx(
  tx: Tx,
  how: { cause: number; failure?: P<temporal.api.failure.v1.IFailure> | null; identity?: string | null } | 'timeout',
): void {
  const s = tx.exec.state;
  const wft = s.wft!;
  if (wft.startedEventId === undefined) return;
  if (!wft.transient) {
    if (how === 'timeout') {
      appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, {
        workflowTaskTimedOutEventAttributes: {
          scheduledEventId: wft.scheduledEventId,
          startedEventId: wft.startedEventId,
          timeoutType: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
        },
      });
    } else {
      appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
        workflowTaskFailedEventAttributes: {
          scheduledEventId: wft.scheduledEventId,
          startedEventId: wft.startedEventId,
          cause: how.cause,
          failure: how.failure,
          identity: how.identity,
        },
      });
    }
  }
  const wasSticky = s.stickyQueue !== undefined;
  s.wft = undefined;
  s.stickyQueue = undefined;
  const newEvents = flushBuffered(tx) > 0;
  // Updates delivered in the failed task are delivered again.
  for (const u of Object.values(s.updates)) if (u.stage === 'admitted') u.deliveredInTask = undefined;
  scheduleRetry(tx, newEvents || wasSticky ? 1 : wft.attempt + 1);
}

export async function respondWorkflowTaskFailed(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IRespondWorkflowTaskFailedRequest>,
  token: import('./task-token').TaskToken,
): Promise<void> {
  await engine.mutate(token, (tx) => {
    const wft = tx.exec.state.wft;
    if (!tx.exec.running || !wft || wft.scheduledEventId !== token.scheduledEventId || wft.dispatch !== token.dispatch)
      throw notFound('Workflow task not found.');
    failWorkflowTaskInTx(tx, {
      cause: r.cause ?? WFT_FAILED_CAUSE.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED,
      failure: r.failure,
      identity: r.identity,
    });
  });
}

/** After a workflow task closes with nothing else scheduled, queries waiting for a task go out as query tasks. */
export function afterWorkflowTaskClosed(tx: Tx): void {
  tx.after.push(() => unblockBufferedQueries(tx.engine, tx.exec));
}
