/**
 * Cron timer cycles and date-times with a zone id, as Camunda 8 reads them: next firings on
 * England's wall clock across the clock changes, Quartz extras, zone ids in dates and cycle starts.
 */
import { nextCronFiring, parseCron, type CronSchedule } from '../../bpmn/cron';
import { nextRecurrence, resolveTimer, timerLiteralError } from '../../bpmn/timer';
import { parseZonedDateTime } from '../../bpmn/zoned-time';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const cron = (text: string) => {
  const c = parseCron(text);
  if (typeof c === 'string') throw new Error(c);
  return c as CronSchedule;
};
/** The next `n` firings after `from` in `zone`. */
function firings(text: string, from: string, n: number, zone = 'Europe/London'): (string | null)[] {
  const out: (string | null)[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = nextCronFiring(cron(text), t, zone);
    out.push(iso(next));
    if (next === null) break;
    t = next;
  }
  return out;
}

test('weekdays at 09:00 in England, GMT and BST alike', () => {
  // Friday 27 March 2026; the clocks go forward on Sunday 29 March.
  expect(firings('0 0 9 * * MON-FRI', '2026-03-26T12:00:00Z', 3)).toEqual([
    '2026-03-27T09:00:00.000Z',
    '2026-03-30T08:00:00.000Z',
    '2026-03-31T08:00:00.000Z',
  ]);
  // The clocks go back on Sunday 25 October 2026.
  expect(firings('0 0 9 * * MON-FRI', '2026-10-23T12:00:00Z', 2)).toEqual([
    '2026-10-26T09:00:00.000Z',
    '2026-10-27T09:00:00.000Z',
  ]);
  // In UTC the same expression does not move.
  expect(firings('0 0 9 * * MON-FRI', '2026-03-26T12:00:00Z', 2, 'UTC')).toEqual([
    '2026-03-27T09:00:00.000Z',
    '2026-03-30T09:00:00.000Z',
  ]);
});

test('a local time the clocks skip moves on by the gap; one they repeat fires once', () => {
  expect(firings('0 30 1 * * *', '2026-03-28T12:00:00Z', 2)).toEqual([
    '2026-03-29T01:30:00.000Z', // 01:30 GMT does not exist: 02:30 BST
    '2026-03-30T00:30:00.000Z',
  ]);
  expect(firings('0 30 1 * * *', '2026-10-24T12:00:00Z', 2)).toEqual([
    '2026-10-25T00:30:00.000Z',
    '2026-10-26T01:30:00.000Z',
  ]);
});

test('fields: seconds, steps, ranges, lists, names, macros and Quartz extras', () => {
  expect(firings('*/20 * * * * *', '2026-01-01T00:00:05Z', 3, 'UTC')).toEqual([
    '2026-01-01T00:00:20.000Z',
    '2026-01-01T00:00:40.000Z',
    '2026-01-01T00:01:00.000Z',
  ]);
  expect(firings('0 0/30 8-9 * * *', '2026-01-01T00:00:00Z', 5, 'UTC')).toEqual([
    '2026-01-01T08:00:00.000Z',
    '2026-01-01T08:30:00.000Z',
    '2026-01-01T09:00:00.000Z',
    '2026-01-01T09:30:00.000Z',
    '2026-01-02T08:00:00.000Z',
  ]);
  expect(firings('0 0 0 25 DEC ?', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-12-25T00:00:00.000Z']);
  expect(firings('@monthly', '2026-01-15T00:00:00Z', 1, 'UTC')).toEqual(['2026-02-01T00:00:00.000Z']);
  expect(firings('0 0 12 * * 0', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-01-04T12:00:00.000Z']);
  expect(firings('0 0 12 * * 7', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-01-04T12:00:00.000Z']);
  expect(firings('0 0 12 L * *', '2026-02-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-02-28T12:00:00.000Z']);
  expect(firings('0 0 12 L-2 * *', '2026-02-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-02-26T12:00:00.000Z']);
  // 15 August 2026 is a Saturday: the nearest weekday is Friday the 14th; 1 August (Saturday) → Monday the 3rd.
  expect(firings('0 0 12 15W * ?', '2026-08-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-08-14T12:00:00.000Z']);
  expect(firings('0 0 12 1W * ?', '2026-07-31T00:00:00Z', 1, 'UTC')).toEqual(['2026-08-03T12:00:00.000Z']);
  // 31 May 2026 is a Sunday: the last weekday is Friday the 29th.
  expect(firings('0 0 12 LW * ?', '2026-05-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-05-29T12:00:00.000Z']);
  expect(firings('0 0 12 ? * FRI#2', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-01-09T12:00:00.000Z']);
  expect(firings('0 0 12 ? * 5L', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-01-30T12:00:00.000Z']);
  // Both day fields must match (Spring): Friday the 13th.
  expect(firings('0 0 0 13 * FRI', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual(['2026-02-13T00:00:00.000Z']);
  // Never: 30 February.
  expect(firings('0 0 0 30 2 *', '2026-01-01T00:00:00Z', 1, 'UTC')).toEqual([null]);
});

test('expressions Camunda 8 would refuse are refused with the reason', () => {
  expect(timerLiteralError('cycle', '0 9 * * *')).toMatch(/has 5 fields: a cron cycle has six/);
  expect(timerLiteralError('cycle', '0 0 25 * * *')).toMatch(/"25" is outside 0–23/);
  expect(timerLiteralError('cycle', '0 0 9 * * MOON')).toMatch(/not a number or a name/);
  expect(timerLiteralError('cycle', '0 0 9 * * MON-FRI')).toBeNull();
});

test('date-times with a zone id are read in that zone', () => {
  expect(parseZonedDateTime('2026-12-24T09:00:00[Europe/London]')).toEqual({
    epochMs: at('2026-12-24T09:00:00Z'),
    zone: 'Europe/London',
  });
  expect(parseZonedDateTime('2026-07-01T09:00:00[Europe/London]')).toMatchObject({
    epochMs: at('2026-07-01T08:00:00Z'),
  });
  expect(parseZonedDateTime('2026-07-01T09:00:00@Europe/Berlin')).toMatchObject({
    epochMs: at('2026-07-01T07:00:00Z'),
  });
  expect(parseZonedDateTime('2026-07-01T09:00:00+01:00[Europe/London]')).toMatchObject({
    epochMs: at('2026-07-01T08:00:00Z'),
  });
  // 01:30 on 25 October 2026 happens twice in England: the written offset picks one.
  expect(parseZonedDateTime('2026-10-25T01:30:00+00:00[Europe/London]')).toMatchObject({
    epochMs: at('2026-10-25T01:30:00Z'),
  });
  expect(parseZonedDateTime('2026-10-25T01:30:00+01:00[Europe/London]')).toMatchObject({
    epochMs: at('2026-10-25T00:30:00Z'),
  });
  expect(parseZonedDateTime('2026-07-01T09:00:00[Mars/Olympus]')).toMatch(/not a known zone id/);
  expect(parseZonedDateTime('2026-02-30T09:00:00[Europe/London]')).toMatch(/not a valid date-time/);
  expect(timerLiteralError('date', '2026-07-01T09:00:00[Mars/Olympus]')).toMatch(/not a known zone id/);
});

test('timers with zone ids: a date, and a cycle whose start names a zone keeps its local time', () => {
  const date = resolveTimer(
    { kind: 'date', value: { type: 'literal', value: '2026-07-01T09:00:00[Europe/London]' } },
    {},
    0,
  );
  expect(date).toEqual({ ok: true, value: { dueAt: at('2026-07-01T08:00:00Z') } });
  const cycle = resolveTimer(
    { kind: 'cycle', value: { type: 'literal', value: 'R3/2026-03-28T09:00:00[Europe/London]/P1D' } },
    {},
    0,
  );
  expect(cycle.ok && cycle.value.dueAt).toBe(at('2026-03-28T09:00:00Z'));
  expect(cycle.ok && cycle.value.repeat).toMatchObject({ zone: 'Europe/London', remainingAfterFirst: 2 });
  const repeat = cycle.ok ? cycle.value.repeat! : null;
  // 09:00 GMT, then 09:00 BST the next day (23 hours later).
  expect(iso(nextRecurrence(repeat!, at('2026-03-28T09:00:00Z'), at('2026-03-28T09:00:00Z')))).toBe(
    '2026-03-29T08:00:00.000Z',
  );
  // Hours are elapsed time, not wall clock.
  expect(
    iso(
      nextRecurrence(
        {
          interval: { years: 0, months: 0, weeks: 0, days: 0, hours: 24, minutes: 0, seconds: 0 },
          zone: 'Europe/London',
        },
        at('2026-03-28T09:00:00Z'),
        0,
      ),
    ),
  ).toBe('2026-03-29T09:00:00.000Z');
  // Refused where the instance started before zone ids were taken.
  const old = resolveTimer(
    { kind: 'date', value: { type: 'literal', value: '2026-07-01T09:00:00[Europe/London]' } },
    {},
    0,
    'legacy',
    {
      cronAndZoneIds: false,
    },
  );
  expect(old).toMatchObject({ ok: false, error: expect.stringMatching(/not supported yet/) });
});

test('a cron timer resolves to its next match on the English wall clock and recurs for ever', () => {
  const timer = resolveTimer(
    { kind: 'cycle', value: { type: 'literal', value: '0 0 9 * * MON-FRI' } },
    {},
    at('2026-07-03T10:00:00Z'),
  );
  expect(timer).toEqual({
    ok: true,
    value: {
      dueAt: at('2026-07-06T08:00:00Z'),
      repeat: { cron: '0 0 9 * * MON-FRI', zone: 'Europe/London', remainingAfterFirst: null },
    },
  });
});
