import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { WithEncodedField, encodePlain, fieldNumber, temporal, type P } from '../proto';
import { ApiError, notFound } from '../errors';
import type { Engine } from './engine';
import { parseRunKey, type Execution, type PendingQuery } from './execution';
import type { QueuedTask } from './matching';
import { encodeToken, type TaskToken } from './task-token';
import { taskQueue } from './history';

const QUERY_TIMEOUT_MS = 30_000;
const Reject = temporal.api.enums.v1.QueryRejectCondition;
const Completed = temporal.api.enums.v1.QueryResultType;

/** Queued queries go out as legacy query tasks once no workflow task is scheduled or running. */
export function dispatchQueuedQueries(engine: Engine, exec: Execution): void {
  if (exec.state.wft && exec.running) return;
  for (const q of exec.queries.values()) {
    if (q.dispatched) continue;
    q.dispatched = true;
    engine.matching.push(exec.state.namespace, 'workflow', exec.state.taskQueue, {
      key: exec.key,
      scheduledEventId: 0,
      queryId: q.id,
    });
  }
}

export async function queryWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IQueryWorkflowRequest>,
  abort: AbortSignal,
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
  const result = await new Promise<P<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest> | undefined>(
    (resolve) => {
      const id = randomUUID();
      const finish = (res: P<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest> | undefined) => {
        clearTimeout(timer);
        abort.removeEventListener('abort', onAbort);
        exec.queries.delete(id);
        resolve(res);
      };
      const onAbort = () => finish(undefined);
      const timer = setTimeout(onAbort, QUERY_TIMEOUT_MS);
      abort.addEventListener('abort', onAbort);
      const q: PendingQuery = { id, query: r.query ?? {}, resolve: finish, dispatched: false };
      exec.queries.set(id, q);
      dispatchQueuedQueries(engine, exec);
    },
  );
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
  if (!q) return undefined;
  const s = exec.state;
  if (s.wft && exec.running) {
    // A workflow task got scheduled meanwhile: the query waits for it to finish.
    q.dispatched = false;
    return undefined;
  }
  const token: TaskToken = { kind: 'query', ...ref, scheduledEventId: 0, dispatch: q.id, queryId: q.id };
  const message: PollResponse = {
    taskToken: encodeToken(token),
    workflowExecution: { workflowId: s.workflowId, runId: s.runId },
    workflowType: { name: s.workflowType },
    previousStartedEventId: s.lastCompletedStartedId,
    startedEventId: s.lastCompletedStartedId,
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
