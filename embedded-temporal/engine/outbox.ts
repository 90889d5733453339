import { EventType, Status, temporal, type HistoryEvent } from '../proto';
import { durationMs } from '../time';
import type { Engine } from './engine';
import type { OutboxTask, RunRef } from './outbox-task';
import { appendExternalEvent } from './history';
import { scheduleWorkflowTask } from './workflow-task';
import { startWorkflow } from './start';
import { requestCancelInTx, signalInTx } from './signals';
import { terminateInTx } from './close';
import type { Tx } from './execution';

const isNotFound = (err: unknown) => (err as { code?: unknown }).code === 5;
const isAlreadyExists = (err: unknown) => (err as { code?: unknown }).code === 6;

/** Carries out a cross-run task, then deletes its outbox row. Idempotent: it may run again after a crash. */
export async function runOutboxTask(engine: Engine, id: number, task: OutboxTask): Promise<void> {
  switch (task.kind) {
    case 'startChild':
      await startChild(engine, task);
      break;
    case 'childClosed':
      await onParent(engine, task.parent, (tx) =>
        childClosed(tx, task.initiatedEventId, task.child, task.workflowType, task.close),
      );
      break;
    case 'signalExternal':
      await signalExternal(engine, task);
      break;
    case 'cancelExternal':
      await cancelExternal(engine, task);
      break;
    case 'parentClosed':
      for (const c of task.children) {
        try {
          const ref = await engine.resolveRun(c.ref.namespace, c.ref.workflowId, c.ref.runId);
          await engine.mutate(ref, (tx) => {
            if (!tx.exec.running || tx.exec.state.parent?.runId !== task.parent.runId) {
              tx.save = false;
              return;
            }
            if (c.policy === temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
              requestCancelInTx(tx, 'by parent close policy', 'server');
            else terminateInTx(tx, 'by parent close policy', undefined, 'server');
          });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      break;
  }
  await engine.store.deleteOutbox([id]);
}

/** Changes the source run if it is still running (its outcome events are moot once it closed). */
async function onParent(engine: Engine, ref: RunRef, fn: (tx: Tx) => void): Promise<void> {
  try {
    await engine.mutate(ref, (tx) => {
      if (!tx.exec.running) {
        tx.save = false;
        return;
      }
      fn(tx);
    });
  } catch (err) {
    // The parent was deleted: nobody is left to tell.
    if (!isNotFound(err)) throw err;
  }
}

async function startChild(engine: Engine, task: Extract<OutboxTask, { kind: 'startChild' }>): Promise<void> {
  const a = task.attrs;
  const namespace = a.namespace || task.parent.namespace;
  let runId: string | undefined;
  let failed = false;
  try {
    const res = await startWorkflow(engine, {
      namespace,
      workflowId: a.workflowId ?? '',
      workflowType: a.workflowType?.name ?? '',
      taskQueue: a.taskQueue?.name ?? '',
      input: a.input,
      header: a.header,
      memo: a.memo,
      searchAttributes: a.searchAttributes,
      executionTimeoutMs: durationMs(a.workflowExecutionTimeout),
      runTimeoutMs: durationMs(a.workflowRunTimeout),
      taskTimeoutMs: durationMs(a.workflowTaskTimeout),
      retryPolicy: a.retryPolicy,
      cronSchedule: a.cronSchedule,
      requestId: `${task.parent.runId}:child:${task.initiatedEventId}`,
      reusePolicy: a.workflowIdReusePolicy,
      parent: { ...task.parent, initiatedEventId: task.initiatedEventId },
      parentClosePolicy: a.parentClosePolicy ?? undefined,
      root: task.root,
      userMetadata: task.userMetadata,
      inheritedPinnedVersion: task.inheritedPinnedVersion,
      versioningOverride: task.versioningOverride,
    });
    runId = res.runId;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    failed = true;
  }
  await onParent(engine, task.parent, (tx) => {
    const child = tx.exec.state.children[String(task.initiatedEventId)];
    if (!child || !child.pending) {
      tx.save = false;
      return;
    }
    child.pending = false;
    if (failed) {
      delete tx.exec.state.children[String(task.initiatedEventId)];
      appendExternalEvent(tx, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED, {
        startChildWorkflowExecutionFailedEventAttributes: {
          namespace,
          workflowId: a.workflowId,
          workflowType: a.workflowType,
          cause:
            temporal.api.enums.v1.StartChildWorkflowExecutionFailedCause
              .START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
          control: a.control,
          initiatedEventId: task.initiatedEventId,
          workflowTaskCompletedEventId: 0,
        },
      });
    } else {
      child.runId = runId;
      const startedEventId = tx.exec.state.wft?.startedEventId !== undefined ? -2 : tx.exec.state.nextEventId;
      child.startedEventId = startedEventId;
      appendExternalEvent(tx, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, {
        childWorkflowExecutionStartedEventAttributes: {
          namespace,
          initiatedEventId: task.initiatedEventId,
          workflowExecution: { workflowId: a.workflowId, runId },
          workflowType: a.workflowType,
          header: a.header,
        },
      });
    }
    scheduleWorkflowTask(tx);
  });
}

const CHILD_CLOSE: Record<number, [temporal.api.enums.v1.EventType, keyof HistoryEvent]> = {
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED]: [
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
    'childWorkflowExecutionCompletedEventAttributes',
  ],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED]: [
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
    'childWorkflowExecutionFailedEventAttributes',
  ],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED]: [
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
    'childWorkflowExecutionCanceledEventAttributes',
  ],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED]: [
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
    'childWorkflowExecutionTerminatedEventAttributes',
  ],
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT]: [
    EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
    'childWorkflowExecutionTimedOutEventAttributes',
  ],
};

function childClosed(tx: Tx, initiatedEventId: number, child: RunRef, workflowType: string, close: HistoryEvent): void {
  const s = tx.exec.state;
  const c = s.children[String(initiatedEventId)];
  if (!c) {
    tx.save = false;
    return;
  }
  const spec = CHILD_CLOSE[close.eventType ?? 0];
  if (!spec) return;
  const src =
    close.workflowExecutionCompletedEventAttributes ??
    close.workflowExecutionFailedEventAttributes ??
    close.workflowExecutionCanceledEventAttributes ??
    close.workflowExecutionTimedOutEventAttributes ??
    {};
  const srcAny = src as { result?: unknown; failure?: unknown; details?: unknown; retryState?: number };
  delete s.children[String(initiatedEventId)];
  appendExternalEvent(tx, spec[0], {
    [spec[1]]: {
      result: srcAny.result,
      failure: srcAny.failure,
      details: srcAny.details,
      retryState: srcAny.retryState,
      namespace: child.namespace,
      workflowExecution: { workflowId: child.workflowId, runId: child.runId },
      workflowType: { name: workflowType },
      initiatedEventId,
      startedEventId: c.startedEventId,
    },
  });
  scheduleWorkflowTask(tx);
}

type ExternalTask = Extract<OutboxTask, { kind: 'signalExternal' | 'cancelExternal' }>;
type ExternalOutcome = (
  ok: boolean,
  control: string | undefined,
  workflowExecution: { workflowId: string; runId?: string },
) => [temporal.api.enums.v1.EventType, Omit<HistoryEvent, 'eventId' | 'eventTime' | 'eventType'>];

/**
 * Signal and cancel of another workflow share one shape: act on the target (a missing target,
 * or one that is not the source's child when that was asked, is "not found"), then record the
 * outcome on the source, unless the source no longer waits for it.
 */
async function deliverToExternal(
  engine: Engine,
  task: ExternalTask,
  actOnTarget: (tx: Tx) => void,
  outcome: ExternalOutcome,
): Promise<void> {
  let ok = true;
  try {
    const ref = await engine.resolveRun(task.target.namespace, task.target.workflowId, task.target.runId);
    await engine.mutate(ref, (tx) => {
      if (task.childWorkflowOnly && tx.exec.state.parent?.runId !== task.source.runId)
        throw Object.assign(new Error('not a child'), { code: 5 });
      actOnTarget(tx);
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    ok = false;
  }
  await onParent(engine, task.source, (tx) => {
    const ext = tx.exec.state.externals[String(task.initiatedEventId)];
    if (!ext) {
      tx.save = false;
      return;
    }
    delete tx.exec.state.externals[String(task.initiatedEventId)];
    appendExternalEvent(
      tx,
      ...outcome(ok, ext.control, { workflowId: task.target.workflowId, runId: task.target.runId }),
    );
    scheduleWorkflowTask(tx);
  });
}

function signalExternal(engine: Engine, task: Extract<OutboxTask, { kind: 'signalExternal' }>): Promise<void> {
  const initiator = {
    initiatedEventId: task.initiatedEventId,
    execution: { workflowId: task.source.workflowId, runId: task.source.runId },
  };
  return deliverToExternal(
    engine,
    task,
    (tx) =>
      signalInTx(
        tx,
        task.signalName,
        task.input,
        task.header,
        'server',
        `${task.source.runId}:signal:${task.initiatedEventId}`,
        false,
        initiator,
      ),
    (ok, control, workflowExecution) =>
      ok
        ? [
            EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
            {
              externalWorkflowExecutionSignaledEventAttributes: {
                initiatedEventId: task.initiatedEventId,
                namespace: task.target.namespace,
                workflowExecution,
                control,
              },
            },
          ]
        : [
            EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
            {
              signalExternalWorkflowExecutionFailedEventAttributes: {
                cause:
                  temporal.api.enums.v1.SignalExternalWorkflowExecutionFailedCause
                    .SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                namespace: task.target.namespace,
                workflowExecution,
                initiatedEventId: task.initiatedEventId,
                control,
                workflowTaskCompletedEventId: 0,
              },
            },
          ],
  );
}

function cancelExternal(engine: Engine, task: Extract<OutboxTask, { kind: 'cancelExternal' }>): Promise<void> {
  const initiator = {
    initiatedEventId: task.initiatedEventId,
    execution: { workflowId: task.source.workflowId, runId: task.source.runId },
  };
  return deliverToExternal(
    engine,
    task,
    (tx) =>
      requestCancelInTx(tx, task.reason, 'server', `${task.source.runId}:cancel:${task.initiatedEventId}`, initiator),
    (ok, control, workflowExecution) =>
      ok
        ? [
            EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
            {
              externalWorkflowExecutionCancelRequestedEventAttributes: {
                initiatedEventId: task.initiatedEventId,
                namespace: task.target.namespace,
                workflowExecution,
              },
            },
          ]
        : [
            EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
            {
              requestCancelExternalWorkflowExecutionFailedEventAttributes: {
                cause:
                  temporal.api.enums.v1.CancelExternalWorkflowExecutionFailedCause
                    .CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                namespace: task.target.namespace,
                workflowExecution,
                initiatedEventId: task.initiatedEventId,
                control,
                workflowTaskCompletedEventId: 0,
              },
            },
          ],
  );
}

export { Status };
