import {
  addIsoDuration,
  parseIsoCycle,
  parseIsoDateTime,
  parseIsoDuration,
  resolveInstantOrDuration,
  resolveTimer,
  timerLiteralError,
} from '../../bpmn';

const at = (iso: string) => Date.parse(iso);

test('ISO 8601 durations', () => {
  expect(parseIsoDuration('P56D')).toMatchObject({ days: 56, hours: 0 });
  expect(parseIsoDuration('PT1H30M')).toMatchObject({ hours: 1, minutes: 30 });
  expect(parseIsoDuration('P1Y2M3W4DT5H6M7.5S')).toEqual({
    years: 1,
    months: 2,
    weeks: 3,
    days: 4,
    hours: 5,
    minutes: 6,
    seconds: 7.5,
  });
  for (const bad of ['P', 'PT', '56D', 'P56', 'P1DT', 'p5d', 'P-1D', '']) expect(parseIsoDuration(bad)).toBeNull();
});

test('ISO 8601 date-times need a zone and a real date', () => {
  expect(parseIsoDateTime('2026-12-01T00:00:00Z')).toBe(at('2026-12-01T00:00:00Z'));
  expect(parseIsoDateTime('2026-06-01T09:30:00+01:00')).toBe(at('2026-06-01T08:30:00Z'));
  expect(parseIsoDateTime('2026-06-01T09:30:00.250-0130')).toBe(at('2026-06-01T11:00:00.250Z'));
  for (const bad of ['2026-12-01T00:00:00', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-12-01', 'tomorrow'])
    expect(parseIsoDateTime(bad)).toBeNull();
});

test('ISO 8601 repeating intervals', () => {
  expect(parseIsoCycle('R3/PT1H')).toMatchObject({ repetitions: 3, interval: { hours: 1 } });
  expect(parseIsoCycle('R/P7D')).toMatchObject({ repetitions: null, interval: { days: 7 } });
  expect(parseIsoCycle('R2/2026-01-01T09:00:00Z/P1D')).toMatchObject({
    repetitions: 2,
    start: at('2026-01-01T09:00:00Z'),
  });
  for (const bad of ['P7D', 'R3', 'R3/every', 'RX/P1D', '0 0 9 * * ?']) expect(parseIsoCycle(bad)).toBeNull();
  expect(timerLiteralError('cycle', 'R/PT0S')).toMatch(/zero/);
});

test('cron cycles and zone ids are taken, and refused as not supported yet where instances started before them', () => {
  const before = { cronAndZoneIds: false };
  for (const cron of ['0 0 9 * * ?', '0 15 10 ? * MON-FRI', '@daily']) {
    expect(timerLiteralError('cycle', cron)).toBeNull();
    expect(timerLiteralError('cycle', cron, before)).toMatch(/cron timer cycles are not supported yet/);
  }
  for (const zoned of ['2026-12-01T09:00:00@Europe/London', '2026-12-01T09:00:00[Europe/London]']) {
    expect(timerLiteralError('date', zoned)).toBeNull();
    expect(timerLiteralError('date', zoned, before)).toMatch(/date-times with a zone id are not supported yet/);
  }
  expect(timerLiteralError('cycle', 'R/P1D')).toBeNull();
  expect(timerLiteralError('date', '2026-12-01T09:00:00+01:00')).toBeNull();
});

test('adding durations is calendar-aware in UTC', () => {
  expect(addIsoDuration(at('2026-01-31T10:00:00Z'), parseIsoDuration('P1M')!)).toBe(at('2026-02-28T10:00:00Z'));
  expect(addIsoDuration(at('2028-02-29T00:00:00Z'), parseIsoDuration('P1Y')!)).toBe(at('2029-02-28T00:00:00Z'));
  expect(addIsoDuration(at('2026-01-01T00:00:00Z'), parseIsoDuration('P2WT12H')!)).toBe(at('2026-01-15T12:00:00Z'));
});

test('resolving timers against variables and the workflow clock', () => {
  const now = at('2026-01-10T12:00:00Z');
  expect(resolveTimer({ kind: 'duration', value: { type: 'literal', value: 'P28D' } }, {}, now, 'legacy')).toEqual({
    ok: true,
    value: { dueAt: at('2026-02-07T12:00:00Z') },
  });
  expect(
    resolveTimer(
      { kind: 'date', value: { type: 'feel', expression: 'dateOfBirth + duration("P56D")' } },
      { dateOfBirth: '2026-01-01' },
      now,
      'legacy',
    ),
  ).toEqual({ ok: true, value: { dueAt: at('2026-02-26T00:00:00Z') } });
  expect(resolveTimer({ kind: 'cycle', value: { type: 'literal', value: 'R3/P7D' } }, {}, now, 'legacy')).toEqual({
    ok: true,
    value: { dueAt: at('2026-01-17T12:00:00Z'), repeat: { interval: parseIsoDuration('P7D'), remainingAfterFirst: 2 } },
  });
  expect(
    resolveTimer({ kind: 'cycle', value: { type: 'literal', value: 'R/P7D' } }, {}, now, 'legacy').ok && true,
  ).toBe(true);
  const bad = resolveTimer(
    { kind: 'duration', value: { type: 'feel', expression: 'days' } },
    { days: 5 },
    now,
    'legacy',
  );
  expect(bad.ok).toBe(false);
});

test('due dates: a date-time, a plain date, or a duration from now', () => {
  const now = at('2026-01-10T12:00:00Z');
  expect(resolveInstantOrDuration({ type: 'literal', value: 'P14D' }, {}, now, 'legacy')).toEqual({
    ok: true,
    value: at('2026-01-24T12:00:00Z'),
  });
  expect(resolveInstantOrDuration({ type: 'literal', value: '2026-03-01T09:00:00Z' }, {}, now, 'legacy')).toEqual({
    ok: true,
    value: at('2026-03-01T09:00:00Z'),
  });
  expect(
    resolveInstantOrDuration(
      { type: 'feel', expression: 'dob + duration("P14D")' },
      { dob: '2026-01-01' },
      now,
      'legacy',
    ),
  ).toEqual({ ok: true, value: at('2026-01-15T00:00:00Z') });
  expect(resolveInstantOrDuration({ type: 'literal', value: 'soon' }, {}, now, 'legacy').ok).toBe(false);
});

test('plain dates start at midnight in England for new instances, across both clock changes; at midnight UTC for instances started before', () => {
  // UK clocks: forward at 01:00 UTC on 29 March 2026, back at 01:00 UTC on 25 October 2026 (GOV.UK, "When do
  // the clocks change?"). The "end of day 17" deadline of a baby born on 12 March 2026 is the start of day 18.
  const england = { plainDates: 'england' } as const;
  const day18 = (dateOfBirth: string, options = england) =>
    resolveTimer(
      { kind: 'date', value: { type: 'feel', expression: 'dateOfBirth + duration("P18D")' } },
      { dateOfBirth },
      at('2026-01-01T00:00:00Z'),
      'legacy',
      options,
    );
  // Day 18 = 29 March (the short day: it starts in GMT) and 30 March (starts at 23:00 UTC the day before).
  expect(day18('2026-03-11')).toEqual({ ok: true, value: { dueAt: at('2026-03-29T00:00:00Z') } });
  expect(day18('2026-03-12')).toEqual({ ok: true, value: { dueAt: at('2026-03-29T23:00:00Z') } });
  // And in October: 25 October starts in BST (23:00 UTC on the 24th); 26 October at midnight GMT.
  expect(day18('2026-10-07')).toEqual({ ok: true, value: { dueAt: at('2026-10-24T23:00:00Z') } });
  expect(day18('2026-10-08')).toEqual({ ok: true, value: { dueAt: at('2026-10-26T00:00:00Z') } });
  // Instances started before UK local time came in keep midnight UTC (their armed timers replay as they were).
  expect(day18('2026-03-12', { plainDates: 'utc' } as never)).toEqual({
    ok: true,
    value: { dueAt: at('2026-03-30T00:00:00Z') },
  });
  expect(resolveInstantOrDuration({ type: 'literal', value: '2026-07-01' }, {}, 0, 'legacy', england)).toEqual({
    ok: true,
    value: at('2026-06-30T23:00:00Z'),
  });
  expect(resolveInstantOrDuration({ type: 'literal', value: '2026-07-01' }, {}, 0)).toEqual({
    ok: true,
    value: at('2026-07-01T00:00:00Z'),
  });
});
