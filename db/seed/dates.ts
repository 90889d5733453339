/**
 * Calendar dates as whole days since 1970-01-01 (UTC), which keeps generation of millions
 * of dates cheap. Intervals follow PostgreSQL's date + interval: months first (clamped to
 * the month's last day), then days, so the seed agrees with SQL over the schedule table.
 */

const MS_PER_DAY = 86_400_000;

export function dayFromIso(iso: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new Error(`expected a date as YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const day = Date.UTC(y, m - 1, d) / MS_PER_DAY;
  if (isoFromDay(day) !== iso) throw new Error(`not a calendar date: ${iso}`);
  return day;
}

export function isoFromDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export interface CalendarInterval {
  months: number;
  days: number;
}

/** Parses the schedule's intervals ("8 weeks", "1 year", "3 years 4 months", "18 months"). */
export function parseInterval(text: string): CalendarInterval {
  const result: CalendarInterval = { months: 0, days: 0 };
  const parts = text.trim().split(/\s+/);
  if (parts.length % 2 !== 0) throw new Error(`cannot read the interval ${JSON.stringify(text)}`);
  for (let i = 0; i < parts.length; i += 2) {
    const amount = Number(parts[i]);
    const unit = parts[i + 1].replace(/s$/, '');
    if (!Number.isInteger(amount)) throw new Error(`cannot read the interval ${JSON.stringify(text)}`);
    if (unit === 'year') result.months += amount * 12;
    else if (unit === 'month') result.months += amount;
    else if (unit === 'week') result.days += amount * 7;
    else if (unit === 'day') result.days += amount;
    else throw new Error(`unknown unit ${JSON.stringify(parts[i + 1])} in the interval ${JSON.stringify(text)}`);
  }
  return result;
}

/** A date split once into its parts so that several intervals can be added cheaply. */
export interface CivilDate {
  year: number;
  month: number; // 0-11
  day: number; // 1-31
}

export function civil(day: number): CivilDate {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate() };
}

export function addInterval(date: CivilDate, interval: CalendarInterval): number {
  if (interval.months === 0) return Date.UTC(date.year, date.month, date.day) / MS_PER_DAY + interval.days;
  const totalMonths = date.month + interval.months;
  const year = date.year + Math.floor(totalMonths / 12);
  const month = ((totalMonths % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(date.day, lastDay)) / MS_PER_DAY + interval.days;
}

/** Caches ISO strings for a window of days (the seed formats millions of dates in a few thousand days). */
export class DateFormatter {
  private readonly cache: string[] = [];

  constructor(
    private readonly firstDay: number,
    lastDay: number,
  ) {
    for (let d = firstDay; d <= lastDay; d++) this.cache.push(isoFromDay(d));
  }

  iso(day: number): string {
    return this.cache[day - this.firstDay] ?? isoFromDay(day);
  }
}
