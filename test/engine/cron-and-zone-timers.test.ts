/**
 * Cron cycles and date-times with a zone id in running instances (pure engine, its own clock):
 * non-interrupting boundary and event sub-process cron cycles fire on England's wall clock across
 * a clock change; a zoned cycle start keeps its local time; a zoned date fires at that local time.
 * Instances started before these were taken (no `cronAndZoneIds`) still refuse them on replay.
 */
import { afterFiring, planTimerStart, timerInstanceId, type ScheduleEntry } from '../../workflows/timer-start-schedule';
import { Driver, SEED } from './driver';
import { feel, GraphBuilder, lit } from './graph-builder';

const at = (iso: string) => Date.parse(iso);
const NEW = { cronAndZoneIds: true } as const;
const iso = (ms: number) => new Date(ms).toISOString();

/** A user task `work` with a non-interrupting cycle boundary `tick` → job `ping`. */
function boundaryCycle(cycle: string) {
  const g = new GraphBuilder('reminders');
  g.start('start').user('work').timerBoundary('tick', 'work', 'cycle', cycle, false).service('ping', 'notify');
  g.end('pinged').end('end');
  g.chain('start', 'work', 'end').chain('tick', 'ping', 'pinged');
  return g.build();
}

describe('a cron cycle on a non-interrupting boundary event', () => {
  it('fires at 09:00 in England on weekdays, before and after the clocks go forward', () => {
    // Thursday 26 March 2026, 12:00 UTC; British Summer Time starts on Sunday 29 March.
    const d = new Driver(boundaryCycle('0 0 9 * * MON-FRI'), {}, { ...NEW, now: at('2026-03-26T12:00:00Z') });
    const fired: string[] = [];
    for (let i = 0; i < 4; i++) {
      const next = d.timers()[0];
      fired.push(iso(next.fireAt));
      expect(d.fireNextTimer()).toBe('tick');
      d.completeJob('notify');
    }
    expect(fired).toEqual([
      '2026-03-27T09:00:00.000Z', // Friday, GMT
      '2026-03-30T08:00:00.000Z', // Monday, BST: still 09:00 in England
      '2026-03-31T08:00:00.000Z',
      '2026-04-01T08:00:00.000Z',
    ]);
    expect(d.path.filter((p) => p === 'pinged')).toHaveLength(4);
    expect(d.active).toEqual(['work']);
    d.completeTask('work');
    expect(d.status).toBe('completed');
    expect(d.timers()).toEqual([]);
  });

  it('after a late firing it goes on at the next match after now, not at the ones missed', () => {
    const d = new Driver(boundaryCycle('0 0 * * * *'), {}, { ...NEW, now: at('2026-01-05T09:30:00Z') });
    expect(iso(d.timers()[0].fireAt)).toBe('2026-01-05T10:00:00.000Z');
    d.now = at('2026-01-05T13:20:00Z'); // the worker was down: the timer fires late
    d.fireNextTimer();
    expect(iso(d.timers()[0].fireAt)).toBe('2026-01-05T14:00:00.000Z');
  });

  it('an instance started before cron cycles were taken raises an incident, as it did then', () => {
    const d = new Driver(boundaryCycle('0 0 9 * * MON-FRI'), {}, { now: at('2026-03-26T12:00:00Z') });
    expect(d.timers()).toEqual([]);
    expect(Object.values(d.state.incidents)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/cron timer cycles are not supported yet/) }),
    ]);
  });
});

describe('a cron cycle on a non-interrupting event sub-process start', () => {
  it('runs alongside the main flow every quarter of an hour until the process ends', () => {
    const g = new GraphBuilder('chaser');
    g.start('start').user('work').end('end');
    g.chain('start', 'work', 'end');
    g.eventSub(
      'chase',
      'chaseStart',
      { type: 'timer', timer: { kind: 'cycle', value: lit('0 0/15 * * * *') } },
      false,
      (s) => {
        s.service('chaseJob', 'chase').end('chaseEnd');
        s.chain('chaseStart', 'chaseJob', 'chaseEnd');
      },
    );
    const d = new Driver(g.build(), {}, { ...NEW, now: at('2026-01-05T09:07:00Z') });
    expect(d.advanceTo(at('2026-01-05T10:00:00Z'))).toEqual(['chaseStart', 'chaseStart', 'chaseStart', 'chaseStart']);
    for (const job of d.jobs('chase')) d.send({ type: 'jobCompleted', jobId: job.id });
    expect(d.path.filter((p) => p === 'chaseEnd')).toHaveLength(4);
    expect(iso(d.timers()[0].fireAt)).toBe('2026-01-05T10:15:00.000Z');
    d.completeTask('work');
    expect(d.status).toBe('completed');
    expect(d.timers()).toEqual([]);
  });
});

describe('zone ids', () => {
  it('a cycle starting at a zoned date-time keeps its local time across the clock change', () => {
    const d = new Driver(
      boundaryCycle('R3/2026-03-28T09:00:00[Europe/London]/P1D'),
      {},
      {
        ...NEW,
        now: at('2026-03-27T12:00:00Z'),
      },
    );
    const fired: string[] = [];
    while (d.timers().length > 0) {
      fired.push(iso(d.timers()[0].fireAt));
      d.fireNextTimer();
      d.completeJob('notify');
    }
    expect(fired).toEqual(['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z']);
  });

  it('an intermediate timer date with a zone id fires at that local time', () => {
    const g = new GraphBuilder('zonedDate');
    g.start('start').timerCatch('wait', 'date', '2026-07-01T09:00:00[Europe/London]').end('end');
    g.chain('start', 'wait', 'end');
    const d = new Driver(g.build(), {}, { ...NEW, now: at('2026-06-01T00:00:00Z') });
    expect(iso(d.timers()[0].fireAt)).toBe('2026-07-01T08:00:00.000Z');
    d.fireNextTimer();
    expect(d.status).toBe('completed');
  });

  it('a FEEL date-time at a zone is taken as well', () => {
    const g = new GraphBuilder('feelZoned');
    g.start('start').timerCatch('wait', 'date', '=date and time("2026-07-01T09:00:00@Europe/London")').end('end');
    g.chain('start', 'wait', 'end');
    const graph = { ...g.build(), semantics: 2 }; // Camunda's FEEL dialect
    const d = new Driver(graph, {}, { ...NEW, idSeed: SEED, now: at('2026-06-01T00:00:00Z') });
    expect(iso(d.timers()[0].fireAt)).toBe('2026-07-01T08:00:00.000Z');
  });
});

describe('timer start events with cron cycles and zoned starts', () => {
  const plan = (value: string, now: string) =>
    planTimerStart({ startEventId: 'S', timer: { kind: 'cycle', value: lit(value) } }, at(now));
  const next = (e: ScheduleEntry, n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n && e.nextFireAt !== null; i++) {
      out.push(iso(e.nextFireAt));
      e = afterFiring(e, e.nextFireAt);
    }
    return out;
  };

  it('a cron start fires at every match on the English wall clock, for ever', () => {
    const e = plan('0 0 9 * * MON-FRI', '2026-10-22T12:00:00Z');
    expect(e).toMatchObject({ cron: '0 0 9 * * MON-FRI', zone: 'Europe/London', remaining: null });
    expect(next(e, 3)).toEqual(['2026-10-23T08:00:00.000Z', '2026-10-26T09:00:00.000Z', '2026-10-27T09:00:00.000Z']);
    expect(timerInstanceId('k', 'S', e.nextFireAt!)).toBe('k:timer:S:2026-10-23T08:00:00.000Z');
  });

  it('a late firing is followed by the next match after now', () => {
    const e = plan('0 0 * * * *', '2026-01-05T09:30:00Z');
    expect(iso(afterFiring(e, at('2026-01-05T13:20:00Z')).nextFireAt!)).toBe('2026-01-05T14:00:00.000Z');
  });

  it('a zoned cycle start in the past skips to its next local 09:00', () => {
    const e = plan('R/2026-03-20T09:00:00[Europe/London]/P1D', '2026-03-28T10:00:00Z');
    expect(next(e, 3)).toEqual(['2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-03-31T08:00:00.000Z']);
  });

  it('a scheduler that began before cron cycles were taken does not plan them', () => {
    const old = planTimerStart(
      { startEventId: 'S', timer: { kind: 'cycle', value: lit('@daily') } },
      at('2026-01-05T00:00:00Z'),
      {
        cronAndZoneIds: false,
      },
    );
    expect(old).toMatchObject({ nextFireAt: null, error: expect.stringMatching(/not supported yet/) });
  });
});

describe('user task due and follow-up dates with a zone id', () => {
  const ZONED = { zonedTaskDates: true } as const;

  /** One user task whose dates are the given expressions; the opened task command. */
  function opened(dueDate: string, followUpDate: string | undefined, options: { zonedTaskDates?: true } = ZONED) {
    const g = new GraphBuilder('dates');
    const expr = (v: string) => (v.startsWith('=') ? feel(v.slice(1)) : lit(v));
    g.start('start')
      .user('review', { dueDate: expr(dueDate), ...(followUpDate ? { followUpDate: expr(followUpDate) } : {}) })
      .end('end');
    g.chain('start', 'review', 'end');
    const d = new Driver(g.build(), {}, { ...options, now: at('2026-06-01T08:00:00Z') });
    const open = d.commands.find((c) => c.type === 'openUserTask');
    return { d, task: open?.type === 'openUserTask' ? open : undefined };
  }

  it('takes `…[Europe/London]` as the local time in England, summer time included', () => {
    const { task } = opened('2026-07-01T17:00:00[Europe/London]', '2026-12-01T09:00:00[Europe/London]');
    expect(iso(task!.dueAt!)).toBe('2026-07-01T16:00:00.000Z'); // BST
    expect(iso(task!.followUpAt!)).toBe('2026-12-01T09:00:00.000Z'); // GMT
  });

  it("takes FEEL's `@Europe/London` date-times and other zones", () => {
    const { task } = opened('=date and time("2026-07-01T17:00:00@Europe/London")', '2026-07-01T09:00:00[Asia/Kolkata]');
    expect(iso(task!.dueAt!)).toBe('2026-07-01T16:00:00.000Z');
    expect(iso(task!.followUpAt!)).toBe('2026-07-01T03:30:00.000Z');
  });

  it('an unknown zone id is an incident naming it', () => {
    const { d, task } = opened('2026-07-01T17:00:00[Europe/Atlantis]', undefined);
    expect(task).toBeUndefined();
    expect(Object.values(d.state.incidents)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/"Europe\/Atlantis" is not a known zone id/) }),
    ]);
  });

  it('an instance started before zone ids were taken in task dates raises an incident, as it did then', () => {
    const { d, task } = opened('2026-07-01T17:00:00[Europe/London]', undefined, {});
    expect(task).toBeUndefined();
    expect(Object.values(d.state.incidents)).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/neither an ISO 8601 date-time nor a duration/) }),
    ]);
  });
});
