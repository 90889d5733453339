import type { CallSignal } from '../call-signal';
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { WithEncodedField, encodePlain, fieldNumber, temporal, type P } from '../proto';
import { ApiError, notFound, workflowNotReady } from '../errors';
import type { Engine } from './engine';
import { parseRunKey, type Execution, type PendingQuery } from './execution';
import type { QueuedTask } from './matching';
import { encodeToken, type TaskToken } from './task-token';
import { taskQueue } from './history';
import { pinnedVersionKey } from './worker-versioning';

const QUERY_TIMEOUT_MS = 30_000;
/** A real server refuses queries (and updates) at once from this workflow-task attempt on. */
export const FAILING_TASK_ATTEMPT = 3;
const Reject = temporal.api.enums.v1.QueryRejectCondition;
const Completed = temporal.api.enums.v1.QueryResultType;
type QueryResult = P<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest>;

/**
 * Queries waiting for a workflow task go with the task being started (answered in its
 * completion), as a real server attaches them: a workflow that is never idle can still be queried.
 * A query task still in the queue goes with it too (its queued entry is then ignored): left there,
 * it would reach the worker behind this task.
 */
export function attachBufferedQueries(exec: Execution): Record<string, P<temporal.api.query.v1.IWorkflowQuery>> {
  const out: Record<string, P<temporal.api.query.v1.IWorkflowQuery>> = {};
  for (const q of exec.queries.values()) {
    if (q.state === 'queued') q.state = 'buffered';
    if (q.state === 'buffered') out[q.id] = q.query;
  }
  return out;
}

/**
 * A query task handed to a worker and not yet answered. SDK core holds a query task that arrives
 * while it works on a workflow task of the same run until the run has no workflow task at all; a
 * completion that hands back the next task (return_new_workflow_task) keeps the run busy, so while
 * such a query is out the next task goes through the queue instead and the worker answers it first.
 */
export function queryTaskAtWorker(exec: Execution): boolean {
  for (const q of exec.queries.values()) if (q.state === 'sent') return true;
  return false;
}

/** Answers the queries a completing workflow task carried. */
export function resolveQueryResults(
  exec: Execution,
  results: Record<string, P<temporal.api.query.v1.IWorkflowQueryResult>> | null | undefined,
): void {
  for (const [id, r] of Object.entries(results ?? {})) {
    exec.queries.get(id)?.resolve({
      completedType: r.resultType,
      queryResult: r.answer,
      errorMessage: r.errorMessage,
      failure: r.failure,
    });
  }
}

/** No workflow task is pending any more: the queries still waiting go out as legacy query tasks. */
export function unblockBufferedQueries(engine: Engine, exec: Execution): void {
  if (exec.state.wft && exec.running) return;
  for (const q of exec.queries.values()) {
    if (q.state !== 'buffered') continue;
    q.state = 'queued';
    engine.matching.push(exec.state.namespace, 'workflow', exec.state.taskQueue, {
      key: exec.key,
      scheduledEventId: 0,
      queryId: q.id,
      pinned: pinnedVersionKey(exec.state),
    });
  }
}

export async function queryWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IQueryWorkflowRequest>,
  abort: CallSignal,
): Promise<P<temporal.api.workflowservice.v1.IQueryWorkflowResponse>> {
  const ref = await engine.resolveRun(r.namespace ?? '', r.execution?.workflowId ?? '', r.execution?.runId);
  const exec = await engine.load(ref);
  const s = exec.state;
  if (!exec.running) {
    if (r.queryRejectCondition === Reject.QUERY_REJECT_CONDITION_NOT_OPEN)
      return { queryRejected: { status: s.status } };
    if (r.queryRejectCondition === Reject.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && s.status !== 2)
      return { queryRejected: { status: s.status } };
  }
  const completedAnyTask = s.lastCompletedStartedId > 0;
  if (!exec.running && !completedAnyTask)
    throw workflowNotReady('Workflow execution closed before WorkflowTaskStarted event');
  if (exec.running && !completedAnyTask && !s.wft && (s.firstTaskAt ?? 0) > engine.clock.now() + QUERY_TIMEOUT_MS)
    throw workflowNotReady('Workflow task is not scheduled yet.');
  if (exec.running && (s.wft?.attempt ?? 0) >= FAILING_TASK_ATTEMPT)
    throw workflowNotReady('Unable to query workflow due to Workflow Task in failed state.');
  const result = await new Promise<QueryResult | undefined>((resolve) => {
    const id = randomUUID();
    const finish = (res: QueryResult | undefined) => {
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      exec.queries.delete(id);
      resolve(res);
    };
    const onAbort = () => finish(undefined);
    const timer = setTimeout(onAbort, QUERY_TIMEOUT_MS);
    abort.addEventListener('abort', onAbort);
    const q: PendingQuery = { id, query: r.query ?? {}, resolve: finish, state: 'buffered' };
    exec.queries.set(id, q);
    // With no workflow task pending (or a closed run) it goes out at once as a query task.
    if (completedAnyTask) unblockBufferedQueries(engine, exec);
  });
  if (!result) throw new ApiError(status.DEADLINE_EXCEEDED, 'query timed out: no worker answered');
  if (result.completedType === Completed.QUERY_RESULT_TYPE_FAILED) {
    throw new ApiError(status.INVALID_ARGUMENT, result.errorMessage || result.failure?.message || 'query failed', [
      'temporal.api.errordetails.v1.QueryFailedFailure',
      encodePlain(temporal.api.errordetails.v1.QueryFailedFailure, { failure: result.failure }),
    ]);
  }
  return { queryResult: result.queryResult };
}

type PollResponse = P<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>;
const POLL_HISTORY_FIELD = fieldNumber(temporal.api.workflowservice.v1.PollWorkflowTaskQueueResponse);

export async function dispatchQueryTask(engine: Engine, task: QueuedTask): Promise<WithEncodedField | undefined> {
  const ref = parseRunKey(task.key);
  const exec = await engine.load(ref);
  const q = exec.queries.get(task.queryId ?? '');
  if (!q || q.state !== 'queued') return undefined;
  const s = exec.state;
  if (s.wft && exec.running) {
    // A workflow task got scheduled meanwhile: the query goes with it instead.
    q.state = 'buffered';
    return undefined;
  }
  q.state = 'sent';
  const token: TaskToken = { kind: 'query', ...ref, scheduledEventId: 0, dispatch: q.id, queryId: q.id };
  // As a real server sends a query task: no started event (it is not a workflow task), attempt 1.
  const message: PollResponse = {
    taskToken: encodeToken(token),
    workflowExecution: { workflowId: s.workflowId, runId: s.runId },
    workflowType: { name: s.workflowType },
    previousStartedEventId: s.lastCompletedStartedId,
    startedEventId: 0,
    attempt: 1,
    query: q.query,
    workflowExecutionTaskQueue: taskQueue(s.taskQueue),
  };
  return new WithEncodedField(message, POLL_HISTORY_FIELD, exec.historyBytes(0, exec.events.length));
}

export async function respondQueryTaskCompleted(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest>,
  token: TaskToken,
): Promise<void> {
  const exec = await engine.load(token);
  const q = exec.queries.get(token.queryId ?? '');
  if (!q) throw notFound('query not found (it may have timed out)');
  q.resolve(r);
}
