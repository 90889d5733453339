import { WorkflowFailedError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestTemporalEnv } from '../support/temporal-env';
import { makeWorker, replayAll } from './helpers';

let env: TestWorkflowEnvironment;
const ids: string[] = [];

beforeAll(async () => {
  env = await createTestTemporalEnv();
});

afterAll(async () => {
  await env?.teardown();
});

const tq = 'core';
const id = (name: string) => {
  const wid = `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}`;
  ids.push(wid);
  return wid;
};

test('runs workflows through activities, timers, signals, queries, updates, children, continue-as-new and cancellation', async () => {
  const worker = await makeWorker(env, tq);
  const c = env.client.workflow;
  await worker.runUntil(async () => {
    expect(await c.execute('greet', { taskQueue: tq, workflowId: id('greet'), args: ['Ada'] })).toBe('Hello, Ada!');
    expect(await c.execute('sleeper', { taskQueue: tq, workflowId: id('sleep'), args: [200] })).toBe('slept');

    const counter = await c.start('counter', { taskQueue: tq, workflowId: id('counter') });
    await counter.signal('increment', 2);
    expect(await counter.query('value')).toBe(2);
    expect(await counter.executeUpdate('add', { args: [5] })).toBe(7);
    await expect(counter.executeUpdate('add', { args: [-1] })).rejects.toMatchObject({
      cause: { message: 'negative' },
    });
    await counter.signal('finish');
    expect(await counter.result()).toBe(7);
    expect(await counter.query('value')).toBe(7); // queries work on closed runs too

    expect(await c.execute('flaky', { taskQueue: tq, workflowId: id('flaky'), args: [2] })).toBe(3);
    expect(await c.execute('parent', { taskQueue: tq, workflowId: id('parent'), args: ['kid'] })).toBe(
      'parent(Hello, kid!)',
    );
    expect(await c.execute('looper', { taskQueue: tq, workflowId: id('looper'), args: [3] })).toBe(0);

    const cancellable = await c.start('cancellable', { taskQueue: tq, workflowId: id('cancel') });
    await counterSettled();
    await cancellable.cancel();
    expect(await cancellable.result()).toBe('cancelled');
  });
  expect(await replayAll(env.client, ids)).toBe(ids.length);
});

test('terminate, describe, duplicate start and missing workflows', async () => {
  const c = env.client.workflow;
  const wid = id('terminate');
  const h = await c.start('counter', { taskQueue: 'nobody-polls', workflowId: wid });
  await expect(c.start('counter', { taskQueue: 'nobody-polls', workflowId: wid })).rejects.toBeInstanceOf(
    WorkflowExecutionAlreadyStartedError,
  );
  expect((await h.describe()).status.name).toBe('RUNNING');
  await h.terminate('enough');
  expect((await h.describe()).status.name).toBe('TERMINATED');
  await expect(h.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  await expect(c.getHandle('no-such-workflow').describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
});

function counterSettled(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300));
}
