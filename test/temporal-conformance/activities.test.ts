import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import type { ActivityOptions } from '@temporalio/workflow';
import { createActivities } from './activities';
import type { ConformanceActivities } from './activities';
import { rejectionOf, unique, withWorker } from './support/env';
import { eventsOfType, eventTypes } from './support/history';
import { ConformanceFile } from './support/suite';
import { callActivity, cancelActivityOnSignal, cancelActivitySignal } from './workflows';

const file = new ConformanceFile('activities');
const { probe, log } = file;

/** Runs callActivity on a fresh worker and task queue; resolves or rejects like the workflow. */
async function runActivity(
  activity: keyof ConformanceActivities,
  args: unknown[],
  options: ActivityOptions,
): Promise<unknown> {
  const taskQueue = unique('activities');
  return withWorker(file.env, { taskQueue, activities: createActivities(probe) }, async () => {
    const handle = await file.env.client.workflow.start(callActivity, {
      taskQueue,
      workflowId: unique(`activity-${activity}`),
      args: [activity, args, options],
    });
    log.track(handle.workflowId);
    return handle.result();
  });
}

/** The ActivityFailure behind a failed workflow. */
async function activityFailureOf(promise: Promise<unknown>): Promise<ActivityFailure> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  return cause as ActivityFailure;
}

test('an activity result reaches the workflow and history records scheduled, started, completed', async () => {
  const taskQueue = unique('activities');
  await withWorker(file.env, { taskQueue, activities: createActivities(probe) }, async () => {
    const handle = await file.env.client.workflow.start(callActivity, {
      taskQueue,
      workflowId: unique('greet'),
      args: ['greet', ['Ada'], { startToCloseTimeout: '10s' }],
    });
    log.track(handle.workflowId);
    expect(await handle.result()).toBe('Hello, Ada');
    const types = await eventTypes(handle);
    expect(types[0]).toBe('WORKFLOW_EXECUTION_STARTED');
    expect(types.filter((t) => t.startsWith('ACTIVITY_TASK'))).toEqual([
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
    ]);
    expect(types[types.length - 1]).toBe('WORKFLOW_EXECUTION_COMPLETED');
  });
});

test('the server retries a failing activity per its retry policy; only the final attempt is in history', async () => {
  const key = unique('flaky');
  const taskQueue = unique('activities');
  await withWorker(file.env, { taskQueue, activities: createActivities(probe) }, async () => {
    const options: ActivityOptions = {
      startToCloseTimeout: '10s',
      retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 5 },
    };
    const handle = await file.env.client.workflow.start(callActivity, {
      taskQueue,
      workflowId: unique('flaky'),
      args: ['failTimes', [key, 2], options],
    });
    log.track(handle.workflowId);
    expect(await handle.result()).toBe(3);
    expect(probe.count(key)).toBe(3);
    expect(await eventsOfType(handle, 'ACTIVITY_TASK_SCHEDULED')).toHaveLength(1);
    const started = await eventsOfType(handle, 'ACTIVITY_TASK_STARTED');
    expect(started).toHaveLength(1);
    expect(started[0].activityTaskStartedEventAttributes?.attempt).toBe(3);
  });
});

test('an activity that always fails stops after maximumAttempts with the last failure', async () => {
  const key = unique('always');
  const failure = await activityFailureOf(
    runActivity('alwaysFail', [key, 'FlakyError'], {
      startToCloseTimeout: '10s',
      retry: { initialInterval: '50ms', backoffCoefficient: 1, maximumAttempts: 3 },
    }),
  );
  expect(failure.retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
  expect(failure.activityType).toBe('alwaysFail');
  expect(failure.cause).toBeInstanceOf(ApplicationFailure);
  expect((failure.cause as ApplicationFailure).type).toBe('FlakyError');
  expect(failure.cause?.message).toBe('always fails with FlakyError');
  expect(probe.count(key)).toBe(3);
});

test('a non-retryable ApplicationFailure is not retried and keeps its details', async () => {
  const key = unique('nonretryable');
  const failure = await activityFailureOf(
    runActivity('failNonRetryable', [key], {
      startToCloseTimeout: '10s',
      retry: { initialInterval: '50ms', maximumAttempts: 10 },
    }),
  );
  expect(failure.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  const cause = failure.cause as ApplicationFailure;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause.type).toBe('BadInput');
  expect(cause.nonRetryable).toBe(true);
  expect(cause.details).toEqual([{ field: 'nhsNumber' }]);
  expect(probe.count(key)).toBe(1);
});

test('error types listed in nonRetryableErrorTypes are not retried by the server', async () => {
  const key = unique('fatal');
  const failure = await activityFailureOf(
    runActivity('alwaysFail', [key, 'FatalError'], {
      startToCloseTimeout: '10s',
      retry: { initialInterval: '50ms', maximumAttempts: 10, nonRetryableErrorTypes: ['FatalError'] },
    }),
  );
  expect(failure.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  expect((failure.cause as ApplicationFailure).type).toBe('FatalError');
  expect(probe.count(key)).toBe(1);
});

test('a non-retryable failure on the last allowed attempt is reported NON_RETRYABLE_FAILURE, not MAXIMUM_ATTEMPTS_REACHED', async () => {
  const listed = unique('fatal-once');
  const byType = await activityFailureOf(
    runActivity('alwaysFail', [listed, 'FatalError'], {
      startToCloseTimeout: '10s',
      retry: { maximumAttempts: 1, nonRetryableErrorTypes: ['FatalError'] },
    }),
  );
  expect(byType.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  const flagged = unique('nonretryable-once');
  const byFlag = await activityFailureOf(
    runActivity('failNonRetryable', [flagged], { startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } }),
  );
  expect(byFlag.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  // A retryable failure on the last attempt is the attempts running out.
  const flaky = unique('flaky-once');
  const byAttempts = await activityFailureOf(
    runActivity('alwaysFail', [flaky, 'FlakyError'], { startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } }),
  );
  expect(byAttempts.retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
});

test('a start-to-close timeout listed as TemporalTimeout:StartToClose in nonRetryableErrorTypes is not retried', async () => {
  const key = unique('slow-fatal');
  const failure = await activityFailureOf(
    runActivity('sleepFor', [key, 4000], {
      startToCloseTimeout: '500ms',
      retry: {
        initialInterval: '100ms',
        maximumAttempts: 5,
        nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'],
      },
    }),
  );
  expect(failure.retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.START_TO_CLOSE);
  expect(probe.count(key)).toBe(1);
});

test('schedule-to-start timeout: nobody polls the activity task queue', async () => {
  const failure = await activityFailureOf(
    runActivity('greet', ['nobody'], {
      taskQueue: unique('unpolled'),
      scheduleToStartTimeout: '1s',
      startToCloseTimeout: '5s',
    }),
  );
  expect(failure.cause).toBeInstanceOf(TimeoutFailure);
  expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.SCHEDULE_TO_START);
});

test('start-to-close timeout is retried, then fails with the timeout', async () => {
  const key = unique('slow');
  const failure = await activityFailureOf(
    runActivity('sleepFor', [key, 4000], {
      startToCloseTimeout: '500ms',
      retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 2 },
    }),
  );
  expect(failure.retryState).toBe(RetryState.MAXIMUM_ATTEMPTS_REACHED);
  expect(failure.cause).toBeInstanceOf(TimeoutFailure);
  expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.START_TO_CLOSE);
  expect(probe.count(key)).toBe(2);
});

test('schedule-to-close timeout bounds all attempts together', async () => {
  const key = unique('slow-total');
  const failure = await activityFailureOf(runActivity('sleepFor', [key, 5000], { scheduleToCloseTimeout: '1s' }));
  expect(failure.cause).toBeInstanceOf(TimeoutFailure);
  expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.SCHEDULE_TO_CLOSE);
  expect(probe.count(key)).toBe(1);
});

test('heartbeat timeout fails an activity that stops heartbeating', async () => {
  const key = unique('stall');
  const failure = await activityFailureOf(
    runActivity('heartbeatThenStall', [key, 'checkpoint-1', 3000], {
      startToCloseTimeout: '30s',
      heartbeatTimeout: '1s',
      retry: { maximumAttempts: 1 },
    }),
  );
  expect(failure.cause).toBeInstanceOf(TimeoutFailure);
  expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.HEARTBEAT);
});

test('after a heartbeat timeout the retry receives the last heartbeat details', async () => {
  const key = unique('resume');
  const result = await runActivity('heartbeatThenStall', [key, 'checkpoint-42', 3000], {
    startToCloseTimeout: '30s',
    heartbeatTimeout: '1s',
    retry: { initialInterval: '100ms', maximumAttempts: 3 },
  });
  expect(result).toEqual({ attempt: 2, details: 'checkpoint-42' });
});

test('cancelling a running activity reaches it through heartbeats and is recorded in history', async () => {
  const key = unique('cancel-me');
  const taskQueue = unique('activities');
  await withWorker(file.env, { taskQueue, activities: createActivities(probe) }, async () => {
    const handle = await file.env.client.workflow.start(cancelActivityOnSignal, {
      taskQueue,
      workflowId: unique('cancel-activity'),
      args: [key],
    });
    log.track(handle.workflowId);
    await probe.waitFor(`${key}:started`);
    await handle.signal(cancelActivitySignal);
    expect(await handle.result()).toBe('activity cancelled');
    expect(probe.has(`${key}:cancelled`)).toBe(true);
    const types = await eventTypes(handle);
    expect(types).toContain('ACTIVITY_TASK_CANCEL_REQUESTED');
    expect(types).toContain('ACTIVITY_TASK_CANCELED');
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(10);
});
