import { randomUUID } from 'node:crypto';
import { EventType, WithEncodedField, fieldNumber, temporal, type P } from '../proto';
import { msToDuration, timestamp } from '../time';
import { notFound } from '../errors';
import type { Tx } from './execution';
import type { Engine } from './engine';
import type { QueuedTask } from './matching';
import { appendEvent, flushBuffered, taskQueue } from './history';
import { encodeToken } from './task-token';
import { pendingUpdateMessages } from './updates';
import { dispatchQueuedQueries } from './queries';
import { parseRunKey } from './execution';

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
  const attempt = 1;
  const ev = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, {
    workflowTaskScheduledEventAttributes: {
      taskQueue: taskQueue(s.taskQueue),
      startToCloseTimeout: msToDuration(s.workflowTaskTimeoutMs),
      attempt,
    },
  });
  s.wft = {
    scheduledEventId: ev.eventId!,
    scheduledTime: tx.now,
    attempt,
    sticky: false,
    speculative: speculative || undefined,
  };
  if (enqueue) enqueueWorkflowTask(tx);
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
  const sticky = !forceNormal && s.stickyQueue !== undefined && wft.attempt === 1;
  wft.sticky = sticky;
  wft.stickyUntil = sticky ? tx.now + (s.stickyTimeoutMs ?? STICKY_DEFAULT_MS) : undefined;
  const queue = sticky ? s.stickyQueue! : s.taskQueue;
  tx.after.push(() => tx.engine.matching.push(s.namespace, 'workflow', queue, { key: exec.key, scheduledEventId }));
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
      const s = tx.exec.state;
      const wft = s.wft;
      if (
        !tx.exec.running ||
        !wft ||
        wft.scheduledEventId !== task.scheduledEventId ||
        wft.startedEventId !== undefined
      )
        return undefined;
      const started = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
        workflowTaskStartedEventAttributes: {
          scheduledEventId: wft.scheduledEventId,
          identity,
          requestId: randomUUID(),
          historySizeBytes: 0,
        },
      });
      wft.startedEventId = started.eventId!;
      wft.startedTime = tx.now;
      wft.dispatch = randomUUID();
      const messages = pendingUpdateMessages(tx);
      const message: PollResponse = {
        taskToken: encodeToken({
          kind: 'workflow',
          ...ref,
          scheduledEventId: wft.scheduledEventId,
          dispatch: wft.dispatch,
        }),
        workflowExecution: { workflowId: s.workflowId, runId: s.runId },
        workflowType: { name: s.workflowType },
        previousStartedEventId: s.lastCompletedStartedId,
        startedEventId: started.eventId,
        attempt: wft.attempt,
        workflowExecutionTaskQueue: taskQueue(s.taskQueue),
        scheduledTime: timestamp(wft.scheduledTime),
        startedTime: timestamp(tx.now),
        messages,
      };
      return new WithEncodedField(message, POLL_HISTORY_FIELD, tx.exec.historyBytes(0, tx.exec.events.length));
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 5) return undefined;
    throw err;
  }
}

/** Closes the in-flight task as failed or timed out and schedules the next attempt. */
export function failWorkflowTaskInTx(
  tx: Tx,
  how: { cause: number; failure?: P<temporal.api.failure.v1.IFailure> | null; identity?: string | null } | 'timeout',
): void {
  const s = tx.exec.state;
  const wft = s.wft!;
  if (wft.startedEventId === undefined) return;
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
  s.wft = undefined;
  s.stickyQueue = undefined;
  // New events make the next task a fresh one (attempt 1), as a real server schedules it.
  const attempt = flushBuffered(tx) > 0 ? 1 : wft.attempt + 1;
  const ev = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, {
    workflowTaskScheduledEventAttributes: {
      taskQueue: taskQueue(s.taskQueue),
      startToCloseTimeout: msToDuration(s.workflowTaskTimeoutMs),
      attempt,
    },
  });
  s.wft = { scheduledEventId: ev.eventId!, scheduledTime: tx.now, attempt, sticky: false };
  // Updates delivered in the failed task are delivered again.
  for (const u of Object.values(s.updates)) if (u.stage === 'admitted') u.deliveredInTask = undefined;
  enqueueWorkflowTask(tx);
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

/** After a workflow task closes with nothing else scheduled, queued legacy queries can go out. */
export function afterWorkflowTaskClosed(tx: Tx): void {
  tx.after.push(() => dispatchQueuedQueries(tx.engine, tx.exec));
}
