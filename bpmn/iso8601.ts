/**
 * ISO 8601 durations, date-times and repeating intervals as BPMN timers use them.
 * Pure functions on epoch milliseconds (UTC): safe inside the workflow sandbox.
 */

export interface IsoDuration {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

export interface IsoCycle {
  /** null = repeat forever (`R/…`). */
  readonly repetitions: number | null;
  readonly interval: IsoDuration;
  /** Explicit start (`R3/2026-01-01T00:00:00Z/P1D`), epoch ms. */
  readonly start?: number;
}

const DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** `P56D`, `PT1H30M`, `P1Y2M`, `P2W`; null when not a valid ISO 8601 duration. */
export function parseIsoDuration(text: string): IsoDuration | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i].replace(',', '.')));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A date-time with a zone (`2026-12-01T00:00:00Z`, `2026-12-01T09:00:00+01:00`) → epoch ms.
 * Without a zone the instant is ambiguous, so it is refused (null), as is an impossible date.
 */
export function parseIsoDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] ? Number(m[6]) : 0;
  const millis = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(local).getUTCDate() !== day) return null; // 31 April and friends
  return local - zoneOffsetMinutes(m[8]) * 60_000;
}

function zoneOffsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

/** `R3/PT1H`, `R/P7D`, `R2/2026-01-01T09:00:00Z/P1D`; null when not a supported repeating interval. */
export function parseIsoCycle(text: string): IsoCycle | null {
  const parts = text.trim().split('/');
  const rep = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!rep) return null;
  const repetitions = rep[1] === '' ? null : Number(rep[1]);
  if (parts.length === 2) {
    const interval = parseIsoDuration(parts[1]);
    return interval ? { repetitions, interval } : null;
  }
  if (parts.length === 3) {
    const start = parseIsoDateTime(parts[1]);
    const interval = parseIsoDuration(parts[2]);
    return start !== null && interval ? { repetitions, interval, start } : null;
  }
  return null;
}

/** Adds a duration to an instant, calendar-aware in UTC (P1M from 31 Jan lands on 28/29 Feb). */
export function addIsoDuration(epochMs: number, d: IsoDuration): number {
  const date = new Date(epochMs);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCFullYear(date.getUTCFullYear() + d.years);
  date.setUTCMonth(date.getUTCMonth() + d.months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  const calendar = date.getTime();
  const fixedMs = ((d.weeks * 7 + d.days) * 24 * 3600 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  return calendar + Math.round(fixedMs);
}

/** True when the duration is zero length (a cycle of zero would fire forever). */
export function isZeroDuration(d: IsoDuration): boolean {
  return d.years + d.months + d.weeks + d.days + d.hours + d.minutes + d.seconds === 0;
}
