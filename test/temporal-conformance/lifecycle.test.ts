import { Client, WorkflowFailedError } from '@temporalio/client';
import {
  CancelledFailure,
  defaultPayloadConverter,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eventually, rejectionOf, unique } from './support/env';
import { eventsOfType, eventTypes, waitForEvent } from './support/history';
import { ConformanceFile } from './support/suite';
import {
  addItemUpdate,
  addSignal,
  blockForever,
  buggyAfterTimer,
  callActivity,
  buggyWorkflow,
  cleanupOnCancel,
  collectSignals,
  continueForever,
  countdown,
  failWith,
  finishSignal,
  historyInfo,
  itemsQuery,
  shoppingList,
  sleepAndReport,
  succeed,
} from './workflows';

const file = new ConformanceFile('lifecycle');
const { probe, log, onQueue } = file;

async function lastEventType(workflowId: string, runId?: string): Promise<string> {
  const types = await eventTypes(file.env.client.workflow.getHandle(workflowId, runId));
  return types[types.length - 1];
}

describe('cancellation and termination', () => {
  test('a cancelled workflow runs its non-cancellable cleanup and ends CANCELLED', async () => {
    const key = unique('cleanup');
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(cleanupOnCancel, {
        taskQueue,
        workflowId: unique('cancel-me'),
        args: [key],
      });
      log.track(handle.workflowId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
      await handle.cancel();
      const err = await rejectionOf(handle.result());
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(probe.has(`${key}:cleanup`)).toBe(true);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      const types = await eventTypes(handle);
      expect(types).toEqual(expect.arrayContaining(['WORKFLOW_EXECUTION_CANCEL_REQUESTED', 'ACTIVITY_TASK_COMPLETED']));
      expect(types[types.length - 1]).toBe('WORKFLOW_EXECUTION_CANCELED');
    });
  });

  test('terminate ends a workflow at once with the given reason; a closed one cannot be terminated', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(blockForever, {
        taskQueue,
        workflowId: unique('terminate-me'),
      });
      log.track(handle.workflowId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
      await handle.terminate('no longer needed');
      const err = await rejectionOf(handle.result());
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
      expect(err.message).toBe('no longer needed');
      expect((await handle.describe()).status.name).toBe('TERMINATED');
      const [terminated] = await eventsOfType(handle, 'WORKFLOW_EXECUTION_TERMINATED');
      expect(terminated.workflowExecutionTerminatedEventAttributes?.reason).toBe('no longer needed');
      expect(await rejectionOf(handle.terminate('again'))).toBeInstanceOf(WorkflowNotFoundError);
    });
  });
});

describe('continue-as-new', () => {
  test('a chain of runs ends with the final run result, reachable from the first run', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('countdown');
      const handle = await file.env.client.workflow.start(countdown, { taskQueue, workflowId, args: [3] });
      log.track(workflowId, handle.firstExecutionRunId);
      log.track(workflowId);
      expect(await handle.result()).toBe('finished after 4 runs (previous run known)');
      expect(await file.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).result()).toBe(
        'finished after 4 runs (previous run known)',
      );
      expect(await lastEventType(workflowId, handle.firstExecutionRunId)).toBe('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
      expect(
        (await file.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe()).status.name,
      ).toBe('CONTINUED_AS_NEW');
      const latest = await file.env.client.workflow.getHandle(workflowId).describe();
      expect(latest.runId).not.toBe(handle.firstExecutionRunId);
      expect(latest.status.name).toBe('COMPLETED');
    });
  });
});

describe('signal-with-start', () => {
  test('starts a missing workflow with the signal, then signals the running one', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('signal-with-start');
      const first = await file.env.client.workflow.signalWithStart(collectSignals, {
        taskQueue,
        workflowId,
        args: [2],
        signal: addSignal,
        signalArgs: ['first'],
      });
      log.track(workflowId);
      const second = await file.env.client.workflow.signalWithStart(collectSignals, {
        taskQueue,
        workflowId,
        args: [2],
        signal: addSignal,
        signalArgs: ['second'],
      });
      expect(second.signaledRunId).toBe(first.signaledRunId);
      expect(await first.result()).toEqual(['first', 'second']);
      const types = await eventTypes(first);
      expect(types.slice(0, 2)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_EXECUTION_SIGNALED']);
      expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_STARTED')).toHaveLength(1);

      const third = await file.env.client.workflow.signalWithStart(collectSignals, {
        taskQueue,
        workflowId,
        args: [1],
        signal: addSignal,
        signalArgs: ['new run'],
      });
      log.track(workflowId, third.signaledRunId);
      expect(third.signaledRunId).not.toBe(first.signaledRunId);
      expect(await third.result()).toEqual(['new run']);
    });
  });

  test('conflict policy TERMINATE_EXISTING replaces the running workflow (the new run gets the signal); FAIL is refused', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('signal-with-replace');
      const options = { taskQueue, workflowId, signal: addSignal } as const;
      const first = await file.env.client.workflow.signalWithStart(collectSignals, {
        ...options,
        args: [2],
        signalArgs: ['first'],
      });
      log.track(workflowId, first.signaledRunId);
      const second = await file.env.client.workflow.signalWithStart(collectSignals, {
        ...options,
        args: [1],
        signalArgs: ['second'],
        workflowIdConflictPolicy: 'TERMINATE_EXISTING',
      });
      log.track(workflowId, second.signaledRunId);
      expect(second.signaledRunId).not.toBe(first.signaledRunId);
      expect(await second.result()).toEqual(['second']);
      const firstRun = file.env.client.workflow.getHandle(workflowId, first.signaledRunId);
      expect((await firstRun.describe()).status.name).toBe('TERMINATED');
      expect((await eventTypes(firstRun)).filter((t) => t === 'WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(1);

      const refused = await rejectionOf(
        file.env.client.workflow.signalWithStart(collectSignals, {
          ...options,
          args: [1],
          signalArgs: ['never'],
          workflowIdConflictPolicy: 'FAIL',
        }),
      );
      const cause = refused.cause as { code?: number; message?: string } | undefined;
      expect(cause?.code).toBe(3); // INVALID_ARGUMENT
      expect(cause?.message).toContain('WORKFLOW_ID_CONFLICT_POLICY_FAIL is not supported for this operation');
    });
  });
});

describe('eager workflow start', () => {
  test("a client sharing the worker's connection gets the first workflow task in the start response", async () => {
    // Eager start needs the client on the worker's NativeConnection; its identity tells who started the first task.
    const client = new Client({
      connection: file.env.nativeConnection,
      namespace: file.env.namespace ?? 'default',
      identity: unique('eager-starter'),
    });
    await onQueue(async (taskQueue) => {
      const eager = await client.workflow.start(succeed, {
        taskQueue,
        workflowId: unique('eager'),
        args: ['eager'],
        requestEagerStart: true,
      });
      log.track(eager.workflowId);
      const polled = await client.workflow.start(succeed, {
        taskQueue,
        workflowId: unique('not-eager'),
        args: ['polled'],
      });
      log.track(polled.workflowId);
      expect(await eager.result()).toBe('eager');
      expect(await polled.result()).toBe('polled');
      const [eagerStart] = await eventsOfType(eager, 'WORKFLOW_TASK_STARTED');
      expect(eagerStart.workflowTaskStartedEventAttributes?.identity).toBe(client.options.identity);
      const [polledStart] = await eventsOfType(polled, 'WORKFLOW_TASK_STARTED');
      expect(polledStart.workflowTaskStartedEventAttributes?.identity).not.toBe(client.options.identity);
    });
  });
});

describe('history size', () => {
  test('workflow tasks report the history size, and suggest continue-as-new past 4096 events', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(historyInfo, {
        taskQueue,
        workflowId: unique('history-size'),
        args: [2100],
      });
      log.track(handle.workflowId);
      const info = await handle.result();
      expect(info.sizeAtStart).toBeGreaterThan(0);
      expect(info.suggestedAtStart).toBe(false);
      expect(info.lengthAfter).toBeGreaterThan(4200);
      expect(info.sizeAfter).toBeGreaterThan(info.sizeAtStart + 4200 * 20); // every event has some bytes
      expect(info.suggestedAfter).toBe(true);
    });
  });
});

describe('workflow task failures', () => {
  test('a plain Error in workflow code fails the workflow task; the workflow stays RUNNING and the task is retried', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(buggyWorkflow, { taskQueue, workflowId: unique('buggy') });
      await waitForEvent(handle, 'WORKFLOW_TASK_FAILED');
      const [failed] = await eventsOfType(handle, 'WORKFLOW_TASK_FAILED');
      expect(failed.workflowTaskFailedEventAttributes?.failure?.message).toContain('bug in workflow code');
      await eventually(async () =>
        expect((await handle.describe()).raw.pendingWorkflowTask?.attempt ?? 0).toBeGreaterThanOrEqual(2),
      );
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test over'); // not replayed: the bug would fail the replay too, by design
    });
  });

  test('a task failing on the sticky queue is retried as attempt 1; from attempt 2 on nothing more is written', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(buggyAfterTimer, {
        taskQueue,
        workflowId: unique('buggy-sticky'),
        // The worker does not report later attempts: they time out. Long enough for a loaded machine to
        // report the attempt-1 failures (a timeout instead would be written as WORKFLOW_TASK_TIMED_OUT).
        workflowTaskTimeout: '3s',
      });
      await eventually(
        async () => expect((await handle.describe()).raw.pendingWorkflowTask?.attempt).toBeGreaterThanOrEqual(3),
        { timeoutMs: 40_000 },
      );
      const length = (await handle.describe()).historyLength;
      await new Promise((resolve) => setTimeout(resolve, 3500));
      expect((await handle.describe()).historyLength).toBe(length);
      // The sticky failure and the attempt-1 retry on the normal queue; nothing for attempts 2, 3, ...
      const failed = await eventsOfType(handle, 'WORKFLOW_TASK_FAILED');
      expect(failed.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message)).toEqual([
        'bug after the timer',
        'bug after the timer',
      ]);
      const scheduled = await eventsOfType(handle, 'WORKFLOW_TASK_SCHEDULED');
      expect(scheduled.map((e) => e.workflowTaskScheduledEventAttributes?.attempt)).toEqual([1, 1, 1]);
      expect(await eventsOfType(handle, 'WORKFLOW_TASK_TIMED_OUT')).toHaveLength(0);
      await handle.terminate('test over');
    });
  });
});

describe('workflow id reuse and conflict policies', () => {
  test('a second start while the first runs fails with WorkflowExecutionAlreadyStartedError', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('duplicate');
      const handle = await file.env.client.workflow.start(blockForever, { taskQueue, workflowId });
      log.track(workflowId);
      const err = await rejectionOf(file.env.client.workflow.start(blockForever, { taskQueue, workflowId }));
      expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      await handle.terminate('test over');
    });
  });

  test('conflict policy USE_EXISTING returns the running execution', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('use-existing');
      const first = await file.env.client.workflow.start(blockForever, { taskQueue, workflowId });
      log.track(workflowId);
      const second = await file.env.client.workflow.start(blockForever, {
        taskQueue,
        workflowId,
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
      await first.terminate('test over');
    });
  });

  test('conflict policy TERMINATE_EXISTING and reuse policy TERMINATE_IF_RUNNING replace the running execution', async () => {
    await onQueue(async (taskQueue) => {
      for (const options of [
        { workflowIdConflictPolicy: 'TERMINATE_EXISTING' as const },
        { workflowIdReusePolicy: 'TERMINATE_IF_RUNNING' as const },
      ]) {
        const workflowId = unique('replace');
        const first = await file.env.client.workflow.start(blockForever, { taskQueue, workflowId });
        log.track(workflowId, first.firstExecutionRunId);
        const second = await file.env.client.workflow.start(collectSignals, {
          taskQueue,
          workflowId,
          args: [1],
          ...options,
        });
        log.track(workflowId, second.firstExecutionRunId);
        expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
        expect(
          (await file.env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name,
        ).toBe('TERMINATED');
        await second.signal(addSignal, 'done');
        expect(await second.result()).toEqual(['done']);
      }
    });
  });

  test('ALLOW_DUPLICATE starts a new run after a completed one; REJECT_DUPLICATE refuses', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('reuse');
      const first = await file.env.client.workflow.start(succeed, { taskQueue, workflowId, args: ['one'] });
      log.track(workflowId, first.firstExecutionRunId);
      expect(await first.result()).toBe('one');
      const second = await file.env.client.workflow.start(succeed, {
        taskQueue,
        workflowId,
        args: ['two'],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      log.track(workflowId, second.firstExecutionRunId);
      expect(second.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
      expect(await second.result()).toBe('two');
      const err = await rejectionOf(
        file.env.client.workflow.start(succeed, {
          taskQueue,
          workflowId,
          args: ['three'],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
      expect(err).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
    });
  });

  test('ALLOW_DUPLICATE_FAILED_ONLY refuses after success and allows after failure', async () => {
    await onQueue(async (taskQueue) => {
      const succeededId = unique('failed-only-ok');
      await file.env.client.workflow.execute(succeed, { taskQueue, workflowId: succeededId, args: ['fine'] });
      log.track(succeededId);
      const refused = await rejectionOf(
        file.env.client.workflow.start(succeed, {
          taskQueue,
          workflowId: succeededId,
          args: ['again'],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        }),
      );
      expect(refused).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

      const failedId = unique('failed-only-failed');
      const failed = await file.env.client.workflow.start(failWith, {
        taskQueue,
        workflowId: failedId,
        args: ['first try fails'],
      });
      log.track(failedId, failed.firstExecutionRunId);
      expect(await rejectionOf(failed.result())).toBeInstanceOf(WorkflowFailedError);
      const retry = await file.env.client.workflow.start(succeed, {
        taskQueue,
        workflowId: failedId,
        args: ['second try'],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
      log.track(failedId, retry.firstExecutionRunId);
      expect(await retry.result()).toBe('second try');
    });
  });

  test('a start or signal repeated with the same request id takes effect once', async () => {
    await onQueue(async (taskQueue) => {
      const namespace = file.env.client.options.namespace;
      const workflowId = unique('request-id');
      const start = (requestId: string) =>
        file.env.client.workflowService.startWorkflowExecution({
          namespace,
          workflowId,
          requestId,
          workflowType: { name: 'collectSignals' },
          taskQueue: { name: taskQueue },
          input: { payloads: [defaultPayloadConverter.toPayload(2)] },
          identity: 'conformance',
        });
      const first = await start('start-request-1');
      const repeated = await start('start-request-1');
      expect(repeated.runId).toBe(first.runId);
      expect(((await rejectionOf(start('start-request-2'))) as { code?: number }).code).toBe(6); // ALREADY_EXISTS
      log.track(workflowId);
      const signal = (requestId: string, value: string) =>
        file.env.client.workflowService.signalWorkflowExecution({
          namespace,
          workflowExecution: { workflowId },
          signalName: 'add',
          input: { payloads: [defaultPayloadConverter.toPayload(value)] },
          requestId,
          identity: 'conformance',
        });
      await signal('signal-request-1', 'once');
      await signal('signal-request-1', 'once');
      await signal('signal-request-2', 'other');
      const handle = file.env.client.workflow.getHandle<typeof collectSignals>(workflowId);
      expect(await handle.result()).toEqual(['once', 'other']);
      expect(await eventsOfType(handle, 'WORKFLOW_EXECUTION_STARTED')).toHaveLength(1);
    });
  });
});

describe('run and execution timeouts', () => {
  test('a run timeout ends the run TIMED_OUT', async () => {
    await onQueue(async (taskQueue) => {
      const handle = await file.env.client.workflow.start(sleepAndReport, {
        taskQueue,
        workflowId: unique('run-timeout'),
        args: [60_000],
        workflowRunTimeout: '1s',
      });
      log.track(handle.workflowId);
      const err = await rejectionOf(handle.result());
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
      expect((await handle.describe()).status.name).toBe('TIMED_OUT');
      expect(await lastEventType(handle.workflowId)).toBe('WORKFLOW_EXECUTION_TIMED_OUT');
    });
  });

  test('an execution timeout spans continue-as-new runs', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('execution-timeout');
      const handle = await file.env.client.workflow.start(continueForever, {
        taskQueue,
        workflowId,
        args: [300],
        workflowExecutionTimeout: '4s',
      });
      log.track(workflowId, handle.firstExecutionRunId);
      log.track(workflowId);
      const err = await rejectionOf(handle.result());
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
      expect(await lastEventType(workflowId, handle.firstExecutionRunId)).toBe('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
      const latest = await file.env.client.workflow.getHandle(workflowId).describe();
      expect(latest.runId).not.toBe(handle.firstExecutionRunId);
      expect(latest.status.name).toBe('TIMED_OUT');
    });
  });
});

type FinishEventId = NonNullable<
  temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest['workflowTaskFinishEventId']
>;

describe('reset', () => {
  const reset = (
    workflowId: string,
    runId: string,
    workflowTaskFinishEventId: number,
  ): Promise<temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse> =>
    file.env.client.workflowService.resetWorkflowExecution({
      namespace: file.env.namespace ?? 'default',
      workflowExecution: { workflowId, runId },
      // protobufjs takes a plain number for an int64 field (the type says Long).
      workflowTaskFinishEventId: workflowTaskFinishEventId as unknown as FinishEventId,
      reason: 'conformance reset',
      requestId: unique('reset'),
      identity: 'conformance',
    });

  test('a reset to the first workflow task runs a completed workflow again in a new run', async () => {
    await onQueue(async (taskQueue) => {
      const key = unique('reset-activity');
      const workflowId = unique('reset-first');
      const handle = await file.env.client.workflow.start(callActivity, {
        taskQueue,
        workflowId,
        args: ['failTimes', [key, 0], { startToCloseTimeout: '10s' }],
      });
      log.track(workflowId, handle.firstExecutionRunId);
      expect(await handle.result()).toBe(1);
      const { runId } = await reset(workflowId, handle.firstExecutionRunId, 3); // the first task's started event
      expect(runId).toBeTruthy();
      expect(runId).not.toBe(handle.firstExecutionRunId);
      log.track(workflowId, runId!);
      const again = file.env.client.workflow.getHandle(workflowId, runId!);
      expect(await again.result()).toBe(1);
      expect(probe.count(key)).toBe(2);
      const events = (await again.fetchHistory()).events ?? [];
      const failed = events[3].workflowTaskFailedEventAttributes;
      expect(failed?.cause).toBe(
        temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
      );
      expect(failed?.baseRunId).toBe(handle.firstExecutionRunId);
      expect(failed?.newRunId).toBe(runId);
      const baseRun = file.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
      expect((await baseRun.describe()).status.name).toBe('COMPLETED');
    });
  });

  test('a reset of a running workflow terminates it; signals after the reset point are applied again', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('reset-signals');
      const handle = await file.env.client.workflow.start(collectSignals, { taskQueue, workflowId, args: [3] });
      log.track(workflowId, handle.firstExecutionRunId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED', 1);
      await handle.signal(addSignal, 'a');
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED', 2);
      await handle.signal(addSignal, 'b');
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED', 3);
      const afterA = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED'))[1].eventId;
      const { runId } = await reset(workflowId, handle.firstExecutionRunId, Number(afterA));
      log.track(workflowId, runId!);
      const baseRun = file.env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
      expect((await baseRun.describe()).status.name).toBe('TERMINATED');
      const resetRun = file.env.client.workflow.getHandle(workflowId, runId!);
      expect(await resetRun.query(itemsQuery)).toEqual(['a', 'b']);
      await resetRun.signal(addSignal, 'c');
      expect(await resetRun.result()).toEqual(['a', 'b', 'c']);
      // The reset run's history: the base run's up to the reset point, the reset, then 'b' again.
      const types = await eventTypes(resetRun);
      const resetAt = types.indexOf('WORKFLOW_TASK_FAILED');
      expect(resetAt).toBe(Number(afterA) - 1);
      expect(types[resetAt + 1]).toBe('WORKFLOW_EXECUTION_SIGNALED');
      expect(types.filter((t) => t === 'WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(3);
    });
  });

  test('updates after the reset point are applied again (admitted from history); excluding updates leaves them out', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('reset-updates');
      const handle = await file.env.client.workflow.start(shoppingList, { taskQueue, workflowId });
      log.track(workflowId, handle.firstExecutionRunId);
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED', 1);
      const firstTask = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED'))[0].eventId;
      await handle.signal(addSignal, 'signalled');
      expect(await handle.executeUpdate(addItemUpdate, { args: ['updated'], updateId: unique('update') })).toBe(2);
      const resetTo = async (exclude: temporal.api.enums.v1.ResetReapplyExcludeType[]) => {
        const { runId } = await file.env.client.workflowService.resetWorkflowExecution({
          namespace: file.env.namespace ?? 'default',
          workflowExecution: { workflowId, runId: handle.firstExecutionRunId },
          workflowTaskFinishEventId: firstTask,
          reason: 'conformance reset',
          requestId: unique('reset'),
          resetReapplyExcludeTypes: exclude,
        });
        log.track(workflowId, runId!);
        return file.env.client.workflow.getHandle<typeof shoppingList>(workflowId, runId!);
      };
      // Everything re-applied: the signal, then the update, which the workflow handles again.
      const all = await resetTo([]);
      expect(await all.query(itemsQuery)).toEqual(['signalled', 'updated']);
      const admitted = await eventsOfType(all, 'WORKFLOW_EXECUTION_UPDATE_ADMITTED');
      expect(admitted).toHaveLength(1);
      expect(admitted[0].workflowExecutionUpdateAdmittedEventAttributes?.origin).toBe(
        temporal.api.enums.v1.UpdateAdmittedEventOrigin.UPDATE_ADMITTED_EVENT_ORIGIN_REAPPLY,
      );
      expect(admitted[0].workflowExecutionUpdateAdmittedEventAttributes?.request?.input?.name).toBe('addItem');
      expect(await eventsOfType(all, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(1);
      await all.signal(finishSignal);
      expect(await all.result()).toEqual(['signalled', 'updated']);
      // Updates excluded: only the signal comes back.
      const signalsOnly = await resetTo([
        temporal.api.enums.v1.ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
      ]);
      expect(await signalsOnly.query(itemsQuery)).toEqual(['signalled']);
      expect(await eventsOfType(signalsOnly, 'WORKFLOW_EXECUTION_UPDATE_ADMITTED')).toHaveLength(0);
      await signalsOnly.signal(finishSignal);
      expect(await signalsOnly.result()).toEqual(['signalled']);
    });
  });

  test('a reset point that is not a workflow task event is refused', async () => {
    await onQueue(async (taskQueue) => {
      const workflowId = unique('reset-invalid');
      const handle = await file.env.client.workflow.start(succeed, { taskQueue, workflowId, args: ['once'] });
      log.track(workflowId);
      await handle.result();
      const err = await rejectionOf(reset(workflowId, handle.firstExecutionRunId, 2)); // WORKFLOW_TASK_SCHEDULED
      expect((err as { code?: number }).code).toBe(3); // INVALID_ARGUMENT
      const beyond = await rejectionOf(reset(workflowId, handle.firstExecutionRunId, 999));
      expect((beyond as { code?: number }).code).toBe(3);
    });
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(16);
});

describe('deletion', () => {
  test('DeleteWorkflowExecution terminates a running execution and removes it; a closed one is removed too', async () => {
    await onQueue(async (taskQueue) => {
      const running = await file.env.client.workflow.start(blockForever, {
        taskQueue,
        workflowId: unique('delete-running'),
      });
      await waitForEvent(running, 'WORKFLOW_TASK_COMPLETED');
      const done = await file.env.client.workflow.start(succeed, {
        taskQueue,
        workflowId: unique('delete-done'),
        args: ['kept?'],
      });
      expect(await done.result()).toBe('kept?');
      const namespace = file.env.client.options.namespace;
      for (const h of [running, done]) {
        await file.env.client.workflowService.deleteWorkflowExecution({
          namespace,
          workflowExecution: { workflowId: h.workflowId, runId: h.firstExecutionRunId },
        });
      }
      // A real cluster deletes asynchronously: wait until both are gone.
      for (const h of [running, done]) {
        await eventually(async () => expect(await rejectionOf(h.describe())).toBeInstanceOf(WorkflowNotFoundError));
      }
      await expect(file.env.client.workflow.getHandle(running.workflowId).describe()).rejects.toBeInstanceOf(
        WorkflowNotFoundError,
      );
    });
  });
});
