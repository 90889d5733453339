import { EventType, Status, temporal, type HistoryEvent, type P } from '../proto';
import { durationMs, msToDuration } from '../time';
import { alreadyCompleted } from '../errors';
import type { Tx } from './execution';
import type { Engine } from './engine';
import { appendEvent, flushBuffered } from './history';
import { buildRun } from './start';
import { afterWorkflowTaskClosed } from './workflow-task';
import { failPendingUpdates } from './updates';
import { inheritedPinnedVersion } from './worker-versioning';

const RetryState = temporal.api.enums.v1.RetryState;
const WFT_FORCE_CLOSE = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND;

type CloseKind = 'completed' | 'failed' | 'canceled' | 'terminated' | 'timedOut' | 'continuedAsNew';

const CLOSE: Record<CloseKind, { type: temporal.api.enums.v1.EventType; status: number; field: keyof HistoryEvent }> = {
  completed: {
    type: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    status: Status.WORKFLOW_EXECUTION_STATUS_COMPLETED,
    field: 'workflowExecutionCompletedEventAttributes',
  },
  failed: {
    type: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    status: Status.WORKFLOW_EXECUTION_STATUS_FAILED,
    field: 'workflowExecutionFailedEventAttributes',
  },
  canceled: {
    type: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    status: Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
    field: 'workflowExecutionCanceledEventAttributes',
  },
  terminated: {
    type: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    status: Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
    field: 'workflowExecutionTerminatedEventAttributes',
  },
  timedOut: {
    type: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    status: Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
    field: 'workflowExecutionTimedOutEventAttributes',
  },
  continuedAsNew: {
    type: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
    status: Status.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
    field: 'workflowExecutionContinuedAsNewEventAttributes',
  },
};

/** Writes the close event and everything that follows from closing: parent notice, parent-close policies, waiters. */
export function closeRunInTx(tx: Tx, kind: CloseKind, attrs: object): void {
  const s = tx.exec.state;
  const spec = CLOSE[kind];
  const ev = appendEvent(tx, spec.type, { [spec.field]: attrs });
  s.status = spec.status;
  s.closeTime = tx.now;
  s.completionEventId = ev.eventId!;
  s.wft = undefined;
  s.firstTaskAt = undefined;
  s.timers = {};
  s.activities = {};
  s.buffered = [];
  failPendingUpdates(tx);
  if (s.parent && kind !== 'continuedAsNew' && !(attrs as { newExecutionRunId?: string }).newExecutionRunId) {
    tx.outbox.push({
      kind: 'childClosed',
      parent: { namespace: s.parent.namespace, workflowId: s.parent.workflowId, runId: s.parent.runId },
      initiatedEventId: s.parent.initiatedEventId,
      child: tx.exec.ref,
      workflowType: s.workflowType,
      close: ev,
    });
  }
  const continues = kind === 'continuedAsNew' || !!(attrs as { newExecutionRunId?: string }).newExecutionRunId;
  if (s.scheduledBy && !continues) {
    const closed = {
      namespace: s.namespace,
      scheduleId: s.scheduledBy,
      workflowId: s.workflowId,
      status: s.status,
      result: ev.workflowExecutionCompletedEventAttributes?.result,
      failure: ev.workflowExecutionFailedEventAttributes?.failure,
    };
    tx.after.push(() => tx.engine.onScheduledRunClosed(closed));
  }
  const children = Object.values(s.children)
    .filter((c) => c.parentClosePolicy !== temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
    .map((c) => ({
      ref: { namespace: c.namespace, workflowId: c.workflowId, runId: c.runId },
      policy: c.parentClosePolicy,
    }));
  if (children.length) tx.outbox.push({ kind: 'parentClosed', parent: tx.exec.ref, children });
  afterWorkflowTaskClosed(tx);
}

/** An in-flight task cannot complete once the run is force-closed: record it as failed first. */
function forceCloseInFlightTask(tx: Tx): void {
  const wft = tx.exec.state.wft;
  // A transient attempt has no events in history to close (a real server writes nothing for it).
  if (wft?.startedEventId !== undefined && !wft.transient) {
    appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
      workflowTaskFailedEventAttributes: {
        scheduledEventId: wft.scheduledEventId,
        startedEventId: wft.startedEventId,
        cause: WFT_FORCE_CLOSE,
      },
    });
    tx.exec.state.wft = undefined;
  }
  flushBuffered(tx);
}

export function terminateInTx(
  tx: Tx,
  reason: string | null | undefined,
  details: P<temporal.api.common.v1.IPayloads> | null | undefined,
  identity: string | null | undefined,
): void {
  if (!tx.exec.running) throw alreadyCompleted();
  forceCloseInFlightTask(tx);
  closeRunInTx(tx, 'terminated', { reason, details, identity });
}

export async function terminateWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.ITerminateWorkflowExecutionRequest>,
): Promise<void> {
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  await engine.mutate(ref, (tx) => terminateInTx(tx, r.reason, r.details, r.identity));
}

/** DeleteWorkflowExecution: a running execution is terminated first, then the run and its history are removed. */
export async function deleteWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IDeleteWorkflowExecutionRequest>,
): Promise<void> {
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  await engine.mutate(ref, (tx) => {
    tx.save = tx.exec.running;
    if (tx.exec.running) terminateInTx(tx, 'Delete workflow execution', undefined, 'server');
  });
  await engine.deleteClosedRun(ref);
}

export function timeoutWorkflowInTx(tx: Tx): void {
  forceCloseInFlightTask(tx);
  closeRunInTx(tx, 'timedOut', { retryState: RetryState.RETRY_STATE_TIMEOUT });
}

/** How a retry policy names a timeout in nonRetryableErrorTypes (a real server's prefix + the Go enum's String()). */
const TIMEOUT_ERROR_TYPES: Record<number, string> = {
  [temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE]: 'TemporalTimeout:StartToClose',
  [temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT]: 'TemporalTimeout:Heartbeat',
};

/** Whether a retry policy may retry this failure at all (a real server's IsRetryableFailure). */
function isRetryableFailure(
  failure: P<temporal.api.failure.v1.IFailure> | null | undefined,
  nonRetryable: string[],
): boolean {
  if (!failure) return true;
  if (failure.terminatedFailureInfo || failure.canceledFailureInfo) return false;
  if (failure.timeoutFailureInfo) {
    // Only start-to-close and heartbeat timeouts are retried, unless listed by name.
    const name = TIMEOUT_ERROR_TYPES[failure.timeoutFailureInfo.timeoutType ?? 0];
    return name !== undefined && !nonRetryable.includes(name);
  }
  if (failure.serverFailureInfo) return !failure.serverFailureInfo.nonRetryable;
  const info = failure.applicationFailureInfo;
  if (info) return !info.nonRetryable && !nonRetryable.includes(info.type ?? '');
  return true;
}

/**
 * Computes an activity or workflow retry: delay in ms, or the reason there is none. Checked in a
 * real server's order: a non-retryable failure first (so NON_RETRYABLE_FAILURE even on the last
 * allowed attempt), then the attempts left, then the interval.
 */
export function nextRetry(
  policy: P<temporal.api.common.v1.IRetryPolicy> | undefined,
  attempt: number,
  failure: P<temporal.api.failure.v1.IFailure> | null | undefined,
): { delayMs: number } | { retryState: number } {
  if (!policy) return { retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET };
  if (!isRetryableFailure(failure, policy.nonRetryableErrorTypes ?? []))
    return { retryState: RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
  const max = policy.maximumAttempts ?? 0;
  if (max > 0 && attempt >= max) return { retryState: RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  const initial = durationMs(policy.initialInterval) || 1000;
  const coefficient = policy.backoffCoefficient || 2;
  const maxInterval = durationMs(policy.maximumInterval) || initial * 100;
  const explicit = durationMs(failure?.applicationFailureInfo?.nextRetryDelay);
  return { delayMs: explicit || Math.min(initial * coefficient ** (attempt - 1), maxInterval) };
}

/** FailWorkflowExecution: retries as a new run when the workflow has a retry policy that allows it. */
export function failWorkflowInTx(
  tx: Tx,
  failure: P<temporal.api.failure.v1.IFailure> | null | undefined,
  wftCompletedId: number,
): void {
  const s = tx.exec.state;
  const retry = s.retryPolicy
    ? nextRetry(s.retryPolicy, s.attempt, failure)
    : { retryState: RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET };
  if ('delayMs' in retry && (!s.executionExpiresAt || tx.now + retry.delayMs < s.executionExpiresAt)) {
    const started = tx.exec.events[0]?.workflowExecutionStartedEventAttributes;
    const next = buildRun(
      tx.engine,
      {
        namespace: s.namespace,
        workflowId: s.workflowId,
        workflowType: s.workflowType,
        taskQueue: s.taskQueue,
        input: started?.input,
        header: started?.header,
        memo: s.memo,
        searchAttributes: s.rawSearchAttributes,
        executionTimeoutMs: durationMs(started?.workflowExecutionTimeout),
        runTimeoutMs: durationMs(started?.workflowRunTimeout),
        taskTimeoutMs: s.workflowTaskTimeoutMs,
        retryPolicy: s.retryPolicy,
        requestId: `${s.runId}-retry`,
        parent: s.parent,
        parentClosePolicy: s.parentClosePolicy,
        firstRunId: s.firstRunId,
        continuedFromRunId: s.runId,
        initiator: temporal.api.enums.v1.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
        attempt: s.attempt + 1,
        continuedFailure: failure,
        backoffMs: retry.delayMs,
        executionExpiresAt: s.executionExpiresAt,
        scheduledBy: s.scheduledBy,
        root: s.parent ? s.root : undefined,
        userMetadata: tx.exec.events[0]?.userMetadata,
        versioningOverride: s.versioningOverride,
        // A real server: a retry inherits only if the run itself inherited and is still pinned.
        inheritedPinnedVersion: started?.inheritedPinnedVersion
          ? inheritedPinnedVersion(s, { namespace: s.namespace, taskQueue: s.taskQueue }, tx.engine.deployments)
          : undefined,
      },
      tx.now,
      tx.after,
    );
    s.newRunId = next.state.runId;
    closeRunInTx(tx, 'failed', {
      failure,
      retryState: RetryState.RETRY_STATE_IN_PROGRESS,
      workflowTaskCompletedEventId: wftCompletedId,
      newExecutionRunId: next.state.runId,
    });
    tx.alsoWrite.push(next);
    return;
  }
  closeRunInTx(tx, 'failed', {
    failure,
    retryState: 'retryState' in retry ? retry.retryState : RetryState.RETRY_STATE_TIMEOUT,
    workflowTaskCompletedEventId: wftCompletedId,
  });
}

export function continueAsNewInTx(
  tx: Tx,
  a: P<temporal.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes>,
  wftCompletedId: number,
): void {
  const s = tx.exec.state;
  const started = tx.exec.events[0]?.workflowExecutionStartedEventAttributes;
  const workflowType = a.workflowType?.name || s.workflowType;
  const queue = a.taskQueue?.name || s.taskQueue;
  const runTimeoutMs = durationMs(a.workflowRunTimeout) || durationMs(started?.workflowRunTimeout);
  const taskTimeoutMs = durationMs(a.workflowTaskTimeout) || s.workflowTaskTimeoutMs;
  const next = buildRun(
    tx.engine,
    {
      namespace: s.namespace,
      workflowId: s.workflowId,
      workflowType,
      taskQueue: queue,
      input: a.input,
      header: a.header,
      memo: a.memo ?? s.memo,
      searchAttributes: a.searchAttributes ?? s.rawSearchAttributes,
      executionTimeoutMs: durationMs(started?.workflowExecutionTimeout),
      runTimeoutMs,
      taskTimeoutMs,
      retryPolicy: a.retryPolicy ?? s.retryPolicy,
      requestId: `${s.runId}-continue`,
      parent: s.parent,
      parentClosePolicy: s.parentClosePolicy,
      firstRunId: s.firstRunId,
      continuedFromRunId: s.runId,
      initiator: a.initiator || temporal.api.enums.v1.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
      lastCompletionResult: a.lastCompletionResult,
      continuedFailure: a.failure,
      backoffMs: durationMs(a.backoffStartInterval),
      executionExpiresAt: s.executionExpiresAt,
      scheduledBy: s.scheduledBy,
      // As a real server: a pinned override stays with the chain (an auto-upgrade one is dropped).
      versioningOverride: s.versioningOverride?.pinned ? s.versioningOverride : undefined,
      // A pinned run's next run keeps its version unless the command asks for another initial behavior.
      inheritedPinnedVersion: a.initialVersioningBehavior
        ? undefined
        : inheritedPinnedVersion(s, { namespace: s.namespace, taskQueue: queue }, tx.engine.deployments),
      root: s.parent ? s.root : undefined,
    },
    tx.now,
    tx.after,
  );
  s.newRunId = next.state.runId;
  closeRunInTx(tx, 'continuedAsNew', {
    newExecutionRunId: next.state.runId,
    workflowType: { name: workflowType },
    taskQueue: { name: queue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    input: a.input,
    workflowRunTimeout: msToDuration(runTimeoutMs),
    workflowTaskTimeout: msToDuration(taskTimeoutMs),
    workflowTaskCompletedEventId: wftCompletedId,
    backoffStartInterval: a.backoffStartInterval,
    initiator: a.initiator,
    header: a.header,
    memo: a.memo,
    searchAttributes: a.searchAttributes,
  });
  tx.alsoWrite.push(next);
}
