import { EventType, anyTypeName, decodePlain, encodePlain, packAny, temporal, type P } from '../proto';
import { notFound, alreadyCompleted, invalidArgument, workflowNotReady } from '../errors';
import type { Tx } from './execution';
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
const CLOSED_BEFORE_ACCEPT = 'workflow execution already completed';

/**
 * Update requests to deliver in the task being started (as protocol messages). Each is sequenced
 * after the last event before the task's started event, as a real server does: the worker applies
 * it after everything recorded up to then (a signal that arrived before the task started included).
 */
export function pendingUpdateMessages(tx: Tx, startedEventId: number): P<temporal.api.protocol.v1.IMessage>[] {
  const s = tx.exec.state;
  const out: P<temporal.api.protocol.v1.IMessage>[] = [];
  for (const u of Object.values(s.updates)) {
    if (u.stage !== 'admitted' || u.deliveredInTask !== undefined) continue;
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
  return Object.values(s.updates).some((u) => u.stage === 'admitted' && u.deliveredInTask === undefined);
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
          acceptedRequest: acc.acceptedRequest ?? u.request,
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

/** The run closed: updates that will never complete get a failure outcome. */
export function failPendingUpdates(tx: Tx): void {
  for (const u of Object.values(tx.exec.state.updates)) {
    if (u.stage === 'completed') continue;
    u.outcome = {
      failure: {
        message:
          u.stage === 'admitted'
            ? CLOSED_BEFORE_ACCEPT
            : 'Workflow Update failed because the Workflow completed before the Update completed.',
      },
    };
    if (u.stage === 'admitted') (u as UpdateState & { closedBeforeAccept?: boolean }).closedBeforeAccept = true;
    u.stage = 'completed';
  }
}

function response(
  ref: { workflowId: string; runId: string },
  u: UpdateState,
): P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse> {
  if ((u as { closedBeforeAccept?: boolean }).closedBeforeAccept) throw alreadyCompleted();
  return {
    updateRef: { workflowExecution: { workflowId: ref.workflowId, runId: ref.runId }, updateId: u.updateId },
    outcome: u.stage === 'completed' ? u.outcome : undefined,
    stage: STAGE_NUM[u.stage],
  };
}

export async function updateWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest>,
  abort: AbortSignal,
): Promise<P<temporal.api.workflowservice.v1.IUpdateWorkflowExecutionResponse>> {
  const updateId = r.request?.meta?.updateId;
  if (!updateId) throw invalidArgument('Update id is not set on request.');
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  const exec = await engine.mutate(ref, (tx) => {
    const s = tx.exec.state;
    if (s.updates[updateId]) {
      tx.save = false;
      return tx.exec;
    }
    if (!tx.exec.running) throw alreadyCompleted();
    // A task that keeps failing would never deliver it: refused at once, as a real server does.
    if ((s.wft?.attempt ?? 0) >= FAILING_TASK_ATTEMPT)
      throw workflowNotReady('Unable to perform workflow execution update due to Workflow Task in failed state.');
    s.updates[updateId] = { updateId, request: r.request!, stage: 'admitted' };
    // A task scheduled just for the update stays in memory until it completes (see complete-task.ts).
    tx.save = false;
    if (!s.wft) scheduleWorkflowTask(tx, { speculative: true });
    return tx.exec;
  });
  const wanted = Math.max(
    r.waitPolicy?.lifecycleStage || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED,
    Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED,
  );
  const current = () => exec.state.updates[updateId];
  await waitFor(exec, () => !current() || STAGE_NUM[current().stage] >= wanted, UPDATE_WAIT_MS, abort);
  const u = current();
  if (!u) throw notFound(`update ${updateId} not found`);
  return response(ref, u);
}

export async function pollUpdate(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IPollWorkflowExecutionUpdateRequest>,
  abort: AbortSignal,
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
