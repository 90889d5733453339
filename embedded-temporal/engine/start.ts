import { randomUUID } from 'node:crypto';
import { EventType, Status, WithEncodedField, temporal, type P } from '../proto';
import { durationMs, msToDuration, timestamp } from '../time';
import { alreadyStarted, invalidArgument } from '../errors';
import { Execution, type Tx } from './execution';
import type { Engine } from './engine';
import type { ExecutionState } from './state';
import { appendEvent, taskQueue } from './history';
import { dispatchWorkflowTask, enqueueWorkflowTask, scheduleWorkflowTask } from './workflow-task';
import { checkSearchAttributes, decodeSearchAttributes, withTypeMetadata } from './search-attributes';
import { BUILT_IN_SEARCH_ATTRIBUTES, PREDEFINED_SEARCH_ATTRIBUTES } from './system-search-attributes';
import { terminateInTx } from './close';
import { signalInTx } from './signals';
import { DuplicateRunningError } from '../store/store';
import { inheritedWorker, overrideForEvent, readVersioningOverride, type VersionRef } from './worker-versioning';

const Reuse = temporal.api.enums.v1.WorkflowIdReusePolicy;
const Conflict = temporal.api.enums.v1.WorkflowIdConflictPolicy;
export const DEFAULT_WFT_TIMEOUT_MS = 10_000;

export interface NewRunParams {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: P<temporal.api.common.v1.IPayloads> | null;
  header?: P<temporal.api.common.v1.IHeader> | null;
  memo?: P<temporal.api.common.v1.IMemo> | null;
  searchAttributes?: P<temporal.api.common.v1.ISearchAttributes> | null;
  executionTimeoutMs: number;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  retryPolicy?: P<temporal.api.common.v1.IRetryPolicy> | null;
  cronSchedule?: string | null;
  requestId: string;
  identity?: string | null;
  parent?: ExecutionState['parent'];
  parentClosePolicy?: number;
  firstRunId?: string;
  continuedFromRunId?: string;
  initiator?: number;
  attempt?: number;
  lastCompletionResult?: P<temporal.api.common.v1.IPayloads> | null;
  continuedFailure?: P<temporal.api.failure.v1.IFailure> | null;
  /** Delay before the first workflow task (start delay, cron, retry backoff). */
  backoffMs?: number;
  /** Absolute execution deadline inherited across runs. */
  executionExpiresAt?: number;
  /** Events to write between WorkflowExecutionStarted and the first task (signal-with-start). */
  beforeFirstTask?: (tx: Tx) => void;
  /** The starter takes the first workflow task itself (eager start): keep it off the queues. */
  eagerFirstTask?: boolean;
  /** Schedule that starts this workflow. */
  scheduledBy?: string;
  /** Root of the parent chain (a child's or a child's continued run); a run without a parent is its own root. */
  root?: { workflowId: string; runId: string };
  /** Static summary and details (the SDK's staticSummary / staticDetails), kept on the started event. */
  userMetadata?: P<temporal.api.sdk.v1.IUserMetadata> | null;
  /** The start's versioning override (worker versioning). */
  versioningOverride?: ExecutionState['versioningOverride'];
  /** A pinned parent's or previous run's version, taken until the first task completes (see worker-versioning.ts). */
  inheritedPinnedVersion?: VersionRef;
}

/** Builds a new run in memory (WorkflowExecutionStarted + first task); the caller commits it. */
export function buildRun(engine: Engine, p: NewRunParams, now: number, after: (() => void)[]): Execution {
  const runId = randomUUID();
  const backoff = p.backoffMs ?? 0;
  const searchAttributes = withTypeMetadata(p.searchAttributes, engine.searchAttributeType);
  const state: ExecutionState = {
    namespace: p.namespace,
    workflowId: p.workflowId,
    runId,
    firstRunId: p.firstRunId ?? runId,
    workflowType: p.workflowType,
    taskQueue: p.taskQueue,
    status: Status.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime: now,
    executionTime: now + backoff,
    nextEventId: 1,
    lastCompletedStartedId: 0,
    workflowTaskTimeoutMs: p.taskTimeoutMs || DEFAULT_WFT_TIMEOUT_MS,
    runExpiresAt: p.runTimeoutMs ? now + backoff + p.runTimeoutMs : undefined,
    executionExpiresAt: p.executionExpiresAt ?? (p.executionTimeoutMs ? now + p.executionTimeoutMs : undefined),
    buffered: [],
    activities: {},
    timers: {},
    children: {},
    externals: {},
    updates: {},
    cancelRequested: false,
    requestIds: [p.requestId],
    startRequestId: p.requestId,
    memo: p.memo ?? undefined,
    searchAttributes: decodeSearchAttributes(searchAttributes),
    rawSearchAttributes: searchAttributes ?? undefined,
    retryPolicy: p.retryPolicy ?? undefined,
    attempt: p.attempt ?? 1,
    cronSchedule: p.cronSchedule || undefined,
    parent: p.parent,
    parentClosePolicy: p.parentClosePolicy,
    continuedFromRunId: p.continuedFromRunId,
    scheduledBy: p.scheduledBy,
    root: p.root ?? { workflowId: p.workflowId, runId },
    versioningOverride: p.versioningOverride,
    worker: inheritedWorker(p.inheritedPinnedVersion),
  };
  if (state.runExpiresAt && state.executionExpiresAt)
    state.runExpiresAt = Math.min(state.runExpiresAt, state.executionExpiresAt);
  const exec = new Execution(state, undefined, [], 0);
  const tx: Tx = { engine, exec, now, save: true, alsoWrite: [], outbox: [], after };
  appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
    workflowExecutionStartedEventAttributes: {
      workflowType: { name: p.workflowType },
      taskQueue: taskQueue(p.taskQueue),
      input: p.input,
      header: p.header,
      workflowExecutionTimeout: msToDuration(p.executionTimeoutMs),
      workflowRunTimeout: msToDuration(p.runTimeoutMs),
      workflowTaskTimeout: msToDuration(state.workflowTaskTimeoutMs),
      continuedExecutionRunId: p.continuedFromRunId,
      initiator: p.initiator,
      continuedFailure: p.continuedFailure,
      lastCompletionResult: p.lastCompletionResult,
      originalExecutionRunId: runId,
      identity: p.identity,
      firstExecutionRunId: state.firstRunId,
      retryPolicy: p.retryPolicy,
      attempt: state.attempt,
      workflowExecutionExpirationTime: state.executionExpiresAt ? timestamp(state.executionExpiresAt) : undefined,
      cronSchedule: p.cronSchedule,
      firstWorkflowTaskBackoff: backoff ? msToDuration(backoff) : undefined,
      memo: p.memo,
      searchAttributes,
      rootWorkflowExecution: state.root,
      parentWorkflowNamespace: p.parent?.namespace,
      parentWorkflowExecution: p.parent ? { workflowId: p.parent.workflowId, runId: p.parent.runId } : undefined,
      parentInitiatedEventId: p.parent?.initiatedEventId,
      workflowId: p.workflowId,
      versioningOverride: overrideForEvent(p.versioningOverride),
      inheritedPinnedVersion: p.inheritedPinnedVersion,
    },
    userMetadata: p.userMetadata,
  });
  p.beforeFirstTask?.(tx);
  if (backoff > 0) state.firstTaskAt = now + backoff;
  else scheduleWorkflowTask(tx, { enqueue: !p.eagerFirstTask });
  return exec;
}

export interface StartRequest extends Omit<NewRunParams, 'requestId'> {
  requestId?: string | null;
  reusePolicy?: number | null;
  conflictPolicy?: number | null;
  startDelayMs?: number;
  signal?: {
    name: string;
    input?: P<temporal.api.common.v1.IPayloads> | null;
    header?: P<temporal.api.common.v1.IHeader> | null;
    identity?: string | null;
  };
  /** Eager start: the caller's worker asked for the first workflow task in the start response. */
  requestEager?: boolean;
  /** Update-with-start: an update admitted in the new run, delivered with its first workflow task. */
  update?: P<temporal.api.update.v1.IRequest>;
}

export interface StartResult {
  runId: string;
  started: boolean;
  /** The first workflow task, already started for the requester (eager start of a new run). */
  eagerTask?: WithEncodedField;
}

/** StartWorkflowExecution / SignalWithStart / child start: applies reuse + conflict policies and request-id idempotency. */
export async function startWorkflow(engine: Engine, req: StartRequest): Promise<StartResult> {
  if (!req.workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (!req.workflowType) throw invalidArgument('WorkflowType is not set on request.');
  if (!req.taskQueue) throw invalidArgument('TaskQueue is not set on request.');
  engine.namespaces.get(req.namespace);
  // Signal-with-start never fails on a running workflow (a real server's message for FAIL).
  if (req.signal && req.conflictPolicy === Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
    throw invalidArgument(
      'Invalid WorkflowIDConflictPolicy: WORKFLOW_ID_CONFLICT_POLICY_FAIL is not supported for this operation.',
    );
  const requestId = req.requestId || randomUUID();
  return engine.locks.run(`wid\u0000${req.namespace}\u0000${req.workflowId}`, async () => {
    let current: Execution | undefined;
    // With the default policies an unknown id needs no lookup: the insert itself detects a running duplicate.
    const needsLookup =
      engine.knowsWorkflowId(req.namespace, req.workflowId) ||
      (req.reusePolicy ?? 0) > Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE ||
      !!req.signal ||
      (req.conflictPolicy ?? 0) > Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL;
    if (needsLookup) {
      try {
        current = await engine.load(await engine.resolveRun(req.namespace, req.workflowId));
      } catch (err) {
        if ((err as { code?: unknown }).code !== 5) throw err; // NOT_FOUND: no earlier run
      }
    }
    let terminate = false;
    if (current?.running) {
      const s = current.state;
      if (s.requestIds.includes(requestId)) return { runId: s.runId, started: true };
      const replace =
        req.conflictPolicy === Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING ||
        req.reusePolicy === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING;
      // Signal-with-start signals the running workflow, unless told to replace it (then a new run gets the signal).
      if (req.signal && !replace) {
        const sig = req.signal;
        await engine.mutate(current.ref, (tx) =>
          signalInTx(tx, sig.name, sig.input, sig.header, sig.identity, requestId),
        );
        return { runId: s.runId, started: false };
      }
      const conflict = req.conflictPolicy ?? 0;
      if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING && !replace)
        return { runId: s.runId, started: false };
      if (replace) {
        terminate = true;
      } else {
        throw alreadyStarted(req.workflowId, s.runId, s.startRequestId);
      }
    } else if (current) {
      const s = current.state;
      if (s.startRequestId === requestId) return { runId: s.runId, started: true };
      const policy = req.reusePolicy || Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
      const failedLike = [
        Status.WORKFLOW_EXECUTION_STATUS_FAILED,
        Status.WORKFLOW_EXECUTION_STATUS_CANCELED,
        Status.WORKFLOW_EXECUTION_STATUS_TERMINATED,
        Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
      ];
      if (
        policy === Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
        (policy === Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY && !failedLike.includes(s.status))
      ) {
        throw alreadyStarted(req.workflowId, s.runId, s.startRequestId);
      }
    }
    if (terminate && current) {
      await engine.mutate(current.ref, (tx) =>
        terminateInTx(tx, 'Terminated by workflow id conflict policy', undefined, req.identity ?? ''),
      );
    }
    const after: (() => void)[] = [];
    const sig = req.signal;
    const update = req.update;
    const beforeFirstTask =
      sig || update
        ? (tx: Tx) => {
            if (sig) signalInTx(tx, sig.name, sig.input, sig.header, sig.identity, undefined, true);
            const updateId = update?.meta?.updateId;
            if (update && updateId) tx.exec.state.updates[updateId] = { updateId, request: update, stage: 'admitted' };
          }
        : undefined;
    // Eager start hands the first task back in the response: one poll round trip fewer.
    // Not on a queue routed by worker version: the starter's worker may not be the version routing picks.
    const eager =
      !!req.requestEager &&
      !sig &&
      !update &&
      !req.startDelayMs &&
      !engine.deployments.forQueue(req.namespace, 'workflow', req.taskQueue);
    const exec = buildRun(
      engine,
      { ...req, requestId, backoffMs: req.startDelayMs, beforeFirstTask, eagerFirstTask: eager },
      engine.clock.now(),
      after,
    );
    try {
      await engine.insertRun(exec, { engine, now: engine.clock.now(), save: true, alsoWrite: [], outbox: [], after });
    } catch (err) {
      if (err instanceof DuplicateRunningError) {
        const running = await engine.load(
          await engine.resolveRun(
            req.namespace,
            req.workflowId,
            await engine.store.currentRunId(req.namespace, req.workflowId),
          ),
        );
        if (running.running && running.state.requestIds.includes(requestId))
          return { runId: running.state.runId, started: true };
        throw alreadyStarted(req.workflowId, running.state.runId, running.state.startRequestId);
      }
      throw err;
    }
    if (!eager) return { runId: exec.state.runId, started: true };
    return { runId: exec.state.runId, started: true, eagerTask: await takeEagerTask(engine, exec, req.identity ?? '') };
  });
}

/** Starts the new run's first workflow task for the requester; if that cannot happen, queues it as usual. */
async function takeEagerTask(engine: Engine, exec: Execution, identity: string): Promise<WithEncodedField | undefined> {
  const scheduledEventId = exec.state.wft?.scheduledEventId;
  if (scheduledEventId === undefined) return undefined;
  const task = await dispatchWorkflowTask(engine, { key: exec.key, scheduledEventId }, identity);
  if (!task) {
    await engine.mutate(exec.ref, (tx) => {
      tx.save = false;
      const wft = tx.exec.state.wft;
      if (tx.exec.running && wft && wft.scheduledEventId === scheduledEventId && wft.startedEventId === undefined)
        enqueueWorkflowTask(tx);
    });
  }
  return task;
}

/** A client's start (plain, with signal, or with update): its search attributes checked as a real server's frontend checks them. */
export function startParamsFromRequest(
  engine: Engine,
  namespace: string,
  r:
    | P<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest>
    | P<temporal.api.workflowservice.v1.ISignalWithStartWorkflowExecutionRequest>,
): StartRequest {
  checkSearchAttributes(
    r.searchAttributes,
    (name) => engine.searchAttributeType(name) ?? PREDEFINED_SEARCH_ATTRIBUTES[name],
    (name) => BUILT_IN_SEARCH_ATTRIBUTES.has(name),
  );
  return {
    namespace,
    workflowId: r.workflowId ?? '',
    workflowType: r.workflowType?.name ?? '',
    taskQueue: r.taskQueue?.name ?? '',
    input: r.input,
    header: r.header,
    memo: r.memo,
    searchAttributes: r.searchAttributes,
    executionTimeoutMs: durationMs(r.workflowExecutionTimeout),
    runTimeoutMs: durationMs(r.workflowRunTimeout),
    taskTimeoutMs: durationMs(r.workflowTaskTimeout),
    retryPolicy: r.retryPolicy,
    cronSchedule: r.cronSchedule,
    requestId: r.requestId,
    identity: r.identity,
    reusePolicy: r.workflowIdReusePolicy,
    conflictPolicy: r.workflowIdConflictPolicy,
    startDelayMs: durationMs(r.workflowStartDelay),
    requestEager: 'requestEagerExecution' in r && !!r.requestEagerExecution,
    userMetadata: r.userMetadata,
    versioningOverride: readVersioningOverride(r.versioningOverride),
  };
}
