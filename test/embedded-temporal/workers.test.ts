import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestTemporalEnv } from '../support/temporal-env';
import { spawnInGroup, type SpawnedProcess } from '../system/support/system-process';
import { makeWorker, replayAll } from './helpers';

// Three workflow bundles (killed worker, new worker, replay) take minutes on a loaded 2-core machine.
jest.setTimeout(300_000);
let env: TestWorkflowEnvironment;
let child: SpawnedProcess | undefined;

beforeAll(async () => {
  env = await createTestTemporalEnv();
});
afterAll(async () => {
  await child?.signalGroup('SIGKILL'); // a test that failed before killing its worker leaves none behind
  await env?.teardown();
});

test('a SIGKILLed worker’s workflows (sticky to it) are finished by a new worker', async () => {
  const taskQueue = 'kill-me';
  // One process (no tsx CLI wrapper), so that SIGKILL really kills the worker.
  const worker = spawnInGroup(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), resolve(__dirname, 'worker-main.ts'), env.address, taskQueue],
    process.env,
  );
  child = worker;
  await worker.waitForOutput('ready', 'the worker to poll', 240_000);
  const ids = ['kill-1', 'kill-2', 'kill-3'];
  const handles = await Promise.all(
    ids.map((workflowId) => env.client.workflow.start('counter', { taskQueue, workflowId })),
  );
  for (const h of handles) await h.signal('increment', 1);
  // Each run has completed a task on the killed worker and is sticky to it.
  for (const h of handles) expect(await h.query('value')).toBe(1);
  await worker.signalGroup('SIGKILL');
  for (const h of handles) await h.signal('increment', 2);
  for (const h of handles) await h.signal('finish');
  const next = await makeWorker(env, taskQueue);
  await next.runUntil(async () => {
    for (const h of handles) expect(await h.result()).toBe(3);
  });
  expect(await replayAll(env.client, ids)).toBe(3);
});
