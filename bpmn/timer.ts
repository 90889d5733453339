/**
 * Timer values for the compiler (literal checks) and the interpreter (when does it fire).
 * Pure and sandbox-safe: the caller passes "now" (workflow time) explicitly.
 */
import { startOfLondonDay } from '../core/uk-time';
import type { Expression, TimerDefinition } from './graph';
import { evaluateExpression, type FeelDialect, type FeelOutcome } from './feel';
import { looksLikeCron, nextCronFiring, parseCron, type CronSchedule } from './cron';
import {
  addIsoDuration,
  isZeroDuration,
  parseIsoCycle,
  parseIsoDateTime,
  parseIsoDuration,
  type IsoDuration,
} from './iso8601';
import { addIsoDurationInZone, looksZoned, parseZonedDateTime } from './zoned-time';

/**
 * How a cycle goes on after a firing: every `interval` (in `zone` when its start named a zone id,
 * so 09:00 stays 09:00 across a clock change; else in UTC), or at the next time a cron expression
 * matches on the wall clock of `zone`.
 */
export type Recurrence =
  { readonly interval: IsoDuration; readonly zone?: string } | { readonly cron: string; readonly zone: string };

export interface TimerSchedule {
  /** Epoch ms of the first firing. */
  readonly dueAt: number;
  /** For cycles: how they recur, and how many firings remain after the first (null = forever). */
  readonly repeat?: Recurrence & { readonly remainingAfterFirst: number | null };
}

/**
 * The zone cron cycles are read in: England's wall clock, where CHIS Flow runs (Zeebe reads them
 * in its host's zone; `0 0 9 * * MON-FRI` is 09:00 in England all year, BST or not).
 */
export const CRON_ZONE = 'Europe/London';

const ISO_DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Where a plain date (no time) starts: at midnight in England (process instances started since
 * UK local time came in: their state says `plainDates: 'england'`, see workflows/engine/engine.ts),
 * or at midnight UTC (the default here, so that instances and schedulers started before replay
 * with the dates they armed).
 */
export type PlainDates = 'england' | 'utc';

export interface InstantOptions {
  readonly plainDates?: PlainDates;
}

export interface TimerOptions extends InstantOptions {
  /**
   * Cron cycles and date-times with a zone id (default: taken). Process instances started before
   * they were supported refused them when armed, and keep doing so on replay (see
   * workflows/engine/engine.ts `cronAndZoneIds`).
   */
  readonly cronAndZoneIds?: boolean;
}

/**
 * A date-time with zone, or a plain date taken as the start of that day: midnight in England
 * for `plainDates: 'england'` (00:00 BST is 23:00 UTC the day before), else midnight UTC. A
 * deadline "by the end of day 17" is written as the start of day 18.
 */
export function parseInstant(text: string, options: InstantOptions = {}): number | null {
  const exact = parseIsoDateTime(text);
  if (exact !== null) return exact;
  const date = text.trim();
  if (!ISO_DATE_ONLY.test(date)) return null;
  const utc = parseIsoDateTime(`${date}T00:00:00Z`);
  if (utc === null || options.plainDates !== 'england') return utc;
  try {
    return startOfLondonDay(date);
  } catch {
    return utc; // outside the years the UK clock rule is known for: UTC
  }
}

/** The start of a cycle `R…/start/interval`, which may name a zone id. */
function cycleStart(text: string): string | null {
  const parts = text.trim().split('/');
  return parts.length >= 4 || (parts.length === 3 && /^R\d*$/.test(parts[0])) ? parts.slice(1, -1).join('/') : null;
}

/** Why a literal timer value is not valid for its kind (ISO 8601, a zone id, cron), or null when it is. */
export function timerLiteralError(
  kind: TimerDefinition['kind'],
  text: string,
  options: TimerOptions = {},
): string | null {
  const zoned = options.cronAndZoneIds ?? true;
  if (kind === 'cycle' && !parseIsoCycle(text) && looksLikeCron(text)) {
    if (!zoned)
      return `"${text}" is a cron expression: cron timer cycles are not supported yet (use an ISO 8601 repeating interval such as R/P1D)`;
    const cron = parseCron(text);
    return typeof cron === 'string' ? cron : null;
  }
  const start = kind === 'cycle' ? cycleStart(text) : kind === 'date' ? text : null;
  if (start !== null && looksZoned(start)) {
    if (!zoned)
      return `"${text}" names a zone id: date-times with a zone id are not supported yet (give an offset, for example 2026-12-01T09:00:00+01:00)`;
    const at = parseZonedDateTime(start);
    if (typeof at === 'string') return at;
    if (kind === 'date') return null;
    const interval = parseIsoDuration(text.trim().split('/').at(-1) ?? '');
    if (!interval || !/^R\d*$/.test(text.trim().split('/')[0]))
      return `"${text}" is not an ISO 8601 repeating interval (for example R3/2026-12-24T09:00:00[Europe/London]/P1D)`;
    return isZeroDuration(interval) ? `"${text}" repeats every zero seconds` : null;
  }
  if (kind === 'duration') {
    return parseIsoDuration(text) ? null : `"${text}" is not an ISO 8601 duration (for example P56D, PT1H30M, P2W)`;
  }
  if (kind === 'date') {
    return parseInstant(text) !== null
      ? null
      : `"${text}" is not an ISO 8601 date-time with a zone (for example 2026-12-01T09:00:00Z)`;
  }
  const cycle = parseIsoCycle(text);
  if (!cycle) return `"${text}" is not an ISO 8601 repeating interval (for example R3/PT1H or R/P7D)`;
  if (isZeroDuration(cycle.interval)) return `"${text}" repeats every zero seconds`;
  return null;
}

function valueText(
  expr: Expression,
  variables: Readonly<Record<string, unknown>>,
  dialect: FeelDialect,
): FeelOutcome<string> {
  const out = evaluateExpression(expr, variables, dialect);
  if (!out.ok) return out;
  if (typeof out.value !== 'string')
    return { ok: false, error: `timer value should be ISO 8601 text, got ${JSON.stringify(out.value)}` };
  return { ok: true, value: out.value };
}

/** When a timer fires, evaluated against the variables at the moment it is armed. */
export function resolveTimer(
  timer: TimerDefinition,
  variables: Readonly<Record<string, unknown>>,
  nowMs: number,
  dialect: FeelDialect = 'legacy',
  options: TimerOptions = {},
): FeelOutcome<TimerSchedule> {
  const text = valueText(timer.value, variables, dialect);
  if (!text.ok) return text;
  const problem = timerLiteralError(timer.kind, text.value, options);
  if (problem) return { ok: false, error: problem };
  const value = text.value.trim();
  if (timer.kind === 'duration') return { ok: true, value: { dueAt: addIsoDuration(nowMs, parseIsoDuration(value)!) } };
  if (timer.kind === 'date') {
    const zoned = looksZoned(value) ? parseZonedDateTime(value) : null;
    if (zoned && typeof zoned !== 'string') return { ok: true, value: { dueAt: zoned.epochMs } };
    return { ok: true, value: { dueAt: parseInstant(value, options)! } };
  }
  const start = cycleStart(value);
  if (start !== null && looksZoned(start)) {
    const at = parseZonedDateTime(start) as { epochMs: number; zone: string };
    const parts = value.split('/');
    const repetitions = parts[0] === 'R' ? null : Number(parts[0].slice(1));
    const interval = parseIsoDuration(parts.at(-1)!)!;
    const remainingAfterFirst = repetitions === null ? null : Math.max(repetitions - 1, 0);
    return { ok: true, value: { dueAt: at.epochMs, repeat: { interval, zone: at.zone, remainingAfterFirst } } };
  }
  const cycle = parseIsoCycle(value);
  if (!cycle) {
    const cron = value;
    const dueAt = nextCronFiring(parseCron(cron) as CronSchedule, nowMs, CRON_ZONE);
    if (dueAt === null) return { ok: false, error: `"${cron}" does not match any time in the next five years` };
    return { ok: true, value: { dueAt, repeat: { cron, zone: CRON_ZONE, remainingAfterFirst: null } } };
  }
  const dueAt = cycle.start ?? addIsoDuration(nowMs, cycle.interval);
  const remainingAfterFirst = cycle.repetitions === null ? null : Math.max(cycle.repetitions - 1, 0);
  return { ok: true, value: { dueAt, repeat: { interval: cycle.interval, remainingAfterFirst } } };
}

/**
 * The firing after one at `lastFireAt` (workflow time is now `nowMs`): one interval on, or the
 * next time the cron expression matches after both; null when a cron expression matches no more.
 */
export function nextRecurrence(recurrence: Recurrence, lastFireAt: number, nowMs: number): number | null {
  if ('cron' in recurrence) {
    const cron = parseCron(recurrence.cron);
    return typeof cron === 'string' ? null : nextCronFiring(cron, Math.max(lastFireAt, nowMs), recurrence.zone);
  }
  return recurrence.zone
    ? addIsoDurationInZone(lastFireAt, recurrence.interval, recurrence.zone)
    : addIsoDuration(lastFireAt, recurrence.interval);
}

/** How a due date / follow-up date is read. */
export interface TaskDateOptions extends InstantOptions {
  /**
   * Date-times with a zone id (`…[Europe/London]`, FEEL's `…@Europe/London`) are taken, as timers
   * take them. Process instances started before they were taken here raised an incident for
   * such a date and keep doing so on replay (see workflows/engine/engine.ts `zonedTaskDates`).
   */
  readonly zoneIds?: boolean;
}

/**
 * A due date / follow-up date: a date-time (with an offset, or a zone id when `zoneIds`), a plain
 * date, or a duration counted from now (so `P14D` means "in 14 days").
 */
export function resolveInstantOrDuration(
  expr: Expression,
  variables: Readonly<Record<string, unknown>>,
  nowMs: number,
  dialect: FeelDialect = 'legacy',
  options: TaskDateOptions = {},
): FeelOutcome<number> {
  const text = valueText(expr, variables, dialect);
  if (!text.ok) return text;
  return instantOrDuration(text.value, nowMs, options);
}

/** resolveInstantOrDuration for a text already evaluated (a task listener's correction, say). */
export function instantOrDuration(text: string, nowMs: number, options: TaskDateOptions = {}): FeelOutcome<number> {
  if (options.zoneIds === true && looksZoned(text)) {
    const at = parseZonedDateTime(text.trim());
    return typeof at === 'string' ? { ok: false, error: at } : { ok: true, value: at.epochMs };
  }
  const instant = parseInstant(text, options);
  if (instant !== null) return { ok: true, value: instant };
  const duration = parseIsoDuration(text);
  if (duration) return { ok: true, value: addIsoDuration(nowMs, duration) };
  return { ok: false, error: `"${text}" is neither an ISO 8601 date-time nor a duration` };
}

/** Literal check for due/follow-up dates (same forms as resolveInstantOrDuration accepts, zone ids included). */
export function instantOrDurationLiteralError(text: string): string | null {
  if (looksZoned(text)) {
    const at = parseZonedDateTime(text.trim());
    return typeof at === 'string' ? at : null;
  }
  return parseInstant(text) !== null || parseIsoDuration(text)
    ? null
    : `"${text}" is neither an ISO 8601 date-time (2026-12-01T09:00:00Z, 2026-12-01T09:00:00[Europe/London]) nor a duration (P14D)`;
}
