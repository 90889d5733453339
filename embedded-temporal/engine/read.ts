import type { CallSignal } from '../call-signal';
import { WithEncodedField, fieldNumber, temporal, type P } from '../proto';
import { msToDuration, timestamp } from '../time';
import type { Engine } from './engine';
import { waitFor } from './wait';
import { taskQueue } from './history';
import { withTypeMetadata } from './search-attributes';
import { describeWorkerVersion } from './worker-versioning';

const CLOSE_EVENT = temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
const LONG_POLL_MS = 20_000;
const DEFAULT_PAGE = 1000;
const HISTORY_FIELD = fieldNumber(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse);

/** GetWorkflowExecutionHistory, including the long poll for new events or the close event. */
export async function getHistory(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest>,
  abort: CallSignal,
): Promise<WithEncodedField> {
  const ref = await engine.resolveRun(r.namespace ?? '', r.execution?.workflowId ?? '', r.execution?.runId);
  const exec = await engine.load(ref);
  const from = r.nextPageToken?.length ? Number(Buffer.from(r.nextPageToken).toString()) : 1;
  const closed = () => !exec.running && exec.persistedEvents === exec.events.length;
  if (r.historyEventFilterType === CLOSE_EVENT) {
    if (r.waitNewEvent) await waitFor(exec, closed, LONG_POLL_MS, abort);
    if (!closed()) return new WithEncodedField({ nextPageToken: Buffer.from('1') }, HISTORY_FIELD, Buffer.alloc(0));
    return new WithEncodedField({}, HISTORY_FIELD, exec.historyBytes(exec.events.length - 1, exec.events.length));
  }
  if (r.waitNewEvent) await waitFor(exec, () => exec.persistedEvents >= from, LONG_POLL_MS, abort);
  const visible = exec.persistedEvents;
  const size = r.maximumPageSize && r.maximumPageSize > 0 ? r.maximumPageSize : DEFAULT_PAGE;
  const to = Math.max(from - 1, Math.min(visible, from - 1 + size));
  const nextFrom = to + 1;
  const more = nextFrom <= visible || (r.waitNewEvent && exec.running);
  return new WithEncodedField(
    { nextPageToken: more ? Buffer.from(String(nextFrom)) : undefined },
    HISTORY_FIELD,
    exec.historyBytes(from - 1, to),
  );
}

export async function describeExecution(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IDescribeWorkflowExecutionRequest>,
): Promise<P<temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse>> {
  const ref = await engine.resolveRun(r.namespace ?? '', r.execution?.workflowId ?? '', r.execution?.runId);
  const exec = await engine.load(ref);
  const s = exec.state;
  const started = exec.events[0]?.workflowExecutionStartedEventAttributes;
  const PendingState = temporal.api.enums.v1.PendingActivityState;
  return {
    executionConfig: {
      taskQueue: taskQueue(s.taskQueue),
      workflowExecutionTimeout: started?.workflowExecutionTimeout,
      workflowRunTimeout: started?.workflowRunTimeout,
      defaultWorkflowTaskTimeout: msToDuration(s.workflowTaskTimeoutMs),
      userMetadata: exec.events[0]?.userMetadata,
    },
    workflowExecutionInfo: {
      execution: { workflowId: s.workflowId, runId: s.runId },
      type: { name: s.workflowType },
      startTime: timestamp(s.startTime),
      closeTime: s.closeTime !== undefined ? timestamp(s.closeTime) : undefined,
      executionTime: timestamp(s.executionTime),
      status: s.status,
      historyLength: exec.persistedEvents,
      taskQueue: s.taskQueue,
      memo: s.memo,
      searchAttributes: withTypeMetadata(s.rawSearchAttributes, engine.searchAttributeType),
      parentExecution: s.parent ? { workflowId: s.parent.workflowId, runId: s.parent.runId } : undefined,
      parentNamespaceId: s.parent?.namespace,
      firstRunId: s.firstRunId,
      rootExecution: s.root ?? (s.parent ? undefined : { workflowId: s.workflowId, runId: s.runId }),
      stateTransitionCount: exec.version ?? 0,
      ...describeWorkerVersion(s),
    },
    pendingActivities: Object.values(s.activities).map((a) => ({
      activityId: a.activityId,
      activityType: { name: a.activityType },
      state: a.cancelRequested
        ? PendingState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
        : a.startedTime !== undefined
          ? PendingState.PENDING_ACTIVITY_STATE_STARTED
          : PendingState.PENDING_ACTIVITY_STATE_SCHEDULED,
      heartbeatDetails: a.heartbeatDetails,
      lastHeartbeatTime: a.lastHeartbeatTime !== undefined ? timestamp(a.lastHeartbeatTime) : undefined,
      lastStartedTime: a.startedTime !== undefined ? timestamp(a.startedTime) : undefined,
      attempt: a.attempt,
      maximumAttempts: a.retryPolicy?.maximumAttempts ?? 0,
      scheduledTime: timestamp(a.attemptScheduledTime),
      expirationTime: a.scheduleToCloseMs ? timestamp(a.scheduledTime + a.scheduleToCloseMs) : undefined,
      lastFailure: a.lastFailure,
      lastWorkerIdentity: a.startedIdentity ?? a.lastWorkerIdentity,
      nextAttemptScheduleTime: a.retryAt !== undefined ? timestamp(a.retryAt) : undefined,
    })),
    pendingChildren: Object.values(s.children).map((c) => ({
      workflowId: c.workflowId,
      runId: c.runId,
      workflowTypeName: c.workflowType,
      initiatedId: c.initiatedEventId,
      parentClosePolicy: c.parentClosePolicy,
    })),
    pendingWorkflowTask: s.wft
      ? {
          state:
            s.wft.startedEventId !== undefined
              ? temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
              : temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
          scheduledTime: timestamp(s.wft.scheduledTime),
          startedTime: s.wft.startedTime !== undefined ? timestamp(s.wft.startedTime) : undefined,
          attempt: s.wft.attempt,
        }
      : undefined,
  };
}
