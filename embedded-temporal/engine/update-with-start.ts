import type { CallSignal } from '../call-signal';
import { status } from '@grpc/grpc-js';
import { ApiError, MULTI_OPERATION_ABORTED, invalidArgument, multiOperationError } from '../errors';
import { temporal, type P } from '../proto';
import type { Engine } from './engine';
import type { Execution } from './execution';
import { startParamsFromRequest, startWorkflow } from './start';
import { admitUpdateInTx, awaitUpdateStage } from './updates';

type StartRequest = P<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest>;
type UpdateRequest = P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest>;
type UpdateResponse = P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>;
type Response = P<temporal.api.workflowservice.v1.IExecuteMultiOperationResponse>;

const Conflict = temporal.api.enums.v1.WorkflowIdConflictPolicy;
const COMPLETED =
  temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
/** A real server's messages (service/frontend/errors.go), so callers see the same text. */
const NOT_START_AND_UPDATE = 'Operations have to be exactly [Start, Update].';
const NAMESPACE_MISMATCH = "Operation namespace did not match request's namespace.";

/**
 * ExecuteMultiOperation, which a real server (and SDK 1.24) uses only for update-with-start:
 * exactly [StartWorkflow, UpdateWorkflow] for one workflow id. A running workflow the start may
 * reuse (same start request id, the update already known, or conflict policy USE_EXISTING) takes
 * the update; otherwise a new run starts with the update admitted in the same transaction, so it
 * travels with the first workflow task. Failures come back as a real server sends them: one status
 * per operation (the other one ABORTED), with the failed operation's code at the top.
 */
export async function executeMultiOperation(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IExecuteMultiOperationRequest>,
  abort: CallSignal,
): Promise<Response> {
  const namespace = r.namespace ?? '';
  engine.namespaces.get(namespace);
  const operations = r.operations ?? [];
  const start = operations[0]?.startWorkflow;
  const update = operations[1]?.updateWorkflow;
  if (operations.length !== 2 || !start || !update) throw invalidArgument(NOT_START_AND_UPDATE);
  const startError = invalidStart(namespace, start);
  let updateError = invalidUpdate(namespace, update);
  if (!startError && !updateError && update.workflowExecution?.workflowId !== start.workflowId)
    updateError = invalidArgument('WorkflowId is not consistent with previous operation(s).');
  if (startError || updateError)
    throw multiOperationError('MultiOperation could not be executed.', [
      startError ?? MULTI_OPERATION_ABORTED,
      updateError ?? MULTI_OPERATION_ABORTED,
    ]);

  try {
    return await updateWithStart(engine, namespace, start, update, abort);
  } catch (err) {
    if (!(err instanceof AbortedByClosingWorkflow)) throw err;
  }
  // The run the update went to closed before accepting it. A real server tries once more (a new
  // run may start now); if that happens again, the caller gets a retryable error (ABORTED).
  try {
    return await updateWithStart(engine, namespace, start, update, abort);
  } catch (err) {
    if (!(err instanceof AbortedByClosingWorkflow)) throw err;
    throw failed([MULTI_OPERATION_ABORTED, new ApiError(status.ABORTED, err.reason.message)]);
  }
}

/** The update was aborted because the run it was admitted to closed (not continued) first. */
class AbortedByClosingWorkflow extends Error {
  constructor(readonly reason: ApiError) {
    super(reason.message);
  }
}

async function updateWithStart(
  engine: Engine,
  namespace: string,
  start: StartRequest,
  update: UpdateRequest,
  abort: CallSignal,
): Promise<Response> {
  const request = update.request!;
  const updateId = request.meta!.updateId!;
  const workflowId = start.workflowId!;
  const current = await currentRun(engine, namespace, workflowId);
  if (current) {
    const known = current.state.updates[updateId];
    // A completed update is answered from the run, whatever its state, and nothing changes.
    if (known?.stage === 'completed' && !known.closedBeforeAccept)
      return respond(current, false, await awaitUpdateStage(current, updateId, COMPLETED, abort));
    const s = current.state;
    if (
      current.running &&
      (s.startRequestId === start.requestId ||
        known ||
        start.workflowIdConflictPolicy === Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
    )
      return attachUpdate(engine, current, update, abort);
  }

  let startedRunId: string;
  let started: boolean;
  try {
    const res = await startWorkflow(engine, { ...startParamsFromRequest(engine, namespace, start), update: request });
    startedRunId = res.runId;
    started = res.started;
  } catch (err) {
    if (err instanceof ApiError) throw failed([err, MULTI_OPERATION_ABORTED]);
    throw err;
  }
  const exec = await engine.load({ namespace, workflowId, runId: startedRunId });
  // Another start won the race (USE_EXISTING found it running): the update goes to that run.
  if (!exec.state.updates[updateId]) return attachUpdate(engine, exec, update, abort);
  try {
    return respond(exec, started, await awaitUpdateStage(exec, updateId, update.waitPolicy?.lifecycleStage, abort));
  } catch (err) {
    if (err instanceof ApiError) throw failed([undefined, err]);
    throw err;
  }
}

async function attachUpdate(
  engine: Engine,
  exec: Execution,
  update: UpdateRequest,
  abort: CallSignal,
): Promise<Response> {
  const updateId = update.request!.meta!.updateId!;
  try {
    await engine.mutate(exec.ref, (tx) => admitUpdateInTx(tx, update.request!));
    return respond(exec, false, await awaitUpdateStage(exec, updateId, update.waitPolicy?.lifecycleStage, abort));
  } catch (err) {
    if (err instanceof ApiError && exec.state.updates[updateId]?.closedBeforeAccept === true)
      throw new AbortedByClosingWorkflow(err);
    if (err instanceof ApiError) throw failed([MULTI_OPERATION_ABORTED, err]);
    throw err;
  }
}

function respond(exec: Execution, started: boolean, updateResponse: UpdateResponse): Response {
  return {
    responses: [
      { startWorkflow: { runId: exec.state.runId, started, status: exec.state.status } },
      { updateWorkflow: updateResponse },
    ],
  };
}

/** The message a real server's history service gives: which operation failed, and why. */
function failed(errors: [ApiError | undefined, ApiError]): ApiError {
  const [startError, updateError] = errors;
  const reason =
    startError && startError !== MULTI_OPERATION_ABORTED
      ? `Start failed: ${startError.message}`
      : `Update failed: ${updateError.message}`;
  return multiOperationError(`MultiOperation could not be executed: ${reason}`, errors);
}

async function currentRun(engine: Engine, namespace: string, workflowId: string): Promise<Execution | undefined> {
  try {
    return await engine.load(await engine.resolveRun(namespace, workflowId));
  } catch (err) {
    if ((err as { code?: unknown }).code === 5) return undefined; // NOT_FOUND: no run yet
    throw err;
  }
}

function invalidStart(namespace: string, start: StartRequest): ApiError | undefined {
  if (start.namespace && start.namespace !== namespace) return invalidArgument(NAMESPACE_MISMATCH);
  if (!start.workflowId) return invalidArgument('WorkflowId is not set on request.');
  if (!start.workflowType?.name) return invalidArgument('WorkflowType is not set on request.');
  if (!start.taskQueue?.name) return invalidArgument('TaskQueue is not set on request.');
  if (start.cronSchedule) return invalidArgument('CronSchedule is not allowed.');
  if (start.requestEagerExecution) return invalidArgument('RequestEagerExecution is not supported.');
  const delay = start.workflowStartDelay;
  if (delay && (Number(delay.seconds ?? 0) > 0 || Number(delay.nanos ?? 0) > 0))
    return invalidArgument('WorkflowStartDelay is not supported.');
  return undefined;
}

function invalidUpdate(namespace: string, update: UpdateRequest): ApiError | undefined {
  if (update.namespace && update.namespace !== namespace) return invalidArgument(NAMESPACE_MISMATCH);
  if (!update.workflowExecution?.workflowId) return invalidArgument('WorkflowId is not set on request.');
  if (update.workflowExecution.runId) return invalidArgument('RunId is not allowed.');
  if (update.firstExecutionRunId) return invalidArgument('FirstExecutionRunId is not allowed.');
  if (!update.request?.meta) return invalidArgument('Update meta is not set on request.');
  if (!update.request.meta.updateId) return invalidArgument('Update id is not set on request.');
  if (!update.request.input) return invalidArgument('Update input is not set on request.');
  if (!update.request.input.name) return invalidArgument('Update name is not set on request.');
  return undefined;
}
