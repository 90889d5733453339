import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { eventually, rejectionOf, unique } from './support/env';
import { ConformanceFile } from './support/suite';
import { blockForever, succeed } from './workflows';

const file = new ConformanceFile('schedules');
const { log, onQueue } = file;
const client = () => file.env.client;

/** Waits until the schedule has taken `count` actions; returns its description then. */
async function actionsTaken(scheduleId: string, count: number, timeoutMs = 20_000) {
  return eventually(
    async () => {
      const d = await client().schedule.getHandle(scheduleId).describe();
      if (d.info.numActionsTaken < count) throw new Error(`${d.info.numActionsTaken} of ${count} actions so far`);
      return d;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

describe('schedules', () => {
  test('an interval schedule starts its workflow every interval; describe shows the actions and the next times', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('every-second');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: {
          type: 'startWorkflow',
          workflowType: succeed,
          args: ['tick'],
          taskQueue,
          workflowId: `${scheduleId}-wf`,
        },
      });
      try {
        const d = await actionsTaken(scheduleId, 2);
        expect(d.spec.intervals?.map((i) => i.every)).toEqual([1000]);
        expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
        expect(d.info.nextActionTimes.length).toBeGreaterThan(0);
        for (const t of d.info.nextActionTimes) expect(t.getTime() % 1000).toBe(0);
        const started = d.info.recentActions[0].action.workflow;
        // The started workflow's id is the action's id and the nominal time, to the second.
        expect(started.workflowId).toMatch(new RegExp(`^${scheduleId}-wf-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
        log.track(started.workflowId, started.firstExecutionRunId);
        expect(await client().workflow.getHandle(started.workflowId).result()).toBe('tick');
      } finally {
        await handle.delete();
      }
      expect(await rejectionOf(handle.describe())).toBeInstanceOf(ScheduleNotFoundError);
    });
  });

  test('a second create with the same id is refused; list finds the schedule; a cron spec is described as a calendar', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('cron');
      const options = {
        scheduleId,
        spec: { cronExpressions: ['30 2 * * mon-fri'], timezone: 'Europe/London' },
        action: { type: 'startWorkflow' as const, workflowType: succeed, args: ['x'] as [string], taskQueue },
      };
      const handle = await client().schedule.create(options);
      try {
        expect(await rejectionOf(client().schedule.create(options))).toBeInstanceOf(ScheduleAlreadyRunning);
        const d = await handle.describe();
        expect(d.spec.timezone).toBe('Europe/London');
        expect(d.spec.calendars).toHaveLength(1);
        const cal = d.spec.calendars![0];
        expect(cal.hour).toEqual([{ start: 2, end: 2, step: 1 }]);
        expect(cal.minute).toEqual([{ start: 30, end: 30, step: 1 }]);
        expect(cal.dayOfWeek).toEqual([{ start: 'MONDAY', end: 'FRIDAY', step: 1 }]);
        // 02:30 London time on weekdays: in winter that is 02:30 UTC, in summer 01:30 UTC.
        for (const t of d.info.nextActionTimes) {
          expect([1, 2]).toContain(t.getUTCHours());
          expect(t.getUTCMinutes()).toBe(30);
          expect([1, 2, 3, 4, 5]).toContain(t.getUTCDay());
        }
        const listed = await eventually(async () => {
          for await (const s of client().schedule.list()) if (s.scheduleId === scheduleId) return s;
          throw new Error('not listed yet');
        });
        expect(listed.action?.workflowType).toBe('succeed');
        expect(listed.state.paused).toBe(false);
      } finally {
        await handle.delete();
      }
    });
  });

  test('pause stops actions, trigger still runs one, unpause resumes; update changes the spec', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('pausable');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: succeed, args: ['manual'], taskQueue },
        state: { paused: true, note: 'created paused' },
      });
      try {
        let d = await handle.describe();
        expect(d.state).toMatchObject({ paused: true, note: 'created paused' });
        await handle.trigger();
        d = await actionsTaken(scheduleId, 1);
        expect(d.state.paused).toBe(true);
        await handle.unpause('back on');
        d = await handle.describe();
        expect(d.state).toMatchObject({ paused: false, note: 'back on' });
        await handle.update((current) => ({ ...current, spec: { intervals: [{ every: '2h', offset: '5m' }] } }));
        d = await handle.describe();
        expect(d.spec.intervals).toEqual([{ every: 7_200_000, offset: 300_000 }]);
        for (const t of d.info.nextActionTimes) expect((t.getTime() - 300_000) % 7_200_000).toBe(0);
        expect(d.info.lastUpdatedAt).toBeInstanceOf(Date);
      } finally {
        await handle.delete();
      }
    });
  });

  test('backfill runs every matching time in the range, start included, under ALLOW_ALL', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('backfill');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1m' }] },
        action: { type: 'startWorkflow', workflowType: succeed, args: ['back'], taskQueue },
        state: { paused: true },
      });
      try {
        const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
        await handle.backfill({
          start,
          end: new Date(start.getTime() + 4 * 60_000),
          overlap: ScheduleOverlapPolicy.ALLOW_ALL,
        });
        const d = await actionsTaken(scheduleId, 5);
        expect(d.info.numActionsTaken).toBe(5);
        const scheduled = d.info.recentActions.map((a) => a.scheduledAt.getTime()).sort();
        expect(scheduled).toEqual([0, 1, 2, 3, 4].map((i) => start.getTime() + i * 60_000));
      } finally {
        await handle.delete();
      }
    });
  });

  test('SKIP leaves out starts while the last one runs; the run is listed as running', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('skip');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: { type: 'startWorkflow', workflowType: blockForever, taskQueue },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
      });
      try {
        const d = await eventually(
          async () => {
            const x = await handle.describe();
            if (x.info.numActionsSkippedOverlap < 2) throw new Error('nothing skipped yet');
            return x;
          },
          { timeoutMs: 20_000, intervalMs: 200 },
        );
        expect(d.info.numActionsTaken).toBe(1);
        expect(d.info.runningActions).toHaveLength(1);
        await client().workflow.getHandle(d.info.runningActions[0].workflow.workflowId).terminate('test over');
      } finally {
        await handle.delete();
      }
    });
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  const { replayed, failures } = await file.replayLogged();
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThanOrEqual(1);
});
