/**
 * FEEL (via @bpmn-io/feelin): syntax checks for the compiler and evaluation for the
 * interpreter. No Node built-ins: this module is bundled into the Temporal workflow sandbox
 * (feelin's `now()`/`today()` read the sandbox's deterministic clock).
 *
 * Variables are JSON. Going in, strings that are exactly an ISO date (`2026-01-01`) or a
 * date-time with zone (`2026-01-01T09:00:00Z`) become FEEL dates, so `=dateOfBirth +
 * duration("P56D")` works on stored variables. Coming out, dates and durations become ISO
 * strings again, so results are JSON too.
 */
import { date, evaluate, parseExpression } from '@bpmn-io/feelin';
import type { Expression, ListExpression } from './graph';

export type FeelOutcome<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

/** `=expr` → FEEL; anything else → literal (Camunda convention). */
export function toExpression(raw: string): Expression {
  const text = raw.trim();
  return text.startsWith('=') ? { type: 'feel', expression: text.slice(1).trim() } : { type: 'literal', value: raw };
}

/** Candidate groups/users: `=expr` → FEEL; otherwise a comma-separated list. */
export function toListExpression(raw: string): ListExpression {
  const text = raw.trim();
  if (text.startsWith('=')) return { type: 'feel', expression: text.slice(1).trim() };
  return {
    type: 'literal',
    values: text
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  };
}

/** Sequence-flow conditions are always FEEL; a leading `=` is optional. */
export function conditionSource(raw: string): string {
  const text = raw.trim();
  return text.startsWith('=') ? text.slice(1).trim() : text;
}

/** Plain-words description of why a FEEL expression does not parse, or null when it parses. */
export function feelSyntaxError(expression: string): string | null {
  if (expression.trim() === '') return 'the FEEL expression is empty';
  let errorAt = -1;
  try {
    parseExpression(expression, {}, undefined).iterate({
      enter: (node) => {
        if (errorAt < 0 && node.type.isError) errorAt = node.from;
        return errorAt < 0;
      },
    });
  } catch (e) {
    return `the FEEL expression cannot be parsed (${(e as Error).message})`;
  }
  if (errorAt < 0) return null;
  const near = expression.slice(errorAt, errorAt + 20);
  return errorAt >= expression.length
    ? `the FEEL expression "${expression}" ends too early (incomplete)`
    : `the FEEL expression "${expression}" has a syntax error at position ${errorAt + 1} (near "${near}")`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function toFeelValue(value: unknown): unknown {
  if (typeof value === 'string') {
    if (ISO_DATE.test(value) || ISO_DATE_TIME.test(value)) {
      const d = date(value);
      return d.isValid ? d : value;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map(toFeelValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toFeelValue(v)]));
  }
  return value;
}

interface LuxonLike {
  isLuxonDateTime?: boolean;
  isLuxonDuration?: boolean;
  isValid?: boolean;
  toISO(): string | null;
  toISODate?(): string | null;
  hour?: number;
  minute?: number;
  second?: number;
  millisecond?: number;
  offset?: number;
}

/** FEEL result → JSON: dates/durations as ISO strings, functions and ranges refused. */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value !== 'object') {
    if (typeof value === 'function') throw new Error('a FEEL function is not a storable value');
    return value;
  }
  const lux = value as LuxonLike;
  if (lux.isLuxonDateTime) {
    if (!lux.isValid) return null;
    const midnightUtc =
      lux.hour === 0 && lux.minute === 0 && lux.second === 0 && lux.millisecond === 0 && lux.offset === 0;
    return midnightUtc && lux.toISODate ? lux.toISODate() : lux.toISO();
  }
  if (lux.isLuxonDuration) return lux.isValid ? lux.toISO() : null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new Error('a FEEL range or function is not a storable value');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
}

/** Evaluates a FEEL expression against JSON variables; the result is JSON. Never throws. */
export function evaluateFeel(expression: string, variables: Readonly<Record<string, unknown>>): FeelOutcome {
  try {
    const { value } = evaluate(expression, toFeelValue(variables) as Record<string, unknown>);
    return { ok: true, value: toJsonValue(value) };
  } catch (e) {
    return { ok: false, error: `FEEL "${expression}" failed: ${(e as Error).message}` };
  }
}

/** Literal → its text; FEEL → its JSON value. */
export function evaluateExpression(expr: Expression, variables: Readonly<Record<string, unknown>>): FeelOutcome {
  return expr.type === 'literal' ? { ok: true, value: expr.value } : evaluateFeel(expr.expression, variables);
}

/** A list attribute → string items (FEEL may give a list or a comma-separated string). */
export function evaluateList(
  expr: ListExpression,
  variables: Readonly<Record<string, unknown>>,
): FeelOutcome<string[]> {
  if (expr.type === 'literal') return { ok: true, value: [...expr.values] };
  const out = evaluateFeel(expr.expression, variables);
  if (!out.ok) return out;
  if (out.value === null) return { ok: true, value: [] };
  if (typeof out.value === 'string')
    return {
      ok: true,
      value: out.value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (Array.isArray(out.value) && out.value.every((v) => typeof v === 'string'))
    return { ok: true, value: out.value as string[] };
  return {
    ok: false,
    error: `FEEL "${expr.expression}" should give a list of strings, gave ${JSON.stringify(out.value)}`,
  };
}

/** A flow condition: true takes the flow; false or null does not; anything else is an error (an incident). */
export function evaluateCondition(
  expression: string,
  variables: Readonly<Record<string, unknown>>,
): FeelOutcome<boolean> {
  const out = evaluateFeel(expression, variables);
  if (!out.ok) return out;
  if (out.value === null || typeof out.value === 'boolean') return { ok: true, value: out.value === true };
  return { ok: false, error: `condition "${expression}" should give true or false, gave ${JSON.stringify(out.value)}` };
}
