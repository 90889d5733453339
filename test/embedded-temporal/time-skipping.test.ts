import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestTemporalEnv } from '../support/temporal-env';
import { makeWorker, replayAll } from './helpers';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestTemporalEnv({ timeSkipping: true });
});
afterAll(async () => {
  await env?.teardown();
});

test('a 30-day timer completes at once and server time moves 30 days', async () => {
  const worker = await makeWorker(env, 'skip');
  const before = await env.currentTimeMs();
  const started = Date.now();
  await worker.runUntil(async () => {
    expect(
      await env.client.workflow.execute('sleeper', {
        taskQueue: 'skip',
        workflowId: 'thirty-days',
        args: [30 * 86_400_000],
      }),
    ).toBe('slept');
  });
  expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 86_400_000);
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(await replayAll(env.client, ['thirty-days'])).toBe(1);
});

test('env.sleep skips explicitly while a workflow waits on a week-long timer', async () => {
  const worker = await makeWorker(env, 'skip2');
  await worker.runUntil(async () => {
    const h = await env.client.workflow.start('sleeper', {
      taskQueue: 'skip2',
      workflowId: 'one-week',
      args: [7 * 86_400_000],
    });
    const before = await env.currentTimeMs();
    await env.sleep(8 * 86_400_000);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(8 * 86_400_000);
    expect(await h.result()).toBe('slept');
  });
});

test('a daily schedule takes one action per skipped day, at the calendar time, with no real waiting', async () => {
  const worker = await makeWorker(env, 'skip-schedule');
  await worker.runUntil(async () => {
    const handle = await env.client.schedule.create({
      scheduleId: 'daily-at-two',
      spec: { calendars: [{ hour: 2, minute: 0 }] },
      action: { type: 'startWorkflow', workflowType: 'sleeper', args: [1], taskQueue: 'skip-schedule' },
    });
    const started = Date.now();
    await env.sleep(3 * 86_400_000);
    const d = await handle.describe();
    expect(d.info.numActionsTaken).toBe(3);
    for (const a of d.info.recentActions) {
      expect(a.scheduledAt.getUTCHours()).toBe(2);
      expect(a.scheduledAt.getUTCMinutes()).toBe(0);
    }
    expect(d.info.numActionsMissedCatchupWindow).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    await handle.delete();
  });
});
