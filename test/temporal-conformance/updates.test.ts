import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { google, temporal } from '@temporalio/proto';
import { rejectionOf, unique } from './support/env';
import { eventTypes, eventsOfType } from './support/history';
import { ConformanceFile } from './support/suite';
import {
  addItemUpdate,
  closesWithUpdateOpen,
  continueWhileUpdated,
  listThatMayCloseAtOnce,
  finishSignal,
  itemsQuery,
  shoppingList,
  slowAddUpdate,
  waitForeverUpdate,
} from './workflows';

const file = new ConformanceFile('updates');
const { probe, log, onQueue } = file;
const client = () => file.env.client;

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_ABORTED = 10;

/** A workflow-service call's gRPC error: its code, message and the google.rpc.Status details it carried. */
interface GrpcError {
  code: number;
  details: string;
  metadata: { get(key: string): (string | Buffer)[] };
}

function statusDetails(err: GrpcError): { typeName: string; value: Uint8Array }[] {
  const bin = err.metadata.get('grpc-status-details-bin')[0];
  if (!(bin instanceof Buffer)) return [];
  return (google.rpc.Status.decode(bin).details ?? []).map((any) => ({
    typeName: (any.type_url ?? '').replace(/^type.googleapis.com\//, ''),
    value: any.value ?? new Uint8Array(),
  }));
}

/** Fails the test if `promise` has not settled after `ms`, instead of waiting for jest's timeout. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function finish(handle: WorkflowHandle): Promise<unknown> {
  await handle.signal(finishSignal);
  return handle.result();
}

describe('update-with-start', () => {
  test('starts a new workflow with the update, which its first workflow task delivers', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('uws-new');
      const startWorkflowOperation = new WithStartWorkflowOperation(shoppingList, {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
      });
      const result = await client().workflow.executeUpdateWithStart(addItemUpdate, {
        args: ['bread'],
        startWorkflowOperation,
      });
      expect(result).toBe(1);
      const handle = await startWorkflowOperation.workflowHandle();
      log.track(workflowId);
      const types = await eventTypes(handle);
      // The update came with the first workflow task: accepted right after that task completed.
      expect(types.slice(0, 5)).toEqual([
        'WORKFLOW_EXECUTION_STARTED',
        'WORKFLOW_TASK_SCHEDULED',
        'WORKFLOW_TASK_STARTED',
        'WORKFLOW_TASK_COMPLETED',
        'WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
      ]);
      expect((await handle.describe()).raw.workflowExecutionInfo?.firstRunId).toBe((await handle.describe()).runId);
      expect(await finish(handle)).toEqual(['bread']);
    });
  });

  test('USE_EXISTING sends the update to the running workflow; the same update id again runs once', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('uws-existing');
      const running = await client().workflow.start(shoppingList, { workflowId, taskQueue });
      log.track(workflowId);
      expect(await running.executeUpdate(addItemUpdate, { args: ['tea'] })).toBe(1);
      const updateWithStart = () => {
        const startWorkflowOperation = new WithStartWorkflowOperation(shoppingList, {
          workflowId,
          taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
        const result = client().workflow.executeUpdateWithStart(addItemUpdate, {
          args: ['milk'],
          updateId: 'milk-once',
          startWorkflowOperation,
        });
        return { startWorkflowOperation, result };
      };
      const first = updateWithStart();
      expect(await first.result).toBe(2);
      expect((await (await first.startWorkflowOperation.workflowHandle()).describe()).runId).toBe(
        running.firstExecutionRunId,
      );
      const again = updateWithStart();
      expect(await again.result).toBe(2);
      expect(await running.query(itemsQuery)).toEqual(['tea', 'milk']);
      expect(await eventsOfType(running, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(2);
      expect(await client().workflow.count(`WorkflowId = "${workflowId}"`)).toEqual(
        expect.objectContaining({ count: 1 }),
      );
      expect(await finish(running)).toEqual(['tea', 'milk']);
    });
  });

  test('conflict policy FAIL refuses a running workflow id: WorkflowExecutionAlreadyStartedError, no update', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('uws-fail');
      const running = await client().workflow.start(shoppingList, { workflowId, taskQueue });
      log.track(workflowId);
      const startWorkflowOperation = new WithStartWorkflowOperation(shoppingList, {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
      });
      const err = await rejectionOf(
        client().workflow.executeUpdateWithStart(addItemUpdate, { args: ['jam'], startWorkflowOperation }),
      );
      expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      expect(await rejectionOf(startWorkflowOperation.workflowHandle())).toBeInstanceOf(
        WorkflowExecutionAlreadyStartedError,
      );
      expect(await running.query(itemsQuery)).toEqual([]);
      expect(await eventsOfType(running, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(0);
      expect(await finish(running)).toEqual([]);
    });
  });

  test('startUpdateWithStart returns once the update is accepted; its result comes later', async () => {
    const gate = unique('uws-gate');
    await onQueue(async (taskQueue) => {
      const workflowId = unique('uws-accepted');
      const startWorkflowOperation = new WithStartWorkflowOperation(shoppingList, {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      const update = await client().workflow.startUpdateWithStart(slowAddUpdate, {
        args: ['cheese', gate],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
        startWorkflowOperation,
      });
      const handle = await startWorkflowOperation.workflowHandle();
      log.track(workflowId);
      await probe.waitFor(`${gate}:started`);
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(0);
      probe.release(gate);
      expect(await update.result()).toBe(`released ${gate} on attempt 1`);
      expect(await finish(handle)).toEqual(['cheese']);
    });
  });

  test('a completed update id is answered from the closed run without starting another', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('uws-closed');
      const operation = () =>
        new WithStartWorkflowOperation(shoppingList, {
          workflowId,
          taskQueue,
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
      const first = operation();
      expect(
        await client().workflow.executeUpdateWithStart(addItemUpdate, {
          args: ['eggs'],
          updateId: 'eggs',
          startWorkflowOperation: first,
        }),
      ).toBe(1);
      const handle = await first.workflowHandle();
      log.track(workflowId);
      expect(await finish(handle)).toEqual(['eggs']);
      const second = operation();
      expect(
        await client().workflow.executeUpdateWithStart(addItemUpdate, {
          args: ['eggs'],
          updateId: 'eggs',
          startWorkflowOperation: second,
        }),
      ).toBe(1);
      expect((await (await second.workflowHandle()).describe()).runId).toBe((await handle.describe()).runId);
      expect(await client().workflow.count(`WorkflowId = "${workflowId}"`)).toEqual(
        expect.objectContaining({ count: 1 }),
      );
    });
  });

  test('when the running workflow closes without accepting the update, the update-with-start is tried again and a new run takes it', async () => {
    const key = unique('closing-hold');
    await onQueue(async (taskQueue) => {
      const workflowId = unique('uws-closing');
      const first = await client().workflow.start(listThatMayCloseAtOnce, { taskQueue, workflowId, args: [key, 800] });
      log.track(workflowId, first.firstExecutionRunId);
      await probe.waitFor(`${key}:started`); // the first run's only task is in flight
      const startWorkflowOperation = new WithStartWorkflowOperation(listThatMayCloseAtOnce, {
        workflowId,
        taskQueue,
        args: [key, 0],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      const result = client().workflow.executeUpdateWithStart(addItemUpdate, {
        args: ['late'],
        startWorkflowOperation,
      });
      expect(await within(20_000, 'update-with-start', result)).toBe(1);
      expect(await first.result()).toEqual([]); // the first run closed without it
      const second = await startWorkflowOperation.workflowHandle();
      const secondRunId = (await second.describe()).runId;
      expect(secondRunId).not.toBe(first.firstExecutionRunId);
      log.track(workflowId, secondRunId);
      expect(await finish(second)).toEqual(['late']);
    });
  });

  test('operations other than [Start, Update] for one workflow id are refused as a real server refuses them', async () => {
    const service = client().workflowService;
    const namespace = file.env.namespace ?? 'default';
    const workflowId = unique('uws-invalid');
    const start = {
      namespace,
      workflowId,
      workflowType: { name: 'shoppingList' },
      taskQueue: { name: unique('uws-nobody') },
      requestId: unique('request'),
    };
    const update = (id: string) => ({
      namespace,
      workflowExecution: { workflowId: id },
      request: { meta: { updateId: unique('update') }, input: { name: 'addItem' } },
    });

    const onlyStart = (await rejectionOf(
      service.executeMultiOperation({ namespace, operations: [{ startWorkflow: start }] }),
    )) as unknown as GrpcError;
    expect(onlyStart.code).toBe(GRPC_INVALID_ARGUMENT);
    expect(onlyStart.details).toBe('Operations have to be exactly [Start, Update].');

    const swapped = (await rejectionOf(
      service.executeMultiOperation({
        namespace,
        operations: [{ updateWorkflow: update(workflowId) }, { startWorkflow: start }],
      }),
    )) as unknown as GrpcError;
    expect(swapped.code).toBe(GRPC_INVALID_ARGUMENT);

    const otherId = (await rejectionOf(
      service.executeMultiOperation({
        namespace,
        operations: [{ startWorkflow: start }, { updateWorkflow: update(`${workflowId}-other`) }],
      }),
    )) as unknown as GrpcError;
    expect(otherId.code).toBe(GRPC_INVALID_ARGUMENT);
    const [detail] = statusDetails(otherId);
    expect(detail.typeName).toBe('temporal.api.errordetails.v1.MultiOperationExecutionFailure');
    const { statuses } = temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(detail.value);
    expect(statuses.map((s) => s.code)).toEqual([GRPC_ABORTED, GRPC_INVALID_ARGUMENT]);
    expect(statuses[0].details?.[0]?.type_url).toBe(
      'type.googleapis.com/temporal.api.failure.v1.MultiOperationExecutionAborted',
    );
    expect(statuses[1].message).toBe('WorkflowId is not consistent with previous operation(s).');

    // Through the SDK: a start delay cannot go with an update (the first task must carry it).
    const delayed = await rejectionOf(
      client().workflow.executeUpdateWithStart(addItemUpdate, {
        args: ['late'],
        startWorkflowOperation: new WithStartWorkflowOperation(shoppingList, {
          workflowId,
          taskQueue: start.taskQueue.name,
          workflowIdConflictPolicy: 'FAIL',
          startDelay: '1 hour',
        }),
      }),
    );
    expect((delayed as unknown as GrpcError).code).toBe(GRPC_INVALID_ARGUMENT);
    expect(delayed.message).toBe('WorkflowStartDelay is not supported.');
    // Nothing was started by any of them.
    expect(await rejectionOf(client().workflow.getHandle(workflowId).describe())).toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('update edge cases', () => {
  test('an update accepted but not finished when the workflow completes fails with AcceptedUpdateCompletedWorkflow', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await client().workflow.start(closesWithUpdateOpen, { taskQueue, workflowId: unique('open') });
      log.track(handle.workflowId);
      const update = await handle.startUpdate(waitForeverUpdate, { waitForStage: WorkflowUpdateStage.ACCEPTED });
      expect(await finish(handle)).toBe('closed with an update open');
      const err = await within(15_000, 'the update result', rejectionOf(update.result()));
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect((cause as ApplicationFailure).type).toBe('AcceptedUpdateCompletedWorkflow');
      expect((cause as ApplicationFailure).nonRetryable).toBe(true);
      expect(cause?.message).toBe('Workflow Update failed because the Workflow completed before the Update completed.');
      // A new handle on the same update id gets the same outcome.
      const again = await rejectionOf(handle.getUpdateHandle(update.updateId).result());
      expect((again as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
    });
  });

  test('an update that arrives while the workflow continues as new lands on the new run', async () => {
    const key = unique('continue-hold');
    await onQueue(async (taskQueue) => {
      const handle = await client().workflow.start(continueWhileUpdated, {
        taskQueue,
        workflowId: unique('continuing'),
        args: [key, 800],
      });
      log.track(handle.workflowId, handle.firstExecutionRunId);
      await probe.waitFor(`${key}:started`); // the first run's only task is in flight
      const result = await within(20_000, 'the update', handle.executeUpdate(addItemUpdate, { args: ['moved'] }));
      expect(result).toBe(1);
      const secondRunId = (await handle.describe()).runId;
      expect(secondRunId).not.toBe(handle.firstExecutionRunId);
      log.track(handle.workflowId, secondRunId);
      const first = client().workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
      expect(await eventsOfType(first, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED')).toHaveLength(0);
      expect(await finish(handle)).toEqual(['moved']);
    });
  });

  test('an update to a workflow waiting out its start delay starts it at once and is delivered', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await client().workflow.start(shoppingList, {
        taskQueue,
        workflowId: unique('delayed'),
        startDelay: '10 days',
      });
      log.track(handle.workflowId);
      expect(await within(15_000, 'the update', handle.executeUpdate(addItemUpdate, { args: ['flour'] }))).toBe(1);
      const [started] = await eventsOfType(handle, 'WORKFLOW_EXECUTION_STARTED');
      expect(started.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff?.seconds).toBeTruthy();
      expect(await finish(handle)).toEqual(['flour']);
    });
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(11);
});
