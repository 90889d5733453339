import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import { eventually, rejectionOf, unique } from './support/env';
import { ConformanceFile } from './support/suite';
import { blockForever, failWith, finishSignal, shoppingList, sleepAndReport, succeed } from './workflows';

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

/** Describes the schedule until `ready` holds for the description; returns that description. */
async function describedWhen(
  handle: ScheduleHandle,
  ready: (d: ScheduleDescription) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<ScheduleDescription> {
  return eventually(
    async () => {
      const d = await handle.describe();
      if (!ready(d)) throw new Error(`schedule ${handle.scheduleId}: still waiting for ${what}`);
      return d;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** The workflows a schedule started, oldest first (from its recent actions). */
function startedWorkflows(d: ScheduleDescription) {
  return d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.getTime(), ...a.action.workflow }));
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

  test("an action's search attributes are checked when the schedule is created: an undefined one is refused, nothing is created", async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('bad-attributes');
      const err = await rejectionOf(
        client().schedule.create({
          scheduleId,
          spec: { intervals: [{ every: '1 hour' }] },
          action: {
            type: 'startWorkflow' as const,
            workflowType: succeed,
            args: ['x'] as [string],
            taskQueue,
            searchAttributes: { NotRegisteredForSchedules: ['x'] },
          },
        }),
      );
      expect(`${err.message} ${String((err as { cause?: unknown }).cause)}`).toMatch(
        /NotRegisteredForSchedules is not defined/,
      );
      expect(await rejectionOf(client().schedule.getHandle(scheduleId).describe())).toBeInstanceOf(
        ScheduleNotFoundError,
      );
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

describe('schedule overlap policies, pause on failure, limited actions', () => {
  test('BUFFER_ONE keeps the first start that comes while one runs, skips the rest, and starts it when the run closes', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('buffer-one');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: { type: 'startWorkflow', workflowType: shoppingList, taskQueue, workflowId: scheduleId },
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE },
      });
      try {
        let d = await describedWhen(handle, (x) => x.info.numActionsSkippedOverlap >= 2, 'two skipped starts');
        expect(d.info.numActionsTaken).toBe(1);
        const [first] = startedWorkflows(d);
        log.track(first.workflowId, first.firstExecutionRunId);
        await client().workflow.getHandle(first.workflowId).signal(finishSignal);
        d = await describedWhen(handle, (x) => x.info.numActionsTaken >= 2, 'the buffered start');
        await handle.pause('checked');
        const [, second] = startedWorkflows(d);
        log.track(second.workflowId, second.firstExecutionRunId);
        // The start kept is the first that came while the run ran: the next interval.
        expect(second.scheduledAt).toBe(first.scheduledAt + 1000);
        const firstRun = await client().workflow.getHandle(first.workflowId).describe();
        const secondRun = await client().workflow.getHandle(second.workflowId).describe();
        expect(firstRun.status.name).toBe('COMPLETED');
        expect(secondRun.startTime.getTime()).toBeGreaterThanOrEqual(firstRun.closeTime!.getTime());
        await client().workflow.getHandle(second.workflowId).signal(finishSignal);
      } finally {
        await handle.delete();
      }
    });
  });

  test('BUFFER_ALL runs every start, one after another, none skipped', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('buffer-all');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: {
          type: 'startWorkflow',
          workflowType: sleepAndReport,
          args: [1500],
          taskQueue,
          workflowId: scheduleId,
        },
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL },
      });
      try {
        const d = await describedWhen(handle, (x) => x.info.numActionsTaken >= 3, 'three actions', 45_000);
        await handle.pause('checked');
        expect(d.info.numActionsSkippedOverlap).toBe(0);
        const runs = startedWorkflows(d);
        // Buffered starts keep their own times, in order, one interval apart.
        runs.slice(1).forEach((run, i) => expect(run.scheduledAt - runs[i].scheduledAt).toBe(1000));
        const described = await Promise.all(
          runs.slice(0, 3).map((run) => client().workflow.getHandle(run.workflowId).describe()),
        );
        for (const run of runs.slice(0, 3)) log.track(run.workflowId, run.firstExecutionRunId);
        await Promise.all(runs.slice(0, 2).map((run) => client().workflow.getHandle(run.workflowId).result()));
        const closed = await Promise.all(
          runs.slice(0, 2).map((run) => client().workflow.getHandle(run.workflowId).describe()),
        );
        // Each run started only once the one before it had closed.
        expect(described[1].startTime.getTime()).toBeGreaterThanOrEqual(closed[0].closeTime!.getTime());
        expect(described[2].startTime.getTime()).toBeGreaterThanOrEqual(closed[1].closeTime!.getTime());
        await client().workflow.getHandle(runs[2].workflowId).result();
      } finally {
        await handle.delete();
      }
    });
  });

  for (const [policy, status] of [
    [ScheduleOverlapPolicy.CANCEL_OTHER, 'CANCELLED'],
    [ScheduleOverlapPolicy.TERMINATE_OTHER, 'TERMINATED'],
  ] as const) {
    test(`${policy} stops the running workflow (${status}) and starts the next once it has closed`, async () => {
      await onQueue(async (taskQueue) => {
        const scheduleId = unique(policy.toLowerCase());
        const handle = await client().schedule.create({
          scheduleId,
          spec: { intervals: [{ every: '2s' }] },
          action: { type: 'startWorkflow', workflowType: blockForever, taskQueue, workflowId: scheduleId },
          policies: { overlap: policy },
        });
        try {
          const d = await describedWhen(handle, (x) => x.info.numActionsTaken >= 2, 'a second action');
          await handle.pause('checked');
          const [first, second] = startedWorkflows(d);
          expect(second.scheduledAt - first.scheduledAt).toBe(2000);
          const firstRun = await client().workflow.getHandle(first.workflowId).describe();
          expect(firstRun.status.name).toBe(status);
          const secondRun = await client().workflow.getHandle(second.workflowId).describe();
          expect(secondRun.startTime.getTime()).toBeGreaterThanOrEqual(firstRun.closeTime!.getTime());
          expect(d.info.numActionsSkippedOverlap).toBe(0);
          if (status === 'CANCELLED') log.track(first.workflowId, first.firstExecutionRunId);
          for (const run of (await handle.describe()).info.runningActions)
            await client().workflow.getHandle(run.workflow.workflowId).terminate('test over');
        } finally {
          await handle.delete();
        }
      });
    });
  }

  test('pause on failure: a failed run pauses the schedule with a note naming the workflow and the failure', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('pause-on-failure');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: {
          type: 'startWorkflow',
          workflowType: failWith,
          args: ['broken feed'],
          taskQueue,
          workflowId: scheduleId,
        },
        policies: { pauseOnFailure: true },
      });
      try {
        const d = await describedWhen(handle, (x) => x.state.paused, 'the pause');
        const [failed] = startedWorkflows(d);
        log.track(failed.workflowId, failed.firstExecutionRunId);
        expect(d.state.note).toBe(`paused due to workflow failure: ${failed.workflowId}: broken feed`);
        expect(d.info.numActionsTaken).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        expect((await handle.describe()).info.numActionsTaken).toBe(1);
      } finally {
        await handle.delete();
      }
    });
  });

  test('limited actions: the schedule takes as many actions as it was given, then no more', async () => {
    await onQueue(async (taskQueue) => {
      const scheduleId = unique('limited');
      const handle = await client().schedule.create({
        scheduleId,
        spec: { intervals: [{ every: '1s' }] },
        action: { type: 'startWorkflow', workflowType: succeed, args: ['limited'], taskQueue, workflowId: scheduleId },
        state: { remainingActions: 2 },
      });
      try {
        // The first action may already be taken (every 1 s): the listed times are the actions left, never more.
        const first = await handle.describe();
        expect(first.info.numActionsTaken + (first.state.remainingActions ?? 0)).toBe(2);
        expect(first.info.nextActionTimes).toHaveLength(first.state.remainingActions ?? -1);
        let d = await describedWhen(handle, (x) => x.info.numActionsTaken >= 2, 'two actions');
        await new Promise((resolve) => setTimeout(resolve, 3000));
        d = await handle.describe();
        expect(d.info.numActionsTaken).toBe(2);
        expect(d.state.remainingActions).toBe(0);
        expect(d.info.nextActionTimes).toEqual([]);
        for (const run of startedWorkflows(d)) log.track(run.workflowId, run.firstExecutionRunId);
        // A trigger is not a scheduled action: it runs even with none left.
        await handle.trigger();
        d = await describedWhen(handle, (x) => x.info.numActionsTaken >= 3, 'the triggered action');
        expect(d.state.remainingActions).toBe(0);
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
