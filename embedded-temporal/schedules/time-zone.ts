import { invalidArgument } from '../errors';

/** Local calendar fields of an instant in a time zone. */
export interface LocalTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  dayOfWeek: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw invalidArgument(`invalid schedule spec: unknown time zone "${zone}"`);
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Throws InvalidArgument naming the zone unless it is a known IANA zone (or empty: UTC). */
export function checkTimeZone(zone: string): void {
  if (zone && zone !== 'UTC') formatter(zone);
}

export function localTime(ms: number, zone: string): LocalTime {
  if (!zone || zone === 'UTC') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      dayOfWeek: d.getUTCDay(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const dayOfWeek = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    dayOfWeek,
  };
}

/** Offset of the zone from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(ms: number, zone: string): number {
  const t = localTime(ms, zone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instants whose local time in the zone is exactly the given wall-clock time: none when a
 * daylight-saving jump skips it, two when the clocks go back over it, else one. Earliest first.
 */
export function instantsOf(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number[] {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!zone || zone === 'UTC') return [wall];
  // The offset at the instant is one of the offsets a few hours around it.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) candidates.add(wall - offsetAt(probe, zone));
  return [...candidates]
    .filter((utc) => {
      const t = localTime(utc, zone);
      return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) === wall;
    })
    .sort((a, b) => a - b);
}
