import { randomUUID } from 'node:crypto';
import { EventType, Status, temporal, type HistoryEvent, type P } from '../proto';
import { durationMs, timestampMs } from '../time';
import { invalidArgument } from '../errors';
import { Execution, type Tx } from './execution';
import type { Engine } from './engine';
import type { ActivityState, ExecutionState } from './state';
import { appendEvent } from './history';
import { scheduleWorkflowTask } from './workflow-task';
import { enqueueActivity } from './activities';
import { terminateInTx } from './close';
import { decodeSearchAttributes, mergeSearchAttributes } from './search-attributes';
import { DEFAULT_WFT_TIMEOUT_MS } from './start';

const RESET_CAUSE = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;
const ExcludeType = temporal.api.enums.v1.ResetReapplyExcludeType;
const ReapplyType = temporal.api.enums.v1.ResetReapplyType;
const AdmittedOrigin = temporal.api.enums.v1.UpdateAdmittedEventOrigin;

/**
 * ResetWorkflowExecution, as a real server resets: a new run of the same workflow id whose history
 * is the base run's up to the chosen workflow task's started event, then that task failed with
 * cause RESET_WORKFLOW (naming the base and new run), then the base run's later signals re-applied
 * (unless excluded), then a new workflow task. The worker replays to the reset point and carries on
 * from there. The running run of the workflow id (base or later) is terminated first. What was
 * pending at the reset point is pending again: activities are dispatched anew (attempt 1), timers
 * fire at their original time. A reset point with a child workflow or an external signal/cancel
 * still pending is refused, as by a real server.
 */
export async function resetWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest>,
): Promise<P<temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse>> {
  const namespace = r.namespace ?? '';
  const workflowId = r.workflowExecution?.workflowId ?? '';
  if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
  const baseRef = await engine.resolveRun(namespace, workflowId, r.workflowExecution?.runId);
  const requestId = r.requestId || randomUUID();
  return engine.locks.run(`wid\u0000${namespace}\u0000${workflowId}`, async () => {
    const base = await engine.load(baseRef);
    const currentRef = await engine.resolveRun(namespace, workflowId);
    const current = await engine.load(currentRef);
    // The same request again: the run it made.
    if (current.state.resetRequestId === requestId) return { runId: current.state.runId };
    const startedId = resetPoint(base, Number(r.workflowTaskFinishEventId ?? 0));
    const now = engine.clock.now();
    const after: (() => void)[] = [];
    const exec = buildResetRun(base, startedId, requestId, now);
    const tx: Tx = { engine, exec, now, save: true, alsoWrite: [], outbox: [], after };
    appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
      workflowTaskFailedEventAttributes: {
        scheduledEventId: base.events[startedId - 1].workflowTaskStartedEventAttributes?.scheduledEventId,
        startedEventId: startedId,
        cause: RESET_CAUSE,
        failure: { message: r.reason ?? '', source: 'Server', resetWorkflowFailureInfo: {} },
        identity: r.identity,
        baseRunId: base.state.runId,
        newRunId: exec.state.runId,
      },
    });
    reapplyEvents(tx, base.events.slice(startedId), excludedTypes(r));
    scheduleWorkflowTask(tx);
    for (const act of Object.values(exec.state.activities)) enqueueActivity(tx, act);
    if (current.running)
      await engine.mutate(current.ref, (t) => terminateInTx(t, r.reason || 'reset', undefined, r.identity));
    await engine.insertRun(exec, tx);
    return { runId: exec.state.runId };
  });
}

/**
 * The event kinds not to re-apply, as a real server reads the request: the exclude list, plus the
 * deprecated reapply type (SIGNAL re-applies signals only, NONE nothing; unset means all).
 */
function excludedTypes(r: P<temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest>): Set<number> {
  const excluded = new Set<number>(r.resetReapplyExcludeTypes ?? []);
  if (r.resetReapplyType === ReapplyType.RESET_REAPPLY_TYPE_SIGNAL)
    excluded.add(ExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE);
  if (r.resetReapplyType === ReapplyType.RESET_REAPPLY_TYPE_NONE) {
    excluded.add(ExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL);
    excluded.add(ExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE);
  }
  return excluded;
}

/**
 * The base run's signals and updates after the reset point, written again in their order, as a
 * real server re-applies them: a signal as it was; an update as WorkflowExecutionUpdateAdmitted
 * (an accepted one with origin REAPPLY), which the worker reads from history as the update
 * request, so the new run handles it again. An accepted event after an admitted one of the same
 * update adds nothing.
 */
function reapplyEvents(tx: Tx, events: HistoryEvent[], excluded: Set<number>): void {
  const signals = !excluded.has(ExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL);
  const updates = !excluded.has(ExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE);
  for (const ev of events) {
    const signaled = ev.workflowExecutionSignaledEventAttributes;
    if (signaled && signals)
      appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
        workflowExecutionSignaledEventAttributes: signaled,
      });
    if (!updates) continue;
    const admitted = ev.workflowExecutionUpdateAdmittedEventAttributes;
    const accepted = ev.workflowExecutionUpdateAcceptedEventAttributes;
    if (admitted?.request) admitDurably(tx, admitted.request, admitted.origin ?? undefined);
    else if (accepted?.acceptedRequest)
      admitDurably(tx, accepted.acceptedRequest, AdmittedOrigin.UPDATE_ADMITTED_EVENT_ORIGIN_REAPPLY);
  }
}

function admitDurably(tx: Tx, request: P<temporal.api.update.v1.IRequest>, origin: number | undefined): void {
  const updateId = request.meta?.updateId ?? '';
  const ev = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED, {
    workflowExecutionUpdateAdmittedEventAttributes: { request, origin },
  });
  tx.exec.state.updates[updateId] = { updateId, request, stage: 'admitted', admittedEventId: ev.eventId! };
}

/** The started event id of the workflow task the request names (by its completed, failed, timed out or started event). */
function resetPoint(base: Execution, finishEventId: number): number {
  const last = base.persistedEvents;
  if (finishEventId <= 1 || finishEventId > last)
    throw invalidArgument(`Workflow task finish ID must be > 1 && <= workflow last event ID (${last}).`);
  const ev = base.events[finishEventId - 1];
  const startedId =
    ev.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
      ? finishEventId
      : Number(
          (
            ev.workflowTaskCompletedEventAttributes ??
            ev.workflowTaskFailedEventAttributes ??
            ev.workflowTaskTimedOutEventAttributes
          )?.startedEventId ?? 0,
        );
  if (!startedId || base.events[startedId - 1]?.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
    throw invalidArgument(
      `Event ${finishEventId} is not a workflow task's completed, failed, timed out or started event: a reset point must be one.`,
    );
  return startedId;
}

/** The new run: the base run's events up to the reset point and the state they leave, in memory (not yet written). */
function buildResetRun(base: Execution, startedId: number, requestId: string, now: number): Execution {
  const b = base.state;
  const events = base.events.slice(0, startedId);
  const started = events[0].workflowExecutionStartedEventAttributes!;
  const runId = randomUUID();
  const runTimeoutMs = durationMs(started.workflowRunTimeout);
  const state: ExecutionState = {
    namespace: b.namespace,
    workflowId: b.workflowId,
    runId,
    firstRunId: b.firstRunId,
    workflowType: b.workflowType,
    taskQueue: b.taskQueue,
    status: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime: now,
    executionTime: now,
    nextEventId: startedId + 1,
    lastCompletedStartedId: 0,
    workflowTaskTimeoutMs: durationMs(started.workflowTaskTimeout) || DEFAULT_WFT_TIMEOUT_MS,
    runExpiresAt: runTimeoutMs ? now + runTimeoutMs : undefined,
    executionExpiresAt: started.workflowExecutionExpirationTime
      ? timestampMs(started.workflowExecutionExpirationTime)
      : undefined,
    buffered: [],
    activities: {},
    timers: {},
    children: {},
    externals: {},
    updates: {},
    cancelRequested: false,
    requestIds: [requestId],
    startRequestId: requestId,
    resetRequestId: requestId,
    memo: started.memo ?? undefined,
    searchAttributes: {},
    rawSearchAttributes: started.searchAttributes ?? undefined,
    retryPolicy: b.retryPolicy,
    attempt: b.attempt,
    cronSchedule: b.cronSchedule,
    parent: b.parent,
    parentClosePolicy: b.parentClosePolicy,
    scheduledBy: b.scheduledBy,
    root: b.root,
  };
  const unsupported = new Map<string, string>();
  for (const ev of events) replayIntoState(state, ev, now, unsupported);
  // A real server refuses these too (mutable state CheckResettable), with these messages.
  const [pending] = unsupported.values();
  if (pending) throw invalidArgument(`it is not allowed resetting to a point that workflow has ${pending}.`);
  state.searchAttributes = decodeSearchAttributes(state.rawSearchAttributes);
  return new Execution(state, undefined, events, 0);
}

/** Applies one history event to the state a reset run starts from (what is pending, what is set). */
function replayIntoState(s: ExecutionState, ev: HistoryEvent, now: number, unsupported: Map<string, string>): void {
  const id = String(ev.eventId);
  if (ev.workflowTaskCompletedEventAttributes)
    s.lastCompletedStartedId = Number(ev.workflowTaskCompletedEventAttributes.startedEventId ?? 0);
  const scheduled = ev.activityTaskScheduledEventAttributes;
  if (scheduled) {
    const act: ActivityState = {
      scheduledEventId: Number(ev.eventId),
      activityId: scheduled.activityId ?? '',
      activityType: scheduled.activityType?.name ?? '',
      taskQueue: scheduled.taskQueue?.name ?? s.taskQueue,
      input: scheduled.input ?? undefined,
      header: scheduled.header ?? undefined,
      scheduledTime: now,
      attemptScheduledTime: now,
      attempt: 1,
      scheduleToCloseMs: durationMs(scheduled.scheduleToCloseTimeout),
      scheduleToStartMs: durationMs(scheduled.scheduleToStartTimeout),
      startToCloseMs: durationMs(scheduled.startToCloseTimeout),
      heartbeatMs: durationMs(scheduled.heartbeatTimeout),
      retryPolicy: scheduled.retryPolicy ?? undefined,
      cancelRequested: false,
    };
    s.activities[id] = act;
  }
  const activityClosed =
    ev.activityTaskCompletedEventAttributes ??
    ev.activityTaskFailedEventAttributes ??
    ev.activityTaskTimedOutEventAttributes ??
    ev.activityTaskCanceledEventAttributes;
  if (activityClosed) delete s.activities[String(activityClosed.scheduledEventId)];
  const cancelRequested = ev.activityTaskCancelRequestedEventAttributes;
  if (cancelRequested) {
    const act = s.activities[String(cancelRequested.scheduledEventId)];
    if (act) {
      act.cancelRequested = true;
      act.cancelRequestedEventId = Number(ev.eventId);
    }
  }
  const timer = ev.timerStartedEventAttributes;
  if (timer)
    s.timers[timer.timerId ?? ''] = {
      startedEventId: Number(ev.eventId),
      fireAt: timestampMs(ev.eventTime) + durationMs(timer.startToFireTimeout),
    };
  const timerDone = ev.timerFiredEventAttributes ?? ev.timerCanceledEventAttributes;
  if (timerDone) delete s.timers[timerDone.timerId ?? ''];
  if (ev.startChildWorkflowExecutionInitiatedEventAttributes) unsupported.set(id, 'pending child workflow');
  const childDone =
    ev.startChildWorkflowExecutionFailedEventAttributes ??
    ev.childWorkflowExecutionCompletedEventAttributes ??
    ev.childWorkflowExecutionFailedEventAttributes ??
    ev.childWorkflowExecutionCanceledEventAttributes ??
    ev.childWorkflowExecutionTerminatedEventAttributes ??
    ev.childWorkflowExecutionTimedOutEventAttributes;
  if (childDone) unsupported.delete(String(childDone.initiatedEventId));
  if (ev.signalExternalWorkflowExecutionInitiatedEventAttributes) unsupported.set(id, 'pending signals to send');
  if (ev.requestCancelExternalWorkflowExecutionInitiatedEventAttributes) unsupported.set(id, 'pending request cancel');
  const externalDone =
    ev.externalWorkflowExecutionSignaledEventAttributes ??
    ev.signalExternalWorkflowExecutionFailedEventAttributes ??
    ev.externalWorkflowExecutionCancelRequestedEventAttributes ??
    ev.requestCancelExternalWorkflowExecutionFailedEventAttributes;
  if (externalDone) unsupported.delete(String(externalDone.initiatedEventId));
  if (ev.workflowExecutionCancelRequestedEventAttributes) s.cancelRequested = true;
  replayUpdate(s, ev);
  if (ev.upsertWorkflowSearchAttributesEventAttributes)
    s.rawSearchAttributes = mergeSearchAttributes(
      s.rawSearchAttributes,
      ev.upsertWorkflowSearchAttributesEventAttributes.searchAttributes,
    );
  const memo = ev.workflowPropertiesModifiedEventAttributes?.upsertedMemo;
  if (memo) {
    const fields = { ...(s.memo?.fields ?? {}) };
    for (const [k, v] of Object.entries(memo.fields ?? {})) {
      if (!v?.data || v.data.length === 0) delete fields[k];
      else fields[k] = v;
    }
    s.memo = { fields };
  }
}

/** Updates admitted, accepted or completed before the reset point are in the same stage in the new run. */
function replayUpdate(s: ExecutionState, ev: HistoryEvent): void {
  const admitted = ev.workflowExecutionUpdateAdmittedEventAttributes;
  if (admitted?.request) {
    const updateId = admitted.request.meta?.updateId ?? '';
    s.updates[updateId] = {
      updateId,
      request: admitted.request,
      stage: 'admitted',
      admittedEventId: Number(ev.eventId),
    };
  }
  const accepted = ev.workflowExecutionUpdateAcceptedEventAttributes;
  if (accepted) {
    const updateId = accepted.protocolInstanceId ?? '';
    const request = accepted.acceptedRequest ?? s.updates[updateId]?.request ?? {};
    s.updates[updateId] = { updateId, request, stage: 'accepted', acceptedEventId: Number(ev.eventId) };
  }
  const completed = ev.workflowExecutionUpdateCompletedEventAttributes;
  const done = completed && s.updates[completed.meta?.updateId ?? ''];
  if (done) {
    done.stage = 'completed';
    done.outcome = completed.outcome ?? {};
  }
}
