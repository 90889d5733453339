import type { CallSignal } from '../call-signal';
import { EventType, anyTypeName, decodePlain, encodePlain, packAny, temporal, type P } from '../proto';
import { status } from '@grpc/grpc-js';
import { ApiError, notFound, alreadyCompleted, invalidArgument, workflowNotReady } from '../errors';
import type { Execution, Tx } from './execution';
import type { Engine } from './engine';
import type { ExecutionState, UpdateState } from './state';
import { appendEvent } from './history';
import { scheduleWorkflowTask } from './workflow-task';
import { waitFor } from './wait';
import { FAILING_TASK_ATTEMPT } from './queries';

const Stage = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
const STAGE_NUM: Record<UpdateState['stage'], number> = {
  admitted: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED,
  accepted: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED,
  completed: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
};
const UPDATE_WAIT_MS = 20_000;

/**
 * Update requests to deliver in the task being started (as protocol messages). Each is sequenced
 * after the last event before the task's started event, as a real server does: the worker applies
 * it after everything recorded up to then (a signal that arrived before the task started included).
 */
export function pendingUpdateMessages(tx: Tx, startedEventId: number): P<temporal.api.protocol.v1.IMessage>[] {
  const s = tx.exec.state;
  const out: P<temporal.api.protocol.v1.IMessage>[] = [];
  for (const u of Object.values(s.updates)) {
    if (u.stage !== 'admitted' || u.deliveredInTask !== undefined || u.admittedEventId !== undefined) continue;
    u.deliveredInTask = s.wft!.scheduledEventId;
    out.push({
      id: `${u.updateId}/request`,
      protocolInstanceId: u.updateId,
      eventId: startedEventId - 1,
      body: packAny('temporal.api.update.v1.Request', encodePlain(temporal.api.update.v1.Request, u.request)),
    });
  }
  return out;
}

export function hasUndeliveredUpdates(s: ExecutionState): boolean {
  return Object.values(s.updates).some(
    (u) => u.stage === 'admitted' && u.deliveredInTask === undefined && u.admittedEventId === undefined,
  );
}

export function handleProtocolMessage(tx: Tx, m: P<temporal.api.protocol.v1.IMessage>, identity: string): void {
  const s = tx.exec.state;
  const id = m.protocolInstanceId ?? '';
  const body = m.body?.value ?? new Uint8Array();
  switch (anyTypeName(m.body)) {
    case 'temporal.api.update.v1.Acceptance': {
      const acc = decodePlain(temporal.api.update.v1.Acceptance, body);
      const u =
        s.updates[id] ?? (s.updates[id] = { updateId: id, request: acc.acceptedRequest ?? {}, stage: 'admitted' });
      if (u.stage !== 'admitted') return;
      const ev = appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, {
        workflowExecutionUpdateAcceptedEventAttributes: {
          protocolInstanceId: id,
          acceptedRequestMessageId: acc.acceptedRequestMessageId,
          acceptedRequestSequencingEventId: Number(acc.acceptedRequestSequencingEventId),
          // As a real server writes it: without the request when an admitted event already holds it.
          acceptedRequest: u.admittedEventId !== undefined ? undefined : (acc.acceptedRequest ?? u.request),
        },
      });
      u.stage = 'accepted';
      u.acceptedEventId = ev.eventId!;
      return;
    }
    case 'temporal.api.update.v1.Rejection': {
      const rej = decodePlain(temporal.api.update.v1.Rejection, body);
      const u = s.updates[id];
      if (!u || u.stage !== 'admitted') return;
      u.stage = 'completed';
      u.outcome = { failure: rej.failure };
      return;
    }
    case 'temporal.api.update.v1.Response': {
      const res = decodePlain(temporal.api.update.v1.Response, body);
      const u = s.updates[id];
      if (!u || u.stage !== 'accepted') return;
      appendEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, {
        workflowExecutionUpdateCompletedEventAttributes: {
          meta: res.meta ?? { updateId: id, identity },
          acceptedEventId: u.acceptedEventId,
          outcome: res.outcome,
        },
      });
      u.stage = 'completed';
      u.outcome = res.outcome ?? {};
      return;
    }
    default:
      tx.engine.logger.warn({ type: anyTypeName(m.body) }, 'ignoring unknown protocol message');
  }
}

/**
 * What a real server tells the caller of an update the workflow accepted but closed without
 * completing: an update failure (not an error), so that a caller who saw it accepted gets an outcome.
 */
const ACCEPTED_UPDATE_COMPLETED_WORKFLOW: P<temporal.api.failure.v1.IFailure> = {
  message: 'Workflow Update failed because the Workflow completed before the Update completed.',
  source: 'Server',
  applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
};
const ABORTED_BY_CLOSING = 'workflow update was aborted by closing workflow';

/**
 * The run closed: accepted updates fail with the server's failure; updates not yet accepted are
 * aborted, with NotFound if the workflow ended, or, if it goes on in a new run (continue-as-new,
 * retry, cron), with a retryable error, so that the client sends them again and they land there.
 */
export function failPendingUpdates(tx: Tx): void {
  const continuing = !!tx.exec.state.newRunId;
  for (const u of Object.values(tx.exec.state.updates)) {
    if (u.stage === 'completed') continue;
    if (u.stage === 'admitted') u.closedBeforeAccept = continuing ? 'continuing' : true;
    else u.outcome = { failure: ACCEPTED_UPDATE_COMPLETED_WORKFLOW };
    u.stage = 'completed';
  }
}

/** consts.ErrWorkflowClosing of a real server: RESOURCE_EXHAUSTED (BUSY_WORKFLOW), which the SDK retries. */
function workflowClosing(): ApiError {
  const ResourceExhausted = temporal.api.errordetails.v1.ResourceExhaustedFailure;
  return new ApiError(status.RESOURCE_EXHAUSTED, 'workflow operation can not be applied because workflow is closing', [
    'temporal.api.errordetails.v1.ResourceExhaustedFailure',
    ResourceExhausted.encode({
      cause: temporal.api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW,
      scope: temporal.api.enums.v1.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
    }).finish(),
  ]);
}

function response(
  ref: { workflowId: string; runId: string },
  u: UpdateState,
): P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse> {
  if (u.closedBeforeAccept === 'continuing') throw workflowClosing();
  if (u.closedBeforeAccept) throw notFound(ABORTED_BY_CLOSING);
  return {
    updateRef: { workflowExecution: { workflowId: ref.workflowId, runId: ref.runId }, updateId: u.updateId },
    outcome: u.stage === 'completed' ? u.outcome : undefined,
    stage: STAGE_NUM[u.stage],
  };
}

export async function updateWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest>,
  abort: CallSignal,
): Promise<P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>> {
  const updateId = r.request?.meta?.updateId;
  if (!updateId) throw invalidArgument('Update id is not set on request.');
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  const exec = await engine.mutate(ref, (tx) => {
    if (r.firstExecutionRunId && tx.exec.state.firstRunId !== r.firstExecutionRunId)
      throw notFound(`workflow not found for ID: ${ref.workflowId}`);
    admitUpdateInTx(tx, r.request!);
    return tx.exec;
  });
  return awaitUpdateStage(exec, updateId, r.waitPolicy?.lifecycleStage, abort);
}

/**
 * Admits an update to the run (a real server's FindOrCreate + Admit): a known update id is left
 * as it is (the caller waits for it again), a closed run or a failing task refuses a new one.
 */
export function admitUpdateInTx(tx: Tx, request: P<temporal.api.update.v1.IRequest>): void {
  const s = tx.exec.state;
  const updateId = request.meta?.updateId ?? '';
  tx.save = false;
  // A known update is waited for again; one aborted by the close is gone, as from a real server.
  if (s.updates[updateId] && !s.updates[updateId].closedBeforeAccept) return;
  if (!tx.exec.running) throw alreadyCompleted();
  // A task that keeps failing would never deliver it: refused at once, as a real server does.
  if ((s.wft?.attempt ?? 0) >= FAILING_TASK_ATTEMPT)
    throw workflowNotReady('Unable to perform workflow execution update due to Workflow Task in failed state.');
  s.updates[updateId] = { updateId, request, stage: 'admitted' };
  if (s.firstTaskAt !== undefined) {
    // A delayed start (startDelay) is cut short by an update, as by a real server: the first
    // workflow task is scheduled now and carries it. That task is durable, so this change is too.
    s.firstTaskAt = undefined;
    tx.save = true;
    scheduleWorkflowTask(tx);
    return;
  }
  // A task scheduled just for the update stays in memory until it completes (see complete-task.ts).
  if (!s.wft) scheduleWorkflowTask(tx, { speculative: true });
}

/** Waits (up to the long-poll time) for the update to reach the stage asked for, at least ACCEPTED. */
export async function awaitUpdateStage(
  exec: Execution,
  updateId: string,
  stage: number | null | undefined,
  abort: CallSignal,
): Promise<P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>> {
  const wanted = Math.max(
    stage || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED,
    Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED,
  );
  const current = () => exec.state.updates[updateId];
  await waitFor(exec, () => !current() || STAGE_NUM[current().stage] >= wanted, UPDATE_WAIT_MS, abort);
  const u = current();
  if (!u) throw notFound(`update ${updateId} not found`);
  return response(exec.ref, u);
}

export async function pollUpdate(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest>,
  abort: CallSignal,
): Promise<P<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateResponse>> {
  const updateId = r.updateRef?.updateId ?? '';
  const we = r.updateRef?.workflowExecution;
  const ref = await engine.resolveRun(r.namespace ?? '', we?.workflowId ?? '', we?.runId);
  const exec = await engine.load(ref);
  const current = () => exec.state.updates[updateId];
  if (!current()) throw notFound(`update ${updateId} not found`);
  const wanted = r.waitPolicy?.lifecycleStage || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
  await waitFor(exec, () => STAGE_NUM[current().stage] >= wanted, UPDATE_WAIT_MS, abort);
  const res = response(ref, current());
  return { outcome: res.outcome, stage: res.stage, updateRef: res.updateRef };
}
