import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  condition,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { addSignal } from './messages';

export async function childEcho(value: string): Promise<string> {
  return `child got ${value} from ${workflowInfo().parent?.workflowId ?? 'nobody'}`;
}

export async function childFails(message: string): Promise<never> {
  throw ApplicationFailure.create({ message, type: 'ChildBoom', nonRetryable: true });
}

/** Blocks until cancelled or terminated. Cancellation propagates, so the child ends CANCELLED. */
export async function childWaitsForever(): Promise<void> {
  await condition(() => false);
}

export async function parentRunsChild(value: string): Promise<string> {
  return await executeChild(childEcho, { args: [value], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Runs a failing child and reports the failure chain it saw. */
export async function parentCatchesChildFailure(): Promise<{
  failure: string;
  cause: string;
  type: string | undefined;
  message: string;
}> {
  try {
    await executeChild(childFails, { args: ['child gave up'], workflowId: `${workflowInfo().workflowId}-child` });
    return { failure: 'none', cause: 'none', type: undefined, message: '' };
  } catch (err) {
    if (err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure) {
      return {
        failure: err.name,
        cause: err.cause.name,
        type: err.cause.type ?? undefined,
        message: err.cause.message,
      };
    }
    throw err;
  }
}

/** Starts a child with `policy` and completes at once, leaving the child to the policy. */
export async function parentLeavesChild(childId: string, policy: ParentClosePolicy): Promise<string> {
  const child = await startChild(childWaitsForever, { workflowId: childId, parentClosePolicy: policy });
  return child.firstExecutionRunId;
}

/** Signals another workflow, then asks for its cancellation. */
export async function signalThenCancelExternal(targetId: string, value: string): Promise<string> {
  const target = getExternalWorkflowHandle(targetId);
  await target.signal(addSignal, value);
  await target.cancel();
  return `signalled and cancelled ${targetId}`;
}

/** Waits for an `add` signal, then for cancellation; returns what it received. */
export async function awaitSignalThenCancel(): Promise<string> {
  const items: string[] = [];
  setHandler(addSignal, (item) => void items.push(item));
  try {
    await condition(() => false);
    return 'never';
  } catch (err) {
    if (isCancellation(err)) return `cancelled after receiving ${items.join(',')}`;
    throw err;
  }
}

/** Starts a child, cancels it through a scope, reports the failure chain. */
export async function parentCancelsChild(childId: string): Promise<{ failure: string; cause: string }> {
  const scope = new CancellationScope();
  const child = scope.run(() => startChild(childWaitsForever, { workflowId: childId }));
  const handle = await child;
  scope.cancel();
  try {
    await handle.result();
    return { failure: 'none', cause: 'none' };
  } catch (err) {
    if (err instanceof ChildWorkflowFailure) return { failure: err.name, cause: err.cause?.name ?? 'none' };
    throw err;
  }
}

/** Tries to start a child under an id that is already running. */
export async function parentStartsDuplicateChild(childId: string): Promise<string> {
  try {
    await startChild(childWaitsForever, { workflowId: childId });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return `refused: ${err.name}`;
    throw err;
  }
}

/** Signals a workflow id that does not exist and reports the error. */
export async function signalMissingExternal(targetId: string): Promise<string> {
  try {
    await getExternalWorkflowHandle(targetId).signal(addSignal, 'anyone there?');
    return 'delivered';
  } catch (err) {
    return `failed: ${(err as Error).message}`;
  }
}

/** Starts a child with a search attribute the namespace does not have (the server refuses the workflow task). */
export async function childWithUndefinedAttribute(): Promise<string> {
  return await executeChild(childEcho, {
    args: ['never'],
    workflowId: `${workflowInfo().workflowId}-child`,
    searchAttributes: { NoSuchAttribute: ['x'] },
  });
}
