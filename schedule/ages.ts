/**
 * Ages and calendar dates for the schedule rules. Dates are ISO `YYYY-MM-DD` strings (they
 * compare correctly as text). Adding an age follows PostgreSQL's `date + interval`: years and
 * months first, clamped to the month's last day (31 January + 1 month = 28/29 February), then
 * weeks and days, so the same sums give the same answers in SQL and here.
 */

export interface Age {
  readonly years?: number;
  readonly months?: number;
  readonly weeks?: number;
  readonly days?: number;
}

const MS_PER_DAY = 86_400_000;

function parts(iso: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  return [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return iso(Date.UTC(y, m, d) + days * MS_PER_DAY);
}

/** A date plus an age (negative parts subtract). */
export function addAge(date: string, age: Age): string {
  const [y, m, d] = parts(date);
  const months = (age.years ?? 0) * 12 + (age.months ?? 0);
  const days = (age.weeks ?? 0) * 7 + (age.days ?? 0);
  const total = m + months;
  const year = y + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return iso(Date.UTC(year, month, Math.min(d, lastDay)) + days * MS_PER_DAY);
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  const [ay, am, ad] = parts(a);
  const [by, bm, bd] = parts(b);
  return Math.round((Date.UTC(by, bm, bd) - Date.UTC(ay, am, ad)) / MS_PER_DAY);
}

/**
 * English school years: a child born 1 September to 31 August of the next year is in one
 * year group, starts Reception (year 0) in the September after turning 4, and year N in the
 * September N years later. The first day of year N.
 */
export function schoolYearStart(dateOfBirth: string, year: number): string {
  const [y, m] = parts(dateOfBirth);
  const cohort = m >= 8 ? y : y - 1; // September (8) onwards belongs to that autumn's cohort
  return `${cohort + 5 + year}-09-01`;
}

/** The last day of school year N (31 August). */
export function schoolYearEnd(dateOfBirth: string, year: number): string {
  return addDays(schoolYearStart(dateOfBirth, year + 1), -1);
}

/** An age in words: "8 weeks", "1 year", "3 years 4 months". */
export function ageText(age: Age): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const words: string[] = [];
  if (age.years) words.push(unit(age.years, 'year'));
  if (age.months) words.push(unit(age.months, 'month'));
  if (age.weeks) words.push(unit(age.weeks, 'week'));
  if (age.days) words.push(unit(age.days, 'day'));
  return words.length === 0 ? 'birth' : words.join(' ');
}
