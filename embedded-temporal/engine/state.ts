import type { temporal, HistoryEvent, Payloads, Failure, P } from '../proto';

/** Mutable state of one workflow run; persisted as JSON (bytes as base64, see json.ts). Times are server ms. */
export interface ExecutionState {
  namespace: string;
  workflowId: string;
  runId: string;
  firstRunId: string;
  workflowType: string;
  taskQueue: string;
  status: number;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  nextEventId: number;
  /** Started id of the last completed workflow task (the poll response's previousStartedEventId). */
  lastCompletedStartedId: number;
  workflowTaskTimeoutMs: number;
  runExpiresAt?: number;
  executionExpiresAt?: number;
  wft?: WorkflowTaskState;
  /** Delayed first workflow task (cron, retry backoff, start delay). */
  firstTaskAt?: number;
  /** Events that arrived while a workflow task was in flight; written after it completes. */
  buffered: HistoryEvent[];
  activities: Record<string, ActivityState>;
  timers: Record<string, { startedEventId: number; fireAt: number }>;
  children: Record<string, ChildState>;
  /** Initiated event id → external signal/cancel request awaiting its outcome. */
  externals: Record<
    string,
    { kind: 'signal' | 'cancel'; namespace: string; workflowId: string; runId?: string; control?: string }
  >;
  updates: Record<string, UpdateState>;
  cancelRequested: boolean;
  stickyQueue?: string;
  stickyTimeoutMs?: number;
  parent?: { namespace: string; workflowId: string; runId: string; initiatedEventId: number };
  /** Request ids already applied (start, signal, cancel) so that retries are idempotent. */
  requestIds: string[];
  startRequestId: string;
  /** The ResetWorkflowExecution request that made this run (a repeated request returns it). */
  resetRequestId?: string;
  memo?: P<temporal.api.common.v1.IMemo>;
  searchAttributes: Record<string, unknown>;
  rawSearchAttributes?: P<temporal.api.common.v1.ISearchAttributes>;
  retryPolicy?: P<temporal.api.common.v1.IRetryPolicy>;
  attempt: number;
  cronSchedule?: string;
  parentClosePolicy?: number;
  /** Schedule that started this workflow (carried to continued and retried runs; told when the last one closes). */
  scheduledBy?: string;
  /** Run that continued into this one / that this one continued into. */
  continuedFromRunId?: string;
  newRunId?: string;
  /** Root of the parent chain (itself for a run without a parent); undefined in runs stored before it was kept. */
  root?: { workflowId: string; runId: string };
  /** Bytes of the persisted history (WorkflowTaskStarted's historySizeBytes, continue-as-new suggestion). */
  historySizeBytes?: number;
  /** Last completion result or failure, for describe and for the close event (kept short). */
  completionEventId?: number;
  /** The worker version (build id, deployment) of the last completed workflow task. */
  worker?: WorkerVersionState;
  /**
   * The start's versioning override: pinned to a deployment version (every task goes to it), or
   * auto-upgrade (every task goes to the deployment's current version), whatever the workflow's
   * own behavior says.
   */
  versioningOverride?: { pinned?: { deploymentName: string; buildId: string } };
  /** Pending queries have no durable state: they live only in memory (see Execution.queries). */
}

export interface WorkflowTaskState {
  scheduledEventId: number;
  scheduledTime: number;
  attempt: number;
  /** Set while a worker holds the task. */
  startedEventId?: number;
  startedTime?: number;
  /** Distinguishes dispatches so a stale completion cannot complete a newer task. */
  dispatch?: string;
  /** Offered on the worker's sticky queue until this time (then moved to the normal queue). */
  sticky: boolean;
  stickyUntil?: number;
  /** Scheduled only to deliver an update: if the update is rejected the task leaves no trace in history. */
  speculative?: boolean;
  /**
   * A retry (attempt ≥ 2) of a failing task, as a real server keeps it: its scheduled and started
   * events are shown to the worker but written only if it completes; its failures write nothing.
   */
  transient?: boolean;
  /** The worker holding the task and the started event's request id (written late for a transient task). */
  startedIdentity?: string;
  startedRequestId?: string;
}

export interface ActivityState {
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  input?: Payloads;
  header?: P<temporal.api.common.v1.IHeader>;
  scheduledTime: number;
  attemptScheduledTime: number;
  attempt: number;
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  retryPolicy?: P<temporal.api.common.v1.IRetryPolicy>;
  startedTime?: number;
  startedIdentity?: string;
  lastHeartbeatTime?: number;
  heartbeatDetails?: Payloads;
  heartbeatSavedAt?: number;
  lastFailure?: Failure;
  lastWorkerIdentity?: string;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  /** Dispatch token generation so a completion of a re-dispatched attempt is recognised. */
  dispatch?: string;
  /** Time the next retry attempt becomes available (backoff). */
  retryAt?: number;
}

export interface ChildState {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  runId?: string;
  workflowType: string;
  startedEventId?: number;
  parentClosePolicy: number;
  /** The command attributes, kept until the child is started (the outbox replays them after a crash). */
  pending: boolean;
}

export interface UpdateState {
  updateId: string;
  request: P<temporal.api.update.v1.IRequest>;
  /** 'admitted' → delivered in a task → 'accepted' → 'completed' (or 'rejected' → completed with failure). */
  stage: 'admitted' | 'accepted' | 'completed';
  acceptedEventId?: number;
  outcome?: P<temporal.api.update.v1.IOutcome>;
  /** Scheduled event id of the task that delivered it (sequencing event id). */
  deliveredInTask?: number;
  /**
   * Written to history as WorkflowExecutionUpdateAdmitted (re-applied by a reset): the worker reads
   * the request from that event, so it is never sent again as a message.
   */
  admittedEventId?: number;
  /**
   * The run closed before the update was accepted: its callers get NotFound, as from a real server,
   * or ('continuing') a retryable error that sends them to the run it continued as.
   */
  closedBeforeAccept?: boolean | 'continuing';
}

/** The worker's version as the run keeps it (describe), from its last completed workflow task. */
export interface WorkerVersionState {
  buildId?: string;
  useVersioning?: boolean;
  deploymentName?: string;
  /** Set only for a worker in versioned mode, as a real server sets the run's versioning info. */
  versioned?: { deploymentName: string; buildId: string; behavior: number };
}
