/**
 * Cron timer cycles as Camunda 8 takes them (Spring's CronExpression, which Zeebe forks): six
 * fields `second minute hour day-of-month month day-of-week`, or a macro (`@daily`, …). Both day
 * fields must match (`?` and `*` match any day); day names SUN–SAT and month names JAN–DEC; day
 * of week 0 and 7 are Sunday; Quartz's `L` (last day, `L-3`), `15W` (the weekday nearest the
 * 15th), `LW`, `5L` (last Friday) and `1#2` (second Monday) too. Next firings are computed on the local wall clock of a zone. Pure: the caller
 * passes the instant to start from (workflow time), so workflow code stays deterministic.
 */
import { DateTime } from 'luxon';
import { localToInstant } from './zoned-time';

const MACROS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A day predicate: year, month (1–12), day of month, day of week (0 = Sunday), days in the month. */
type DayTest = (day: number, weekday: number, daysInMonth: number) => boolean;

export interface CronSchedule {
  readonly seconds: readonly boolean[];
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly months: readonly boolean[];
  readonly dayOfMonth: DayTest;
  readonly dayOfWeek: DayTest;
}

/** A cron expression's shape (six fields or a macro): what a time cycle is read as when it is not R/…. */
export function looksLikeCron(text: string): boolean {
  const t = text.trim();
  return t.toLowerCase() in MACROS || /^\S+(\s+\S+){4,6}$/.test(t);
}

class CronError extends Error {}

function number(text: string, names: readonly string[] | null, offset: number): number {
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + offset;
  if (!/^\d+$/.test(text)) throw new CronError(`"${text}" is not a number${names ? ' or a name' : ''}`);
  return Number(text);
}

/** `*`, `?`, `5`, `1-5`, `*\/15`, `10-50/10`, lists of those; names where the field has them. */
function bits(field: string, min: number, max: number, names: readonly string[] | null = null, offset = 0): boolean[] {
  const out: boolean[] = [];
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : number(stepText, null, 0);
    if (step < 1) throw new CronError(`step "${stepText}" must be at least 1`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [from, to] = [number(a, names, offset), number(b, names, offset)];
    } else {
      from = number(range, names, offset);
      to = stepText === undefined ? from : max;
    }
    if (from < min || to > max || from > to) throw new CronError(`"${part}" is outside ${min}–${max}`);
    for (let v = from; v <= to; v += step) out[v] = true;
  }
  return out;
}

function dayOfMonthTest(field: string): DayTest {
  const weekdayNear = /^(\d+|L)W$/i.exec(field);
  if (weekdayNear) {
    const wanted = weekdayNear[1].toUpperCase() === 'L' ? null : Number(weekdayNear[1]);
    if (wanted !== null && (wanted < 1 || wanted > 31)) throw new CronError(`"${field}" is outside 1–31`);
    // The weekday nearest the day (never leaving the month); `LW` the month's last weekday.
    return (day, weekday, days) => {
      const n = wanted ?? days;
      if (n > days) return false;
      const weekdayOfN = (((weekday + n - day) % 7) + 7) % 7;
      let target = n;
      if (weekdayOfN === 6) target = n === 1 ? n + 2 : n - 1;
      else if (weekdayOfN === 0) target = n === days ? n - 2 : n + 1;
      return day === target;
    };
  }
  const last = /^L(?:-(\d+))?$/i.exec(field);
  if (last) {
    const back = Number(last[1] ?? 0);
    if (back > 30) throw new CronError(`"${field}" goes back more than 30 days`);
    return (day, _w, days) => day === days - back;
  }
  const set = bits(field, 1, 31);
  return (day) => set[day] === true;
}

function dayOfWeekTest(field: string): DayTest {
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const weekday = number(nth[1], DAYS, 0) % 7;
    return (day, w) => w === weekday && Math.ceil(day / 7) === Number(nth[2]);
  }
  const last = /^(\w+)L$/i.exec(field);
  if (last) {
    const weekday = number(last[1], DAYS, 0) % 7;
    return (day, w, days) => w === weekday && day + 7 > days;
  }
  const set = bits(field, 0, 7, DAYS, 0);
  return (_d, w) => set[w] === true || (w === 0 && set[7] === true);
}

/** The schedule, or why the text is not a cron expression Camunda 8 would take. */
export function parseCron(text: string): CronSchedule | string {
  const expanded = MACROS[text.trim().toLowerCase()] ?? text.trim();
  const fields = expanded.split(/\s+/);
  if (fields.length !== 6)
    return `"${text}" has ${fields.length} fields: a cron cycle has six (second minute hour day-of-month month day-of-week, for example 0 0 9 * * MON-FRI)`;
  try {
    return {
      seconds: bits(fields[0], 0, 59),
      minutes: bits(fields[1], 0, 59),
      hours: bits(fields[2], 0, 23),
      dayOfMonth: dayOfMonthTest(fields[3]),
      months: bits(fields[4], 1, 12, MONTHS, 1),
      dayOfWeek: dayOfWeekTest(fields[5]),
    };
  } catch (e) {
    if (e instanceof CronError) return `"${text}" is not a cron expression: ${e.message}`;
    throw e;
  }
}

/** How far ahead a firing is looked for before the expression is taken to fire never (30 February). */
const SEARCH_YEARS = 5;

/**
 * The first firing strictly after `afterMs`, on the wall clock of `zone` (a local time the clocks
 * skip moves on by the gap, as ZonedDateTime does), or null when none comes within five years.
 */
export function nextCronFiring(schedule: CronSchedule, afterMs: number, zone: string): number | null {
  const start = DateTime.fromMillis(Math.floor(afterMs / 1000) * 1000 + 1000, { zone });
  // The local wall clock as a UTC epoch, so that stepping by fields is plain arithmetic.
  let t = Date.UTC(start.year, start.month - 1, start.day, start.hour, start.minute, start.second);
  const limit = Date.UTC(start.year + SEARCH_YEARS, start.month - 1, start.day);
  while (t < limit) {
    const d = new Date(t);
    const [y, mo, day, h, mi, s] = [
      d.getUTCFullYear(),
      d.getUTCMonth(),
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ];
    const daysInMonth = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
    if (!schedule.months[mo + 1]) t = Date.UTC(y, mo + 1, 1);
    else if (
      !schedule.dayOfMonth(day, d.getUTCDay(), daysInMonth) ||
      !schedule.dayOfWeek(day, d.getUTCDay(), daysInMonth)
    )
      t = Date.UTC(y, mo, day + 1);
    else if (!schedule.hours[h]) t = Date.UTC(y, mo, day, h + 1);
    else if (!schedule.minutes[mi]) t = Date.UTC(y, mo, day, h, mi + 1);
    else if (!schedule.seconds[s]) t += 1000;
    else {
      const at = localToInstant({ year: y, month: mo + 1, day, hour: h, minute: mi, second: s }, zone);
      if (at > afterMs) return at;
      t += 1000; // the earlier of a repeated local time, already past
    }
  }
  return null;
}
