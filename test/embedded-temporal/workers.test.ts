import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestTemporalEnv } from '../support/temporal-env';
import { makeWorker, replayAll } from './helpers';

// Three workflow bundles (killed worker, new worker, replay) take minutes on a loaded 2-core machine.
jest.setTimeout(300_000);
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestTemporalEnv();
});
afterAll(async () => {
  await env?.teardown();
});

test('a SIGKILLed worker’s workflows (sticky to it) are finished by a new worker', async () => {
  const taskQueue = 'kill-me';
  // One process (no tsx CLI wrapper), so that SIGKILL really kills the worker.
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), resolve(__dirname, 'worker-main.ts'), env.address, taskQueue],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ok());
    child.once('exit', (code) => fail(new Error(`worker exited early with ${code}`)));
  });
  const ids = ['kill-1', 'kill-2', 'kill-3'];
  const handles = await Promise.all(
    ids.map((workflowId) => env.client.workflow.start('counter', { taskQueue, workflowId })),
  );
  for (const h of handles) await h.signal('increment', 1);
  // Each run has completed a task on the killed worker and is sticky to it.
  for (const h of handles) expect(await h.query('value')).toBe(1);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  for (const h of handles) await h.signal('increment', 2);
  for (const h of handles) await h.signal('finish');
  const worker = await makeWorker(env, taskQueue);
  await worker.runUntil(async () => {
    for (const h of handles) expect(await h.result()).toBe(3);
  });
  expect(await replayAll(env.client, ids)).toBe(3);
});
