import {
  Client,
  Connection,
  ScheduleOverlapPolicy,
  WorkflowUpdateStage,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../temporal-conformance/activities';
import { workflowBundle } from '../temporal-conformance/support/bundle';
import { quietRuntime, unique } from '../temporal-conformance/support/env';
import { eventsOfType, eventTypes, ExecutionLog, waitForEvent } from '../temporal-conformance/support/history';
import { ActivityProbe } from '../temporal-conformance/support/probe';
import {
  activitiesAndTimers,
  addSignal,
  callActivity,
  cancelActivityOnSignal,
  cancelActivitySignal,
  collectSignals,
  finishSignal,
  shoppingList,
  sleepAndReport,
  slowAddUpdate,
  succeed,
} from '../temporal-conformance/workflows';
import { ServerUnderTest } from './server-process';

/**
 * SIGKILLs the embedded server (its own process, persistent PostgreSQL database) in the middle
 * of work and restarts it on the same port and database: every workflow must still finish
 * with the right result. Clients and the worker stay up across the crashes, like real ones.
 */
jest.setTimeout(120_000);

const probe = new ActivityProbe();
const log = new ExecutionLog();
const taskQueue = unique('crash');
let server: ServerUnderTest;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let workerRunning: Promise<void>;

beforeAll(async () => {
  quietRuntime('ERROR'); // pollers complain loudly while the server is down, by design
  server = await ServerUnderTest.create();
  await server.start();
  connection = await Connection.connect({ address: server.address });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection });
  worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(probe),
  });
  workerRunning = worker.run();
});

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await workerRunning.catch(() => undefined);
  }
  await nativeConnection?.close();
  await connection?.close();
  await server?.crash();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a timer running at the crash fires after the restart', async () => {
  const handle = await client.workflow.start(sleepAndReport, { taskQueue, workflowId: unique('timer'), args: [3000] });
  log.track(handle.workflowId);
  await waitForEvent(handle, 'TIMER_STARTED');
  await server.crash();
  await pause(1000);
  await server.start();
  expect(await handle.result()).toBeGreaterThanOrEqual(3000);
});

test('a timer that came due while the server was down fires on restart', async () => {
  const handle = await client.workflow.start(sleepAndReport, {
    taskQueue,
    workflowId: unique('due-timer'),
    args: [500],
  });
  log.track(handle.workflowId);
  await waitForEvent(handle, 'TIMER_STARTED');
  await server.crash();
  await pause(2000);
  await server.start();
  expect(await handle.result()).toBeGreaterThanOrEqual(500);
});

test('an activity running at the crash completes after the restart, on the same attempt', async () => {
  const key = unique('running-activity');
  const handle = await client.workflow.start(callActivity, {
    taskQueue,
    workflowId: unique('activity'),
    args: ['blockUntilReleased', [key], { startToCloseTimeout: '2 minutes', heartbeatTimeout: '30s' }],
  });
  log.track(handle.workflowId);
  await probe.waitFor(`${key}:started`);
  await server.crash();
  await server.start();
  probe.release(key);
  expect(await handle.result()).toBe(`released ${key} on attempt 1`);
  expect(await eventTypes(handle)).toContain('ACTIVITY_TASK_COMPLETED');
  expect(probe.count(key)).toBe(1); // the restarted server did not offer the running attempt again
});

test('an activity cancelled after a restart is cancelled by the worker running it, not recorded at once', async () => {
  const key = unique('cancel-after-crash');
  const handle = await client.workflow.start(cancelActivityOnSignal, {
    taskQueue,
    workflowId: unique('cancel-after-crash'),
    args: [key, '20s'],
  });
  log.track(handle.workflowId);
  await probe.waitFor(`${key}:started`);
  await server.crash();
  await server.start();
  await handle.signal(cancelActivitySignal);
  expect(await handle.result()).toBe('activity cancelled');
  expect(probe.has(`${key}:cancelled`)).toBe(true);
  expect(probe.count(key)).toBe(1);
  const [canceled] = await eventsOfType(handle, 'ACTIVITY_TASK_CANCELED');
  // Recorded when the worker confirmed, for the attempt it was running (an unstarted one has no started event).
  expect(Number(canceled.activityTaskCanceledEventAttributes?.startedEventId)).toBeGreaterThan(0);
  const types = await eventTypes(handle);
  expect(types.indexOf('ACTIVITY_TASK_CANCEL_REQUESTED')).toBeLessThan(types.indexOf('ACTIVITY_TASK_CANCELED'));
});

test('an activity scheduled before the crash is dispatched after the restart', async () => {
  const activityQueue = unique('late-activities');
  const handle = await client.workflow.start(callActivity, {
    taskQueue,
    workflowId: unique('pending-activity'),
    args: ['greet', ['after the crash'], { taskQueue: activityQueue, startToCloseTimeout: '30s' }],
  });
  log.track(handle.workflowId);
  await waitForEvent(handle, 'ACTIVITY_TASK_SCHEDULED');
  await server.crash();
  await server.start();
  const activityWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: activityQueue,
    activities: createActivities(probe),
  });
  await activityWorker.runUntil(async () => expect(await handle.result()).toBe('Hello, after the crash'));
});

test('an update in progress at the crash completes after the restart', async () => {
  const gate = unique('update-gate');
  const handle = await client.workflow.start(shoppingList, { taskQueue, workflowId: unique('update') });
  log.track(handle.workflowId);
  const update = await handle.startUpdate(slowAddUpdate, {
    args: ['cheese', gate],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
    updateId: 'crash-update',
  });
  await probe.waitFor(`${gate}:started`);
  await server.crash();
  await server.start();
  probe.release(gate);
  expect(await update.result()).toBe(`released ${gate} on attempt 1`);
  expect(await handle.getUpdateHandle('crash-update').result()).toBe(`released ${gate} on attempt 1`);
  await handle.signal(finishSignal);
  expect(await handle.result()).toEqual(['cheese']);
});

test('starts and signals accepted before the crash are delivered after it', async () => {
  const laterQueue = unique('no-worker-yet');
  const handle = await client.workflow.start(collectSignals, {
    taskQueue: laterQueue,
    workflowId: unique('signals'),
    args: [3],
  });
  log.track(handle.workflowId);
  for (const item of ['one', 'two', 'three']) await handle.signal(addSignal, item);
  await server.crash();
  await server.start();
  const lateWorker = await Worker.create({
    connection: nativeConnection,
    taskQueue: laterQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(probe),
  });
  await lateWorker.runUntil(async () => expect(await handle.result()).toEqual(['one', 'two', 'three']));
});

test('a second crash right after a restart loses nothing either', async () => {
  const handle = await client.workflow.start(sleepAndReport, {
    taskQueue,
    workflowId: unique('double-crash'),
    args: [2000],
  });
  log.track(handle.workflowId);
  await waitForEvent(handle, 'TIMER_STARTED');
  await server.crash();
  await server.start();
  await server.crash();
  await server.start();
  expect(await handle.result()).toBeGreaterThanOrEqual(2000);
});

test('crashes at arbitrary moments under load lose no workflow and change no result', async () => {
  const count = 20;
  const steps = 6;
  const handles = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.workflow.start(activitiesAndTimers, {
        taskQueue,
        workflowId: unique(`busy-${i}`),
        args: [`wf${i}`, steps],
        workflowTaskTimeout: '2s',
      }),
    ),
  );
  for (const handle of handles) log.track(handle.workflowId);
  for (const downAfterMs of [400, 900, 250]) {
    await pause(downAfterMs);
    await server.crash();
    await server.start();
  }
  const results = await Promise.all(handles.map((handle) => handle.result()));
  results.forEach((result, i) =>
    expect(result).toEqual(Array.from({ length: steps }, (_, step) => `Hello, wf${i} step ${step}`)),
  );
});

test('a schedule survives a SIGKILL: after the restart it takes what came due within its catch-up window and misses the older times', async () => {
  const scheduleId = unique('crash-schedule');
  const handle = await client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '1s' }] },
    action: { type: 'startWorkflow', workflowType: succeed, args: ['tick'], taskQueue, workflowId: scheduleId },
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '10s' },
  });
  try {
    const before = await eventuallyDescribed(handle, (d) => d.info.numActionsTaken >= 1);
    await server.crash();
    const downAt = Date.now();
    await pause(13_000); // longer than the catch-up window
    await server.start();
    const upAt = Date.now();
    const after = await eventuallyDescribed(
      handle,
      (d) => d.info.numActionsMissedCatchupWindow > 0 && d.info.recentActions.some((a) => a.takenAt.getTime() >= upAt),
    );
    await handle.pause('checked');
    expect(before.info.numActionsMissedCatchupWindow).toBe(0);
    // The server was down 13 s: the times more than 10 s before it woke were missed...
    expect(after.info.numActionsMissedCatchupWindow).toBeGreaterThanOrEqual(2);
    // ...and what it took late, it took within the catch-up window of its time.
    const late = after.info.recentActions.filter((a) => a.takenAt.getTime() >= upAt);
    expect(late.length).toBeGreaterThan(0);
    for (const a of late) expect(a.takenAt.getTime() - a.scheduledAt.getTime()).toBeLessThanOrEqual(10_000 + 2_000);
    expect(Math.min(...late.map((a) => a.scheduledAt.getTime()))).toBeGreaterThan(downAt);
    for (const a of late) expect(await client.workflow.getHandle(a.action.workflow.workflowId).result()).toBe('tick');
  } finally {
    await handle.delete();
  }
});

async function eventuallyDescribed(
  handle: ScheduleHandle,
  ready: (d: ScheduleDescription) => boolean,
  timeoutMs = 30_000,
): Promise<ScheduleDescription> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await handle.describe();
    if (ready(d)) return d;
    if (Date.now() > deadline) throw new Error(`schedule ${handle.scheduleId} not ready: ${JSON.stringify(d.info)}`);
    await pause(200);
  }
}

test('every history written across the crashes replays', async () => {
  expect(await log.replayClosed(client, await workflowBundle())).toEqual({ replayed: 28, failures: [] });
});
