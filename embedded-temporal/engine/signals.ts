import { EventType, temporal, type P } from '../proto';
import { alreadyCompleted } from '../errors';
import type { Tx } from './execution';
import type { Engine } from './engine';
import { appendExternalEvent } from './history';
import { scheduleWorkflowTask } from './workflow-task';

const MAX_REQUEST_IDS = 200;

/** Records a request id; returns false if it was already applied (a retried request). */
export function firstTimeRequest(tx: Tx, requestId: string | null | undefined): boolean {
  if (!requestId) return true;
  const ids = tx.exec.state.requestIds;
  if (ids.includes(requestId)) return false;
  ids.push(requestId);
  if (ids.length > MAX_REQUEST_IDS) ids.splice(0, ids.length - MAX_REQUEST_IDS);
  return true;
}

export function signalInTx(
  tx: Tx,
  signalName: string,
  input: P<temporal.api.common.v1.IPayloads> | null | undefined,
  header: P<temporal.api.common.v1.IHeader> | null | undefined,
  identity: string | null | undefined,
  requestId?: string | null,
  beforeFirstTask = false,
  external?: { initiatedEventId: number; execution: P<temporal.api.common.v1.IWorkflowExecution> },
): void {
  if (!tx.exec.running) throw alreadyCompleted();
  if (!firstTimeRequest(tx, requestId)) {
    tx.save = false;
    return;
  }
  appendExternalEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
    workflowExecutionSignaledEventAttributes: {
      signalName,
      input,
      header,
      identity,
      externalWorkflowExecution: external?.execution,
    },
  });
  if (!beforeFirstTask) scheduleWorkflowTask(tx);
}

export async function signalWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.ISignalWorkflowExecutionRequest>,
): Promise<void> {
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  await engine.mutate(ref, (tx) => signalInTx(tx, r.signalName ?? '', r.input, r.header, r.identity, r.requestId));
}

export function requestCancelInTx(
  tx: Tx,
  reason: string | null | undefined,
  identity: string | null | undefined,
  requestId?: string | null,
  external?: { initiatedEventId: number; execution: P<temporal.api.common.v1.IWorkflowExecution> },
): void {
  const s = tx.exec.state;
  if (!tx.exec.running) throw alreadyCompleted();
  if (!firstTimeRequest(tx, requestId) || s.cancelRequested) {
    tx.save = false;
    return;
  }
  s.cancelRequested = true;
  appendExternalEvent(tx, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED, {
    workflowExecutionCancelRequestedEventAttributes: {
      cause: reason,
      identity,
      externalInitiatedEventId: external?.initiatedEventId,
      externalWorkflowExecution: external?.execution,
    },
  });
  scheduleWorkflowTask(tx);
}

export async function requestCancelWorkflow(
  engine: Engine,
  r: P<temporal.api.workflowservice.v1.IRequestCancelWorkflowExecutionRequest>,
): Promise<void> {
  const ref = await engine.resolveRun(
    r.namespace ?? '',
    r.workflowExecution?.workflowId ?? '',
    r.workflowExecution?.runId,
  );
  await engine.mutate(ref, (tx) => requestCancelInTx(tx, r.reason, r.identity, r.requestId));
}
