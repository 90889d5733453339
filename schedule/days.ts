/**
 * Calendar arithmetic on day numbers (days since 1970-01-01), for the evaluator's inner loop:
 * the sweep evaluates every child of the region, so dates are integers there and ISO strings
 * only at the edges. Same rules as ages.ts (months clamp to the month end, then days).
 * Civil-date conversions after H. Hinnant, "chrono-compatible low-level date algorithms".
 */
import type { Age } from './ages';

export function dayFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month 1–12, day]. */
export function civilFromDay(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

const DIGIT_0 = 48;
const num = (s: string, from: number, to: number): number => {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - DIGIT_0;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
};

/** Day number of an ISO date (YYYY-MM-DD); throws on anything else. */
export function dayOf(iso: string): number {
  if (iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45)
    throw new RangeError(`expected a date as YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  const y = num(iso, 0, 4);
  const m = num(iso, 5, 7);
  const d = num(iso, 8, 10);
  const day = dayFromCivil(y, m, d);
  const [cy, cm, cd] = civilFromDay(day);
  if (Number.isNaN(day) || cy !== y || cm !== m || cd !== d) throw new RangeError(`not a calendar date: ${iso}`);
  return day;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

export function isoOf(day: number): string {
  const [y, m, d] = civilFromDay(day);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** An age as months + days, ready to add. */
export interface AgeSpan {
  readonly months: number;
  readonly days: number;
}

export function spanOf(age: Age): AgeSpan {
  return { months: (age.years ?? 0) * 12 + (age.months ?? 0), days: (age.weeks ?? 0) * 7 + (age.days ?? 0) };
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

export function addSpan(day: number, span: AgeSpan): number {
  if (span.months === 0) return day + span.days;
  const [y, m, d] = civilFromDay(day);
  const total = m - 1 + span.months;
  const year = y + Math.floor(total / 12);
  const month = (((total % 12) + 12) % 12) + 1;
  return dayFromCivil(year, month, Math.min(d, daysInMonth(year, month))) + span.days;
}
