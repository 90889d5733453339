import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../temporal-conformance/activities';
import { bundlePath, workflowBundle } from '../temporal-conformance/support/bundle';
import {
  quietRuntime,
  startConformanceEnv,
  teardownEnv,
  unique,
  withWorker,
} from '../temporal-conformance/support/env';
import { ExecutionLog } from '../temporal-conformance/support/history';
import { ActivityProbe } from '../temporal-conformance/support/probe';
import { addItemUpdate, callActivity, finishSignal, shoppingList } from '../temporal-conformance/workflows';
import { KillableProcess } from './processes';

/**
 * SIGKILLs a worker process in the middle of a workflow: its sticky cache and its running
 * activity die with it, and a new worker must finish the workflows.
 */
jest.setTimeout(120_000);

const probe = new ActivityProbe();
const log = new ExecutionLog();
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  quietRuntime('ERROR');
  env = await startConformanceEnv();
});
afterAll(async () => {
  await teardownEnv(env);
});

async function spawnWorker(taskQueue: string): Promise<KillableProcess> {
  const worker = new KillableProcess(
    process.execPath,
    [require.resolve('tsx/cli'), join(__dirname, 'worker-main.ts')],
    {
      ...process.env,
      CRASH_TEMPORAL_ADDRESS: env.address,
      CRASH_NAMESPACE: env.namespace ?? 'default',
      CRASH_TASK_QUEUE: taskQueue,
      CRASH_BUNDLE_PATH: await bundlePath(),
    },
  );
  worker.start();
  await worker.waitForLine('worker ready');
  return worker;
}

test('a workflow cached by a killed worker is finished by a new worker', async () => {
  const taskQueue = unique('worker-crash');
  const child = await spawnWorker(taskQueue);
  const handle = await env.client.workflow.start(shoppingList, { taskQueue, workflowId: unique('orphaned') });
  log.track(handle.workflowId);
  try {
    expect(await handle.executeUpdate(addItemUpdate, { args: ['milk'] })).toBe(1); // now cached by the child
  } finally {
    await child.kill();
  }
  await withWorker(env, { taskQueue, activities: createActivities(probe) }, async () => {
    expect(await handle.executeUpdate(addItemUpdate, { args: ['eggs'] })).toBe(2);
    await handle.signal(finishSignal);
    expect(await handle.result()).toEqual(['milk', 'eggs']);
  });
});

test('an activity running on a killed worker is retried on a new worker after its heartbeat timeout', async () => {
  const taskQueue = unique('worker-crash');
  const key = unique('orphaned-activity');
  probe.release(key); // the test's worker lets the activity finish; the child's never does
  const child = await spawnWorker(taskQueue);
  const handle = await env.client.workflow.start(callActivity, {
    taskQueue,
    workflowId: unique('orphaned-activity'),
    args: [
      'blockUntilReleased',
      [key],
      { startToCloseTimeout: '2 minutes', heartbeatTimeout: '2s', retry: { initialInterval: '100ms' } },
    ],
  });
  log.track(handle.workflowId);
  try {
    await child.waitForLine(`probe ${key}:started`);
  } finally {
    await child.kill();
  }
  await withWorker(env, { taskQueue, activities: createActivities(probe) }, async () => {
    expect(await handle.result()).toBe(`released ${key} on attempt 2`);
  });
});

test('every history replays', async () => {
  expect(await log.replayClosed(env.client, await workflowBundle())).toEqual({ replayed: 2, failures: [] });
});
