/** When timer start events fire: planning on adoption, the next firing, missed firings dropped. */
import type { CompiledGraph, TimerDefinition } from '../../bpmn/runtime';
import {
  afterFiring,
  nextDue,
  planTimerStart,
  timerInstanceId,
  timerStartsOf,
} from '../../workflows/timer-start-schedule';
import { GraphBuilder, lit } from './graph-builder';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const HOUR = 3600_000;
const timer = (kind: TimerDefinition['kind'], value: string): TimerDefinition => ({ kind, value: lit(value) });
const plan = (kind: TimerDefinition['kind'], value: string, now = T0) =>
  planTimerStart({ startEventId: 'S', timer: timer(kind, value) }, now);

test('a date fires at that date, at once when it has passed; a duration once after it', () => {
  expect(plan('date', '2026-01-06T00:00:00Z')).toEqual({
    startEventId: 'S',
    nextFireAt: Date.UTC(2026, 0, 6),
    remaining: 0,
  });
  expect(plan('date', '2025-01-01T00:00:00Z').nextFireAt).toBe(Date.UTC(2025, 0, 1));
  const d = plan('duration', 'PT90M');
  expect(d.nextFireAt).toBe(T0 + 90 * 60_000);
  expect(afterFiring(d, d.nextFireAt!)).toMatchObject({ nextFireAt: null, remaining: 0 });
});

test('a cycle without a start fires one interval after adoption, then every interval, as often as it says', () => {
  let e = plan('cycle', 'R3/PT1H');
  const fired: number[] = [];
  while (e.nextFireAt !== null) {
    fired.push(e.nextFireAt);
    e = afterFiring(e, e.nextFireAt);
  }
  expect(fired).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
});

test('a cycle with a start in the past skips to the next firing, counting the skipped ones', () => {
  const daily = plan('cycle', 'R/2026-01-01T02:00:00Z/P1D');
  expect(daily).toMatchObject({ nextFireAt: Date.UTC(2026, 0, 6, 2), remaining: null });
  const limited = plan('cycle', 'R6/2026-01-01T02:00:00Z/P1D');
  // Firings on the 1st to 5th are gone; the 6th is the last of six.
  expect(limited).toMatchObject({ nextFireAt: Date.UTC(2026, 0, 6, 2), remaining: 0 });
  expect(plan('cycle', 'R3/2026-01-01T02:00:00Z/P1D')).toMatchObject({ nextFireAt: null });
  const monthly = plan('cycle', 'R/2025-10-31T00:00:00Z/P1M');
  expect(new Date(monthly.nextFireAt!).toISOString()).toBe('2026-01-30T00:00:00.000Z'); // 31 Oct → 30 Nov → 30 Dec → 30 Jan: each month counted from the firing before
});

test('firings missed while nothing ran are dropped: one late firing, then back on the cadence', () => {
  const e = plan('cycle', 'R/PT1H');
  const late = afterFiring(e, e.nextFireAt! + 5 * HOUR + 60_000);
  expect(late.nextFireAt).toBe(e.nextFireAt! + 6 * HOUR);
  const fiveLeft = plan('cycle', 'R5/PT1H');
  expect(afterFiring(fiveLeft, fiveLeft.nextFireAt! + 10 * HOUR)).toMatchObject({ nextFireAt: null, remaining: 0 });
});

test('the earliest entry is due first; a FEEL value that cannot be resolved never fires', () => {
  const bad = planTimerStart(
    { startEventId: 'B', timer: { kind: 'cycle', value: { type: 'feel', expression: 'noSuchVariable' } } },
    T0,
  );
  expect(bad).toMatchObject({ nextFireAt: null, error: expect.any(String) });
  const a = plan('duration', 'PT2H');
  const b = { ...plan('duration', 'PT1H'), startEventId: 'S2' };
  expect(nextDue([a, bad, b])?.startEventId).toBe('S2');
  expect(nextDue([bad])).toBeUndefined();
});

test('timer start events of a graph and the instance id of a firing', () => {
  const g = new GraphBuilder('sweep');
  g.start('Tick', { type: 'timer', timer: timer('cycle', 'R/P1D') }).end('End');
  g.chain('Tick', 'End');
  const graph: CompiledGraph = g.build();
  expect(timerStartsOf(graph)).toEqual([{ startEventId: 'Tick', timer: timer('cycle', 'R/P1D') }]);
  expect(timerInstanceId('sweep', 'Tick', Date.UTC(2026, 0, 6, 2))).toBe('sweep:timer:Tick:2026-01-06T02:00:00.000Z');
});
