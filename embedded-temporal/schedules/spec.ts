import { invalidArgument } from '../errors';
import type { temporal, P } from '../proto';
import { durationMs, msToDuration, timestampMs } from '../time';
import { checkTimeZone, instantsOf, localTime } from './time-zone';

export type ScheduleSpec = P<temporal.api.schedule.v1.IScheduleSpec>;
type Structured = P<temporal.api.schedule.v1.IStructuredCalendarSpec>;
type Range = P<temporal.api.schedule.v1.IRange>;

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * The canonical form a real server stores and describes: cron strings and string calendars
 * become structured calendars (or intervals), the cron time zone moves to the spec. Throws
 * InvalidArgument naming the problem.
 */
export function canonicalSpec(spec: ScheduleSpec | null | undefined): ScheduleSpec {
  const out: ScheduleSpec = {
    structuredCalendar: [...(spec?.structuredCalendar ?? [])],
    interval: [...(spec?.interval ?? [])],
    excludeStructuredCalendar: [...(spec?.excludeStructuredCalendar ?? [])],
    startTime: spec?.startTime ?? undefined,
    endTime: spec?.endTime ?? undefined,
    jitter: spec?.jitter ?? undefined,
    timezoneName: spec?.timezoneName ?? '',
  };
  for (const cal of spec?.calendar ?? []) out.structuredCalendar!.push(structuredFromStrings(cal));
  for (const cal of spec?.excludeCalendar ?? []) out.excludeStructuredCalendar!.push(structuredFromStrings(cal));
  let cronZone: string | undefined;
  for (const cron of spec?.cronString ?? []) {
    const parsed = parseCron(cron);
    if (cronZone !== undefined && parsed.zone !== cronZone)
      throw invalidArgument('invalid schedule spec: cron strings have conflicting time zones');
    cronZone = parsed.zone;
    if (parsed.calendar) out.structuredCalendar!.push(parsed.calendar);
    if (parsed.interval) out.interval!.push(parsed.interval);
  }
  if (cronZone) {
    if (out.timezoneName && out.timezoneName !== cronZone)
      throw invalidArgument('invalid schedule spec: cron strings have conflicting time zones');
    out.timezoneName = cronZone;
  }
  for (const cal of [...out.structuredCalendar!, ...out.excludeStructuredCalendar!]) validateCalendar(cal);
  for (const iv of out.interval!) {
    const every = durationMs(iv.interval);
    const phase = durationMs(iv.phase);
    if (every < 1000) throw invalidArgument('invalid schedule spec: interval is too small');
    if (phase < 0 || phase >= every)
      throw invalidArgument('invalid schedule spec: phase cannot be greater than Interval');
  }
  checkTimeZone(out.timezoneName ?? '');
  return out;
}

function validateCalendar(cal: Structured): void {
  const check = (ranges: Range[] | null | undefined, field: string, min: number, max: number) => {
    for (const r of ranges ?? []) {
      const start = r.start ?? 0;
      const end = r.end ?? 0;
      if (start < min || start > max)
        throw invalidArgument(`invalid calendar spec: ${field} Start is not in range [${min}-${max}]`);
      if (end !== 0 && (end < start || end > max))
        throw invalidArgument(`invalid calendar spec: ${field} End is before Start or not in range [${min}-${max}]`);
      if ((r.step ?? 0) < 0) throw invalidArgument(`invalid calendar spec: ${field} has invalid Step`);
    }
  };
  check(cal.second, 'Second', 0, 59);
  check(cal.minute, 'Minute', 0, 59);
  check(cal.hour, 'Hour', 0, 23);
  check(cal.dayOfMonth, 'DayOfMonth', 1, 31);
  check(cal.month, 'Month', 1, 12);
  check(cal.year, 'Year', MIN_YEAR, MAX_YEAR);
  check(cal.dayOfWeek, 'DayOfWeek', 0, 6);
}

type Mode = 'int' | 'month' | 'dow' | 'year';

/** Parses one cron-style field ("*", "5", "1-5", "1-5/2", "3/5", "mon-fri", "1,3,5") into ranges. */
function parseField(text: string, field: string, fallback: string, min: number, max: number, mode: Mode): Range[] {
  const s = text.trim() || fallback;
  if (s === '*' && mode === 'year') return [];
  const ranges: Range[] = [];
  for (const part of s.split(',')) {
    const [body, stepText, extra] = part.split('/');
    if (extra !== undefined) throw invalidArgument(`invalid schedule spec: ${field} has too many slashes`);
    let step = 1;
    if (stepText !== undefined) {
      step = Number(stepText);
      if (!Number.isInteger(step) || step < 1)
        throw invalidArgument(`invalid schedule spec: ${field} has invalid Step`);
    }
    let start = min;
    let end = max;
    if (body !== '*') {
      const bounds = body.split('-');
      if (bounds.length > 2) throw invalidArgument(`invalid schedule spec: ${field} has too many dashes`);
      start = parseValue(bounds[0], min, max, mode, field);
      if (bounds.length === 2) end = parseValue(bounds[1], start, max, mode, field);
      else if (stepText === undefined) end = start;
    }
    if (mode === 'dow' && end === 7) {
      // Sunday may be written 7: add it as 0 when the range reaches it.
      if ((7 - start) % step === 0 && (step > 1 || start > 1)) {
        ranges.push({ start: 0 });
        if (start === 7) continue;
      }
      end = 6;
    }
    ranges.push({ start, end: end === start ? 0 : end, step: step === 1 ? 0 : step });
  }
  return ranges;
}

function parseValue(text: string, min: number, max: number, mode: Mode, field: string): number {
  const s = text.trim().toLowerCase();
  const names = mode === 'month' ? MONTHS : mode === 'dow' ? DAYS : undefined;
  if (names && s.length >= (mode === 'month' ? 3 : 2)) {
    const i = names.findIndex((n) => n.startsWith(s));
    if (i >= 0) {
      const v = mode === 'month' ? i + 1 : i;
      if (v >= min && v <= max) return v;
    }
  }
  const v = Number(s);
  if (!/^\d+$/.test(s) || v < min || v > max)
    throw invalidArgument(`invalid schedule spec: ${field} is not in range [${min}-${max}]`);
  return v;
}

function structuredFromStrings(cal: P<temporal.api.schedule.v1.ICalendarSpec>): Structured {
  return {
    second: parseField(cal.second ?? '', 'Second', '0', 0, 59, 'int'),
    minute: parseField(cal.minute ?? '', 'Minute', '0', 0, 59, 'int'),
    hour: parseField(cal.hour ?? '', 'Hour', '0', 0, 23, 'int'),
    dayOfWeek: parseField(cal.dayOfWeek ?? '', 'DayOfWeek', '*', 0, 7, 'dow'),
    dayOfMonth: parseField(cal.dayOfMonth ?? '', 'DayOfMonth', '*', 1, 31, 'int'),
    month: parseField(cal.month ?? '', 'Month', '*', 1, 12, 'month'),
    year: parseField(cal.year ?? '', 'Year', '*', MIN_YEAR, MAX_YEAR, 'year'),
    comment: cal.comment ?? '',
  };
}

const PREDEFINED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A cron string: optional `CRON_TZ=zone ` prefix, `# comment`, `@every 1h[/15m]`, `@daily`..., or 5-7 fields. */
function parseCron(cron: string): {
  calendar?: Structured;
  interval?: P<temporal.api.schedule.v1.IIntervalSpec>;
  zone: string;
} {
  let c = cron.trim();
  let zone = '';
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const space = c.indexOf(' ');
    if (space < 0) throw invalidArgument('invalid schedule spec: CronString has time zone but missing fields');
    zone = c.slice(c.indexOf('=') + 1, space);
    c = c.slice(space + 1);
  }
  const hash = c.indexOf('#');
  const comment = hash >= 0 ? c.slice(hash + 1).trim() : '';
  if (hash >= 0) c = c.slice(0, hash);
  c = c.trim();
  if (c.startsWith('@every')) {
    const [every, phase] = c.slice('@every'.length).trim().split('/');
    if (!every) throw invalidArgument('invalid schedule spec: CronString does not have interval after @every');
    return {
      interval: {
        interval: msToDuration(parseDuration(every)),
        phase: phase ? msToDuration(parseDuration(phase)) : undefined,
      },
      zone: '',
    };
  }
  c = PREDEFINED[c] ?? c;
  const f = c.split(/\s+/).filter(Boolean);
  if (f.length < 5 || f.length > 7) throw invalidArgument('invalid schedule spec: CronString does not have 5-7 fields');
  const [second, rest] = f.length === 7 ? [f[0], f.slice(1)] : ['', f];
  return {
    calendar: structuredFromStrings({
      second,
      minute: rest[0],
      hour: rest[1],
      dayOfMonth: rest[2],
      month: rest[3],
      dayOfWeek: rest[4],
      year: rest[5] ?? '',
      comment,
    }),
    zone,
  };
}

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, ns: 1e-6 };

/** Go-style durations with days ("1d12h", "90m", "1.5h"). */
function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|d|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text.trim())
    throw invalidArgument(`invalid schedule spec: invalid duration "${text}"`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
}

/** A set of allowed values for one calendar field. */
type Matcher = (v: number) => boolean;

function matcher(ranges: Range[] | null | undefined, emptyMatchesAll: boolean): Matcher {
  if (!ranges?.length) return () => emptyMatchesAll;
  const allowed = new Set<number>();
  for (const r of ranges) {
    const start = r.start ?? 0;
    const end = Math.max(r.end ?? 0, start);
    const step = (r.step ?? 0) > 0 ? r.step! : 1;
    for (let v = start; v <= end; v += step) allowed.add(v);
  }
  return (v) => allowed.has(v);
}

interface CompiledCalendar {
  year: Matcher;
  month: Matcher;
  day: Matcher;
  dayOfWeek: Matcher;
  hour: Matcher;
  minute: Matcher;
  second: Matcher;
  /** A calendar with an empty field (other than year) never matches. */
  never: boolean;
}

function compileCalendar(cal: Structured): CompiledCalendar {
  const fields = [cal.second, cal.minute, cal.hour, cal.dayOfMonth, cal.month, cal.dayOfWeek];
  return {
    year: matcher(cal.year, true),
    month: matcher(cal.month, false),
    day: matcher(cal.dayOfMonth, false),
    dayOfWeek: matcher(cal.dayOfWeek, false),
    hour: matcher(cal.hour, false),
    minute: matcher(cal.minute, false),
    second: matcher(cal.second, false),
    never: fields.some((f) => !f?.length),
  };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** First instant strictly after `after` (ms) whose local time in `zone` matches the calendar. */
function nextCalendarTime(cal: CompiledCalendar, after: number, zone: string): number | undefined {
  if (cal.never) return undefined;
  // Start an hour back in a zone with daylight saving: when the clocks go back, local times
  // already passed once come round again after `after` (the filter below drops earlier instants).
  const back = zone && zone !== 'UTC' ? 3_600_000 : 0;
  const from = localTime(Math.floor(after / 1000) * 1000 + 1000 - back, zone);
  for (let y = Math.max(from.year, MIN_YEAR); y <= MAX_YEAR; y++) {
    if (!cal.year(y)) continue;
    const sameYear = y === from.year;
    for (let mo = sameYear ? from.month : 1; mo <= 12; mo++) {
      if (!cal.month(mo)) continue;
      const sameMonth = sameYear && mo === from.month;
      for (let d = sameMonth ? from.day : 1; d <= daysIn(y, mo); d++) {
        if (!cal.day(d) || !cal.dayOfWeek(new Date(Date.UTC(y, mo - 1, d)).getUTCDay())) continue;
        const sameDay = sameMonth && d === from.day;
        for (let h = sameDay ? from.hour : 0; h < 24; h++) {
          if (!cal.hour(h)) continue;
          const sameHour = sameDay && h === from.hour;
          for (let mi = sameHour ? from.minute : 0; mi < 60; mi++) {
            if (!cal.minute(mi)) continue;
            const sameMinute = sameHour && mi === from.minute;
            for (let s = sameMinute ? from.second : 0; s < 60; s++) {
              if (!cal.second(s)) continue;
              // A wall time the clocks skip does not happen; one they repeat happens twice.
              for (const at of instantsOf(zone, y, mo, d, h, mi, s)) if (at > after) return at;
            }
          }
        }
      }
    }
  }
  return undefined;
}

function calendarMatches(cal: CompiledCalendar, at: number, zone: string): boolean {
  if (cal.never) return false;
  const t = localTime(at, zone);
  return (
    cal.year(t.year) &&
    cal.month(t.month) &&
    cal.day(t.day) &&
    cal.dayOfWeek(t.dayOfWeek) &&
    cal.hour(t.hour) &&
    cal.minute(t.minute) &&
    cal.second(t.second)
  );
}

export interface NextTime {
  /** The matching time before jitter. */
  nominal: number;
  /** When the action is taken: nominal plus deterministic jitter. */
  actual: number;
}

/** A canonical spec ready to answer "what is the next matching time after t". */
export class CompiledSpec {
  private readonly calendars: CompiledCalendar[];
  private readonly excludes: CompiledCalendar[];
  private readonly zone: string;
  private readonly startMs: number | undefined;
  private readonly endMs: number | undefined;
  private readonly jitterMs: number;

  constructor(private readonly spec: ScheduleSpec) {
    this.calendars = (spec.structuredCalendar ?? []).map(compileCalendar);
    this.excludes = (spec.excludeStructuredCalendar ?? []).map(compileCalendar);
    this.zone = spec.timezoneName ?? '';
    this.startMs = spec.startTime ? timestampMs(spec.startTime) : undefined;
    this.endMs = spec.endTime ? timestampMs(spec.endTime) : undefined;
    this.jitterMs = durationMs(spec.jitter);
  }

  /** The next matching time after `after` (ms), or undefined when the spec has no more. */
  next(after: number, jitterSeed: string): NextTime | undefined {
    let t = Math.max(after, this.startMs !== undefined ? this.startMs - 1000 : -Infinity);
    let nominal: number | undefined;
    for (let i = 0; i < 10_000; i++) {
      nominal = this.rawNext(t);
      if (nominal === undefined || (this.endMs !== undefined && nominal > this.endMs)) return undefined;
      if (!this.excludes.some((x) => calendarMatches(x, nominal!, this.zone))) break;
      t = nominal;
      nominal = undefined;
    }
    if (nominal === undefined) return undefined;
    // Jitter never pushes an action past the next nominal time.
    const following = this.rawNext(nominal);
    const maxJitter = Math.max(0, Math.min(this.jitterMs, following === undefined ? Infinity : following - nominal));
    return { nominal, actual: nominal + jitter(jitterSeed, nominal, maxJitter) };
  }

  private rawNext(after: number): number | undefined {
    let min = Infinity;
    for (const cal of this.calendars) {
      const t = nextCalendarTime(cal, after, this.zone);
      if (t !== undefined && t < min) min = t;
    }
    const afterSec = Math.floor(after / 1000);
    for (const iv of this.spec.interval ?? []) {
      const every = Math.max(1, Math.floor(durationMs(iv.interval) / 1000));
      const phase = Math.max(0, Math.floor(durationMs(iv.phase) / 1000));
      const t = (Math.floor((afterSec - phase) / every) + 1) * every + phase;
      if (t * 1000 < min) min = t * 1000;
    }
    return min === Infinity ? undefined : min;
  }
}

/** Deterministic jitter in [0, max): a hash of the nominal time and the schedule, as a fraction of max. */
function jitter(seed: string, nominal: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  let h = 0x811c9dc5;
  for (const ch of `${nominal}:${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return Math.floor((h / 2 ** 32) * Math.min(maxMs, 2 ** 32 - 1));
}
