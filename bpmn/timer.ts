/**
 * Timer values for the compiler (literal checks) and the interpreter (when does it fire).
 * Pure and sandbox-safe: the caller passes "now" (workflow time) explicitly.
 */
import { startOfLondonDay } from '../core/uk-time';
import type { Expression, TimerDefinition } from './graph';
import { evaluateExpression, type FeelDialect, type FeelOutcome } from './feel';
import {
  addIsoDuration,
  isZeroDuration,
  parseIsoCycle,
  parseIsoDateTime,
  parseIsoDuration,
  type IsoDuration,
} from './iso8601';

export interface TimerSchedule {
  /** Epoch ms of the first firing. */
  readonly dueAt: number;
  /** For cycles: the interval, and how many firings remain after the first (null = forever). */
  readonly repeat?: { readonly interval: IsoDuration; readonly remainingAfterFirst: number | null };
}

const ISO_DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Six or seven space-separated cron fields (Camunda 8's Spring-style cron), or a cron macro. */
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\S+(\s+\S+){5,6})$/;
/** A date-time followed by a zone id in brackets, e.g. 2026-12-01T09:00:00@Europe/London or ...[Europe/London]. */
const ZONE_ID = /^\d{4}-\d{2}-\d{2}T[^\s@[]+(@|\[)[A-Za-z_]+(\/[A-Za-z_+-]+)*\]?$/;

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

/** Why a literal timer value is not valid ISO 8601 for its kind, or null when it is. */
export function timerLiteralError(kind: TimerDefinition['kind'], text: string): string | null {
  // Camunda 8 also takes these two; refused by name rather than read wrongly.
  if (kind === 'cycle' && CRON.test(text.trim()))
    return `"${text}" is a cron expression: cron timer cycles are not supported yet (use an ISO 8601 repeating interval such as R/P1D)`;
  if (kind === 'date' && ZONE_ID.test(text.trim()))
    return `"${text}" names a zone id: date-times with a zone id are not supported yet (give an offset, for example 2026-12-01T09:00:00+01:00)`;
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
  options: InstantOptions = {},
): FeelOutcome<TimerSchedule> {
  const text = valueText(timer.value, variables, dialect);
  if (!text.ok) return text;
  const problem = timerLiteralError(timer.kind, text.value);
  if (problem) return { ok: false, error: problem };
  if (timer.kind === 'duration')
    return { ok: true, value: { dueAt: addIsoDuration(nowMs, parseIsoDuration(text.value)!) } };
  if (timer.kind === 'date') return { ok: true, value: { dueAt: parseInstant(text.value, options)! } };
  const cycle = parseIsoCycle(text.value)!;
  const dueAt = cycle.start ?? addIsoDuration(nowMs, cycle.interval);
  const remainingAfterFirst = cycle.repetitions === null ? null : Math.max(cycle.repetitions - 1, 0);
  return { ok: true, value: { dueAt, repeat: { interval: cycle.interval, remainingAfterFirst } } };
}

/**
 * A due date / follow-up date: a date-time, a plain date, or a duration counted from now
 * (so `P14D` means "in 14 days").
 */
export function resolveInstantOrDuration(
  expr: Expression,
  variables: Readonly<Record<string, unknown>>,
  nowMs: number,
  dialect: FeelDialect = 'legacy',
  options: InstantOptions = {},
): FeelOutcome<number> {
  const text = valueText(expr, variables, dialect);
  if (!text.ok) return text;
  const instant = parseInstant(text.value, options);
  if (instant !== null) return { ok: true, value: instant };
  const duration = parseIsoDuration(text.value);
  if (duration) return { ok: true, value: addIsoDuration(nowMs, duration) };
  return { ok: false, error: `"${text.value}" is neither an ISO 8601 date-time nor a duration` };
}

/** Literal check for due/follow-up dates (same forms as resolveInstantOrDuration accepts). */
export function instantOrDurationLiteralError(text: string): string | null {
  return parseInstant(text) !== null || parseIsoDuration(text)
    ? null
    : `"${text}" is neither an ISO 8601 date-time (2026-12-01T09:00:00Z) nor a duration (P14D)`;
}
