/**
 * UK local time (Europe/London) without the platform's time-zone database, so that workflow
 * code gets the same answer on every machine and Node version: British Summer Time runs
 * from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
 * (the Summer Time Order 2002, unchanged since the EU rule of 1998). Outside 1998–2099 the
 * rule is not known to hold, and the functions refuse rather than guess.
 *
 * Calendar dates are ISO `YYYY-MM-DD` strings; instants are epoch milliseconds.
 */

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 86_400_000;
const FIRST_YEAR = 1998;
const LAST_YEAR = 2099;

function checkYear(year: number): void {
  if (year < FIRST_YEAR || year > LAST_YEAR) {
    throw new RangeError(`UK clock changes are only known for ${FIRST_YEAR}–${LAST_YEAR}, not ${year}`);
  }
}

/** 01:00 UTC on the last Sunday of a month (0-based), in epoch ms. */
function lastSundayOneAmUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  const sunday = lastDay.getUTCDate() - lastDay.getUTCDay();
  return Date.UTC(year, month, sunday, 1);
}

/** When British Summer Time starts and ends in a year (epoch ms, both at 01:00 UTC). */
export function britishSummerTime(year: number): { starts: number; ends: number } {
  checkYear(year);
  return { starts: lastSundayOneAmUtc(year, 2), ends: lastSundayOneAmUtc(year, 9) };
}

/** Minutes England is ahead of UTC at an instant: 60 in British Summer Time, else 0. */
export function londonOffsetMinutes(instant: number): 0 | 60 {
  const { starts, ends } = britishSummerTime(new Date(instant).getUTCFullYear());
  return instant >= starts && instant < ends ? 60 : 0;
}

/** The calendar date in England at an instant. */
export function londonDate(instant: number): string {
  return new Date(instant + londonOffsetMinutes(instant) * 60_000).toISOString().slice(0, 10);
}

function dateParts(iso: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  const parts: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (new Date(Date.UTC(parts[0], parts[1] - 1, parts[2])).toISOString().slice(0, 10) !== iso)
    throw new RangeError(`not a calendar date: ${iso}`);
  return parts;
}

/** The instant a calendar date starts in England (00:00 local time). */
export function startOfLondonDay(iso: string): number {
  const [y, m, d] = dateParts(iso);
  const utcMidnight = Date.UTC(y, m - 1, d);
  // Local midnight is 23:00 UTC the day before in summer time, else midnight UTC. Clocks
  // change at 01:00 UTC, so the offset one hour before UTC midnight is the one in force.
  return londonOffsetMinutes(utcMidnight - MS_PER_HOUR) === 60 ? utcMidnight - MS_PER_HOUR : utcMidnight;
}

/**
 * The deadline "by the end of" a calendar date in England: the instant the next day starts
 * there. A deadline is exclusive: anything before this instant is on time.
 */
export function endOfLondonDay(iso: string): number {
  return startOfLondonDay(addDays(iso, 1));
}

/** Hours in a calendar day in England: 23 when the clocks go forward, 25 when they go back, else 24. */
export function londonDayHours(iso: string): number {
  return (endOfLondonDay(iso) - startOfLondonDay(iso)) / MS_PER_HOUR;
}

/** An instant as ISO 8601 in England's local time with its offset, e.g. `2026-07-01T00:00:00+01:00`. */
export function formatLondon(instant: number): string {
  const offset = londonOffsetMinutes(instant);
  const local = new Date(instant + offset * 60_000).toISOString();
  const seconds = local.slice(17, 23) === '00.000' ? '00' : local.slice(17, 23);
  return `${local.slice(0, 17)}${seconds}${offset === 60 ? '+01:00' : '+00:00'}`;
}

/** Today's date in England. */
export function todayInLondon(now: number = Date.now()): string {
  return londonDate(now);
}

/** A calendar date moved by whole days. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = dateParts(iso);
  return new Date(Date.UTC(y, m - 1, d) + days * MS_PER_DAY).toISOString().slice(0, 10);
}
