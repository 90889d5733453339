/**
 * UK local time across both clock changes. Source for the rule: GOV.UK "When do the clocks
 * change?" (https://www.gov.uk/when-do-the-clocks-change): the clocks go forward 1 hour at
 * 1am (GMT) on the last Sunday in March and back 1 hour at 2am (BST) on the last Sunday in
 * October; in 2025 on 30 March / 26 October, in 2026 on 29 March / 25 October.
 */
import {
  addDays,
  britishSummerTime,
  endOfLondonDay,
  formatLondon,
  londonDate,
  londonDayHours,
  londonOffsetMinutes,
  startOfLondonDay,
} from '../../core/uk-time';

const at = (iso: string) => Date.parse(iso);

test('the clock changes of 2025 and 2026 fall on the published Sundays, at 01:00 UTC', () => {
  expect(britishSummerTime(2025)).toEqual({ starts: at('2025-03-30T01:00:00Z'), ends: at('2025-10-26T01:00:00Z') });
  expect(britishSummerTime(2026)).toEqual({ starts: at('2026-03-29T01:00:00Z'), ends: at('2026-10-25T01:00:00Z') });
});

test('the offset changes exactly at the clock changes', () => {
  expect(londonOffsetMinutes(at('2026-03-29T00:59:59.999Z'))).toBe(0);
  expect(londonOffsetMinutes(at('2026-03-29T01:00:00Z'))).toBe(60);
  expect(londonOffsetMinutes(at('2026-10-25T00:59:59.999Z'))).toBe(60);
  expect(londonOffsetMinutes(at('2026-10-25T01:00:00Z'))).toBe(0);
});

test('a day starts at local midnight: 23:00 UTC the evening before in summer time', () => {
  expect(startOfLondonDay('2026-01-15')).toBe(at('2026-01-15T00:00:00Z'));
  expect(startOfLondonDay('2026-03-29')).toBe(at('2026-03-29T00:00:00Z')); // still GMT at midnight
  expect(startOfLondonDay('2026-03-30')).toBe(at('2026-03-29T23:00:00Z'));
  expect(startOfLondonDay('2026-07-01')).toBe(at('2026-06-30T23:00:00Z'));
  expect(startOfLondonDay('2026-10-25')).toBe(at('2026-10-24T23:00:00Z')); // still BST at midnight
  expect(startOfLondonDay('2026-10-26')).toBe(at('2026-10-26T00:00:00Z'));
});

test('the clock-change days are 23 and 25 hours long; a deadline is the end of the local day', () => {
  expect(londonDayHours('2026-03-29')).toBe(23);
  expect(londonDayHours('2026-10-25')).toBe(25);
  expect(londonDayHours('2026-06-15')).toBe(24);
  // "By the end of 28 March" (GMT) and "by the end of 29 March" (the short day, ending in BST).
  expect(formatLondon(endOfLondonDay('2026-03-28'))).toBe('2026-03-29T00:00:00+00:00');
  expect(formatLondon(endOfLondonDay('2026-03-29'))).toBe('2026-03-30T00:00:00+01:00');
  expect(endOfLondonDay('2026-03-29')).toBe(at('2026-03-29T23:00:00Z'));
  // And at the October change: the long day ends at midnight GMT.
  expect(formatLondon(endOfLondonDay('2026-10-24'))).toBe('2026-10-25T00:00:00+01:00');
  expect(formatLondon(endOfLondonDay('2026-10-25'))).toBe('2026-10-26T00:00:00+00:00');
});

test('the local date of an instant: just after midnight BST is still the previous day in UTC', () => {
  expect(londonDate(at('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
  expect(londonDate(at('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  expect(londonDate(at('2026-10-25T00:30:00Z'))).toBe('2026-10-25'); // 01:30 BST, the first time
  expect(londonDate(at('2026-10-25T01:30:00Z'))).toBe('2026-10-25'); // 01:30 GMT, the second time
});

test('formatting states the offset in force', () => {
  expect(formatLondon(at('2026-03-29T00:30:00Z'))).toBe('2026-03-29T00:30:00+00:00');
  expect(formatLondon(at('2026-03-29T01:00:00Z'))).toBe('2026-03-29T02:00:00+01:00');
  expect(formatLondon(at('2026-10-25T00:30:00Z'))).toBe('2026-10-25T01:30:00+01:00');
  expect(formatLondon(at('2026-10-25T01:30:00Z'))).toBe('2026-10-25T01:30:00+00:00');
  expect(formatLondon(at('2026-05-01T10:15:30.250Z'))).toBe('2026-05-01T11:15:30.250+01:00');
});

test('agrees with the platform time-zone database either side of 01:00 UTC every day from 2000 to 2040', () => {
  const zone = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'shortOffset' });
  const mismatches: string[] = [];
  const samples: number[] = [];
  for (let day = at('2000-01-01T00:00:00Z'); day < at('2041-01-01T00:00:00Z'); day += 86_400_000) {
    samples.push(day + 30 * 60_000, day + 90 * 60_000); // 00:30 and 01:30 UTC: the clocks change at 01:00 UTC
  }
  for (const t of samples) {
    const name = zone.formatToParts(t).find((p) => p.type === 'timeZoneName')!.value;
    const expected = name === 'GMT+1' ? 60 : 0;
    if (londonOffsetMinutes(t) !== expected) mismatches.push(new Date(t).toISOString());
  }
  expect(mismatches).toEqual([]);
});

test('dates outside the known rule and malformed dates are refused, not guessed', () => {
  expect(() => londonOffsetMinutes(at('1990-06-01T00:00:00Z'))).toThrow(/1998/);
  expect(() => startOfLondonDay('2026-02-30')).toThrow(/not a calendar date/);
  expect(() => startOfLondonDay('1 July 2026')).toThrow(/YYYY-MM-DD/);
  expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
});
