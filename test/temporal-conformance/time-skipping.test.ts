import { createActivities } from './activities';
import { eventually, unique, withWorker } from './support/env';
import { waitForEvent } from './support/history';
import { ConformanceFile } from './support/suite';
import { callActivity, raceActivityAndTimer, sleepAndReport, waitForWake, wakeSignal } from './workflows';

const file = new ConformanceFile('skipping', { timeSkipping: true });
const { probe, log, onQueue } = file;
/**
 * One "day". With a time-skipping server (ours, or Temporal's test server) it is a real day
 * and the server jumps over it. An existing dev server (TEMPORAL_ADDRESS) cannot skip time,
 * so there the same scenarios run on a compressed clock.
 */
let DAY: number;
/** How far past its due time a timer may fire: nothing when time skips, scheduling delays on a real clock. */
let SLACK: number;

beforeAll(() => {
  DAY = file.env.supportsTimeSkipping ? 86_400_000 : 200;
  SLACK = file.env.supportsTimeSkipping ? DAY : 30_000;
});

test('the environment skips time when the server supports it', () => {
  expect(file.env.supportsTimeSkipping).toBe(!process.env.TEMPORAL_ADDRESS);
});

test('a three-week timer fires; awaiting the result skips the time', async () => {
  await onQueue(async (taskQueue) => {
    const workflowId = unique('three-weeks');
    const elapsed = await file.env.client.workflow.execute(sleepAndReport, { taskQueue, workflowId, args: [21 * DAY] });
    log.track(workflowId);
    expect(elapsed).toBeGreaterThanOrEqual(21 * DAY);
    expect(elapsed).toBeLessThan(21 * DAY + SLACK);
  });
});

test('file.env.sleep moves server time past a week-long timer', async () => {
  await onQueue(async (taskQueue) => {
    const handle = await file.env.client.workflow.start(sleepAndReport, {
      taskQueue,
      workflowId: unique('one-week'),
      args: [7 * DAY],
    });
    log.track(handle.workflowId);
    await waitForEvent(handle, 'TIMER_STARTED');
    const before = await file.env.currentTimeMs();
    await file.env.sleep(8 * DAY);
    expect((await file.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(8 * DAY);
    await eventually(async () => expect((await handle.describe()).status.name).toBe('COMPLETED'));
    expect(await handle.result()).toBeGreaterThanOrEqual(7 * DAY);
  });
});

test('a signal after two skipped days ends a thirty-day wait', async () => {
  await onQueue(async (taskQueue) => {
    const handle = await file.env.client.workflow.start(waitForWake, {
      taskQueue,
      workflowId: unique('thirty-days'),
      args: [30 * DAY],
    });
    log.track(handle.workflowId);
    await waitForEvent(handle, 'TIMER_STARTED');
    await file.env.sleep(2 * DAY);
    await handle.signal(wakeSignal);
    const result = await handle.result();
    expect(result.woken).toBe(true);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(2 * DAY);
    expect(result.elapsedMs).toBeLessThan(30 * DAY);
  });
});

test('file.env.sleep right after a start lets outstanding workflow tasks run before skipping', async () => {
  // Time only skips while the server is idle: the first workflow task starts the week-long
  // timer before the clock jumps, so the jump fires it.
  await onQueue(async (taskQueue) => {
    const handle = await file.env.client.workflow.start(sleepAndReport, {
      taskQueue,
      workflowId: unique('sleep-at-once'),
      args: [7 * DAY],
    });
    log.track(handle.workflowId);
    await file.env.sleep(8 * DAY);
    await eventually(async () => expect((await handle.describe()).status.name).toBe('COMPLETED'));
  });
});

test('activity retries a day apart are skipped too', async () => {
  const key = unique('daily-retry');
  await onQueue(async (taskQueue) => {
    const workflowId = unique('daily-retry');
    const attempt = await file.env.client.workflow.execute(callActivity, {
      taskQueue,
      workflowId,
      args: [
        'failTimes',
        [key, 2],
        { startToCloseTimeout: '1 minute', retry: { initialInterval: DAY, backoffCoefficient: 1, maximumAttempts: 5 } },
      ],
    });
    log.track(workflowId);
    expect(attempt).toBe(3);
    expect(probe.count(key)).toBe(3);
  });
});

test('env.sleep while an activity runs moves time on: an activity sleeping 2 hours beats a 1-day timer', async () => {
  const taskQueue = unique('skipping-activity');
  const activities = { ...createActivities(probe), envSleep: (ms: number) => file.env.sleep(ms) };
  await withWorker(file.env, { taskQueue, activities }, async () => {
    const workflowId = unique('race');
    const realStart = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('time did not move while the activity slept')), 20_000);
    });
    const winner = await Promise.race([
      file.env.client.workflow.execute(raceActivityAndTimer, { taskQueue, workflowId, args: [DAY / 12, DAY] }),
      stuck,
    ]).finally(() => clearTimeout(timer));
    log.track(workflowId);
    expect(winner).toBe('activity');
    expect(Date.now() - realStart).toBeLessThan(20_000);
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(4);
});
