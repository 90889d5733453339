/**
 * Date-times with a zone id (`2026-12-24T09:00:00[Europe/London]`, `…+00:00[Europe/London]`,
 * FEEL's `…@Europe/London`), as Camunda 8 reads them with Java's ZonedDateTime: the local time
 * in that zone, DST included. Zone rules come from luxon over the platform's Intl data, as FEEL's
 * date-time functions already do. Pure: safe in the workflow sandbox.
 */
import { DateTime, IANAZone } from 'luxon';
import type { IsoDuration } from './iso8601';

const ZONED =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?(?:\[([^\]\s]+)\]|@(\S+))$/;

export interface ZonedInstant {
  readonly epochMs: number;
  /** The IANA zone id the date-time was written in. */
  readonly zone: string;
}

/** True when `text` has the shape of a date-time with a zone id (whether or not the zone exists). */
export function looksZoned(text: string): boolean {
  return ZONED.test(text.trim());
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond?: number;
}

const HOURS_6 = 6 * 3_600_000;

/**
 * The instant of a wall-clock time in a zone, as Java's ZonedDateTime.of takes it: a time the
 * clocks repeat is the earlier of the two, a time they skip moves on by the gap.
 */
export function localToInstant(local: LocalDateTime, zone: string): number {
  const guess = DateTime.fromObject({ ...local }, { zone }).toMillis();
  const wall = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
    local.millisecond ?? 0,
  );
  const fits = [guess - HOURS_6, guess + HOURS_6]
    .map((probe) => wall - DateTime.fromMillis(probe, { zone }).offset * 60_000)
    .filter((t) => t - DateTime.fromMillis(t, { zone }).offset * -60_000 === wall);
  return fits.length > 0 ? Math.min(...fits) : guess;
}

/**
 * The instant a date-time with a zone id names, or an error in plain words. A local time the
 * clocks skip (spring forward) moves on by the gap, and of a local time that occurs twice the
 * offset written wins when it is one of the two, else the earlier (as ZonedDateTime does).
 */
export function parseZonedDateTime(text: string): ZonedInstant | string {
  const m = ZONED.exec(text.trim());
  if (!m) return `"${text}" is not a date-time with a zone id (for example 2026-12-24T09:00:00[Europe/London])`;
  const zone = m[9] ?? m[10];
  if (!IANAZone.isValidZone(zone)) return `"${zone}" is not a known zone id (for example Europe/London)`;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] ? Number(m[6]) : 0;
  const millisecond = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const local = DateTime.fromObject({ year, month, day, hour, minute, second, millisecond }, { zone });
  if (!local.isValid || local.day !== day || local.month !== month)
    return `"${text}" is not a valid date-time (${local.invalidExplanation ?? 'no such day'})`;
  if (m[8] !== undefined) {
    // The written offset picks between the two instants of a repeated local time.
    const written = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMinutes(m[8]) * 60_000;
    if (DateTime.fromMillis(written, { zone }).offset === offsetMinutes(m[8])) return { epochMs: written, zone };
  }
  return { epochMs: localToInstant({ year, month, day, hour, minute, second, millisecond }, zone), zone };
}

/**
 * Adds a duration in a zone, as ZonedDateTime.plus(Period).plus(Duration) does: years, months,
 * weeks and days move the local date (09:00 stays 09:00 across a clock change), hours, minutes
 * and seconds are elapsed time.
 */
export function addIsoDurationInZone(epochMs: number, d: IsoDuration, zone: string): number {
  const local = DateTime.fromMillis(epochMs, { zone }).plus({
    years: d.years,
    months: d.months,
    weeks: d.weeks,
    days: d.days,
  });
  return local.toMillis() + Math.round((d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000);
}
