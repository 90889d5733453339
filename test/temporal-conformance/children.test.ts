import { eventually, rejectionOf, unique } from './support/env';
import { eventsOfType } from './support/history';
import { eventTypes, waitForEvent } from './support/history';
import { ConformanceFile } from './support/suite';
import {
  awaitSignalThenCancel,
  parentCancelsChild,
  parentCatchesChildFailure,
  parentLeavesChild,
  parentRunsChild,
  parentStartsDuplicateChild,
  signalMissingExternal,
  signalThenCancelExternal,
} from './workflows';

const file = new ConformanceFile('children');
const { log, onQueue } = file;

test('a child workflow result reaches its parent; the child knows its parent', async () => {
  await onQueue(async (taskQueue) => {
    const parentId = unique('parent');
    const handle = await file.env.client.workflow.start(parentRunsChild, {
      taskQueue,
      workflowId: parentId,
      args: ['apples'],
    });
    log.track(parentId);
    log.track(`${parentId}-child`);
    expect(await handle.result()).toBe(`child got apples from ${parentId}`);
    const types = await eventTypes(handle);
    expect(types).toEqual(
      expect.arrayContaining([
        'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        'CHILD_WORKFLOW_EXECUTION_STARTED',
        'CHILD_WORKFLOW_EXECUTION_COMPLETED',
      ]),
    );
    const child = await file.env.client.workflow.getHandle(`${parentId}-child`).describe();
    expect(child.status.name).toBe('COMPLETED');
    expect(child.parentExecution?.workflowId).toBe(parentId);
    // The root of a child is its parent's root: here the parent itself.
    expect(child.rootExecution).toEqual({ workflowId: parentId, runId: handle.firstExecutionRunId });
    expect((await handle.describe()).rootExecution).toEqual({
      workflowId: parentId,
      runId: handle.firstExecutionRunId,
    });
  });
});

test('a failed child reaches its parent as ChildWorkflowFailure caused by the child failure', async () => {
  await onQueue(async (taskQueue) => {
    const parentId = unique('parent-of-failure');
    const handle = await file.env.client.workflow.start(parentCatchesChildFailure, { taskQueue, workflowId: parentId });
    log.track(parentId);
    log.track(`${parentId}-child`);
    expect(await handle.result()).toEqual({
      failure: 'ChildWorkflowFailure',
      cause: 'ApplicationFailure',
      type: 'ChildBoom',
      message: 'child gave up',
    });
    expect(await eventTypes(handle)).toContain('CHILD_WORKFLOW_EXECUTION_FAILED');
    expect((await file.env.client.workflow.getHandle(`${parentId}-child`).describe()).status.name).toBe('FAILED');
  });
});

describe('parent close policies', () => {
  async function childAfterParentCloses(policy: 'TERMINATE' | 'REQUEST_CANCEL', expected: string): Promise<string> {
    return onQueue(async (taskQueue) => {
      const childId = unique(`child-${policy.toLowerCase()}`);
      const parent = await file.env.client.workflow.start(parentLeavesChild, {
        taskQueue,
        workflowId: unique('closing-parent'),
        args: [childId, policy],
      });
      log.track(parent.workflowId);
      log.track(childId);
      const childRunId = await parent.result();
      const child = file.env.client.workflow.getHandle(childId, childRunId);
      return eventually(async () => {
        const status = (await child.describe()).status.name;
        expect(status).toBe(expected);
        return status;
      });
    });
  }

  test('TERMINATE terminates the child when the parent closes', async () => {
    expect(await childAfterParentCloses('TERMINATE', 'TERMINATED')).toBe('TERMINATED');
  });

  test('REQUEST_CANCEL cancels the child when the parent closes', async () => {
    expect(await childAfterParentCloses('REQUEST_CANCEL', 'CANCELLED')).toBe('CANCELLED');
  });

  test('ABANDON leaves the child running', async () => {
    const childId = await onQueue(async (taskQueue) => {
      const id = unique('child-abandon');
      const parent = await file.env.client.workflow.start(parentLeavesChild, {
        taskQueue,
        workflowId: unique('closing-parent'),
        args: [id, 'ABANDON'],
      });
      log.track(parent.workflowId);
      log.track(id);
      await parent.result();
      await new Promise((resolve) => setTimeout(resolve, 1000)); // room for a wrongly applied policy to act
      expect((await file.env.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
      return id;
    });
    await file.env.client.workflow.getHandle(childId).terminate('test over');
    expect((await file.env.client.workflow.getHandle(childId).describe()).status.name).toBe('TERMINATED');
  });
});

test('a workflow signals and then cancels another workflow', async () => {
  await onQueue(async (taskQueue) => {
    const target = await file.env.client.workflow.start(awaitSignalThenCancel, {
      taskQueue,
      workflowId: unique('external-target'),
    });
    log.track(target.workflowId);
    await waitForEvent(target, 'WORKFLOW_TASK_COMPLETED');
    const source = await file.env.client.workflow.start(signalThenCancelExternal, {
      taskQueue,
      workflowId: unique('external-source'),
      args: [target.workflowId, 'hello'],
    });
    log.track(source.workflowId);
    expect(await source.result()).toBe(`signalled and cancelled ${target.workflowId}`);
    expect(await target.result()).toBe('cancelled after receiving hello');
    expect(await eventTypes(source)).toEqual(
      expect.arrayContaining([
        'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
        'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
        'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
        'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
      ]),
    );
    expect(await eventTypes(target)).toEqual(
      expect.arrayContaining(['WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_EXECUTION_CANCEL_REQUESTED']),
    );
  });
});

test('cancelling a child from its parent reaches the parent as ChildWorkflowFailure caused by CancelledFailure', async () => {
  await onQueue(async (taskQueue) => {
    const childId = unique('cancelled-child');
    const parent = await file.env.client.workflow.start(parentCancelsChild, {
      taskQueue,
      workflowId: unique('cancelling-parent'),
      args: [childId],
    });
    log.track(parent.workflowId);
    log.track(childId);
    expect(await parent.result()).toEqual({ failure: 'ChildWorkflowFailure', cause: 'CancelledFailure' });
    expect((await file.env.client.workflow.getHandle(childId).describe()).status.name).toBe('CANCELLED');
    expect(await eventTypes(parent)).toEqual(
      expect.arrayContaining([
        'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
        'CHILD_WORKFLOW_EXECUTION_CANCELED',
      ]),
    );
  });
});

test('starting a child under a running workflow id fails in the parent with WorkflowExecutionAlreadyStartedError', async () => {
  await onQueue(async (taskQueue) => {
    const busy = await file.env.client.workflow.start(awaitSignalThenCancel, {
      taskQueue,
      workflowId: unique('busy-id'),
    });
    log.track(busy.workflowId);
    const parent = await file.env.client.workflow.start(parentStartsDuplicateChild, {
      taskQueue,
      workflowId: unique('duplicate-parent'),
      args: [busy.workflowId],
    });
    log.track(parent.workflowId);
    expect(await parent.result()).toBe('refused: WorkflowExecutionAlreadyStartedError');
    expect(await eventTypes(parent)).toContain('START_CHILD_WORKFLOW_EXECUTION_FAILED');
    await busy.cancel();
    expect(await busy.result()).toBe('cancelled after receiving ');
  });
});

test('signalling a workflow that does not exist fails inside the workflow', async () => {
  await onQueue(async (taskQueue) => {
    const handle = await file.env.client.workflow.start(signalMissingExternal, {
      taskQueue,
      workflowId: unique('lonely'),
      args: [unique('nobody')],
    });
    log.track(handle.workflowId);
    expect(await handle.result()).toMatch(/^failed: .*not found/i);
    expect(await eventTypes(handle)).toContain('SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED');
  });
});

test('a reset to a point where a child workflow is still pending is refused, as a real server refuses it', async () => {
  await onQueue(async (taskQueue) => {
    const childId = unique('reset-child');
    const parent = await file.env.client.workflow.start(parentLeavesChild, {
      taskQueue,
      workflowId: unique('reset-parent'),
      args: [childId, 'ABANDON'],
    });
    log.track(parent.workflowId);
    await parent.result();
    const completed = await eventsOfType(parent, 'WORKFLOW_TASK_COMPLETED');
    const err = await rejectionOf(
      file.env.client.workflowService.resetWorkflowExecution({
        namespace: file.env.namespace ?? 'default',
        workflowExecution: { workflowId: parent.workflowId, runId: parent.firstExecutionRunId },
        workflowTaskFinishEventId: completed[completed.length - 1].eventId,
        reason: 'conformance reset',
        requestId: unique('reset'),
      }),
    );
    expect((err as { code?: number }).code).toBe(3); // INVALID_ARGUMENT
    expect((err as { details?: string }).details).toBe(
      'it is not allowed resetting to a point that workflow has pending child workflow.',
    );
    await file.env.client.workflow.getHandle(childId).terminate('test over');
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(15);
});
