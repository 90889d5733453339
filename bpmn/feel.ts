/**
 * FEEL (via @bpmn-io/feelin): syntax checks for the compiler and evaluation for the
 * interpreter. No Node built-ins: this module is bundled into the Temporal workflow sandbox
 * (feelin's `now()`/`today()` read the sandbox's deterministic clock).
 *
 * Two dialects, chosen per deployed version (CompiledGraph.semantics) so running instances
 * keep theirs:
 * - `camunda` (Camunda 8): strings stay strings, Camunda's built-in functions (feel-builtins.ts:
 *   `is defined`, `get or else`, `to json`...), string literals may span lines.
 * - `legacy` (graphs compiled before): strings that are exactly an ISO date (`2026-01-01`) or a
 *   date-time with zone become FEEL dates, so `=dateOfBirth + duration("P56D")` worked on stored
 *   variables; feelin's built-ins only.
 * Coming out, dates and durations become ISO strings, so results are JSON.
 */
import { date, evaluate, parseExpression, parseUnaryTests, unaryTest } from '@bpmn-io/feelin';
import { camundaBuiltins, camundaOverloads, temporalText } from './feel-builtins';
import type { Expression, ListExpression } from './graph';

export type FeelOutcome<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

export type FeelDialect = 'camunda' | 'legacy';

/** The dialect of a graph: Camunda's from semantics 2 on. */
export function feelDialectOf(graph: { readonly semantics?: number }): FeelDialect {
  return (graph.semantics ?? 1) >= 2 ? 'camunda' : 'legacy';
}

/** Raw line breaks and tabs inside string literals become escapes: Camunda accepts multi-line strings, feelin's grammar does not. */
export function escapeStringLiterals(expression: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (inString && ch === '\\') {
      out += ch + (expression[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    if (inString && ch === '\n') out += '\\n';
    else if (inString && ch === '\r') out += '\\r';
    else if (inString && ch === '\t') out += '\\t';
    else out += ch;
  }
  return out;
}

/** Camunda's built-ins, made once per module instance (the workflow bundle preloads this module). */
let builtins: Record<string, unknown> | undefined;
function camundaContext(): Record<string, unknown> {
  builtins ??= {
    ...camundaBuiltins(),
    ...camundaOverloads((name, args) => {
      const names = args.map((_, i) => `a${i}`);
      return evaluate(`${name}(${names.join(', ')})`, Object.fromEntries(names.map((n, i) => [n, args[i]]))).value;
    }),
  };
  return builtins;
}

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
export function feelSyntaxError(raw: string): string | null {
  if (raw.trim() === '') return 'the FEEL expression is empty';
  const expression = escapeStringLiterals(raw);
  let errorAt = -1;
  try {
    // The built-ins' names are part of the parse context: some hold keywords (`get or else`).
    parseExpression(expression, camundaContext(), 'camunda').iterate({
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

function toFeelValue(value: unknown, dialect: FeelDialect): unknown {
  if (typeof value === 'string' && dialect === 'legacy') {
    if (ISO_DATE.test(value) || ISO_DATE_TIME.test(value)) {
      const d = date(value);
      return d.isValid ? d : value;
    }
    return value;
  }
  if (dialect === 'camunda') return value; // JSON variables are FEEL values as they are
  if (Array.isArray(value)) return value.map((v) => toFeelValue(v, dialect));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toFeelValue(v, dialect)]));
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
export function toJsonValue(value: unknown, dialect: FeelDialect = 'legacy'): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value !== 'object') {
    if (typeof value === 'function') throw new Error('a FEEL function is not a storable value');
    return value;
  }
  const lux = value as LuxonLike;
  if (lux.isLuxonDateTime && dialect === 'camunda') {
    return lux.isValid ? temporalText(value as Parameters<typeof temporalText>[0]) : null;
  }
  if (lux.isLuxonDateTime) {
    if (!lux.isValid) return null;
    const midnightUtc =
      lux.hour === 0 && lux.minute === 0 && lux.second === 0 && lux.millisecond === 0 && lux.offset === 0;
    return midnightUtc && lux.toISODate ? lux.toISODate() : lux.toISO();
  }
  if (lux.isLuxonDuration) return lux.isValid ? lux.toISO() : null;
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, dialect));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new Error('a FEEL range or function is not a storable value');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v, dialect)]));
}

/** The raw FEEL value (dates as luxon values): for DMN, which compares before converting. */
export function evaluateFeelValue(
  expression: string,
  variables: Readonly<Record<string, unknown>>,
  dialect: FeelDialect,
): unknown {
  if (dialect === 'legacy')
    return evaluate(expression, toFeelValue(variables, dialect) as Record<string, unknown>).value;
  return evaluate(escapeStringLiterals(expression), { ...camundaContext(), ...variables }, 'camunda').value;
}

/**
 * A DMN input entry: do the unary tests (`> 5`, `"a","b"`, `[1..3]`, `not("x")`) accept `input`?
 * Camunda dialect; `variables` are visible to the tests. Throws on a syntax error.
 */
export function evaluateUnaryTests(
  tests: string,
  input: unknown,
  variables: Readonly<Record<string, unknown>>,
): boolean | null {
  return unaryTest(escapeStringLiterals(tests), { ...camundaContext(), ...variables, '?': input }, 'camunda').value;
}

/** Why DMN unary tests do not parse, or null. */
export function unaryTestsSyntaxError(tests: string): string | null {
  let errorAt = -1;
  try {
    parseUnaryTests(escapeStringLiterals(tests), camundaContext(), 'camunda').iterate({
      enter: (node) => {
        if (errorAt < 0 && node.type.isError) errorAt = node.from;
        return errorAt < 0;
      },
    });
  } catch (e) {
    return `the unary tests cannot be parsed (${(e as Error).message})`;
  }
  return errorAt < 0 ? null : `the unary tests "${tests}" have a syntax error at position ${errorAt + 1}`;
}

/** Evaluates a FEEL expression against JSON variables; the result is JSON. Never throws. */
export function evaluateFeel(
  expression: string,
  variables: Readonly<Record<string, unknown>>,
  dialect: FeelDialect,
): FeelOutcome {
  try {
    return { ok: true, value: toJsonValue(evaluateFeelValue(expression, variables, dialect), dialect) };
  } catch (e) {
    return { ok: false, error: `FEEL "${expression}" failed: ${(e as Error).message}` };
  }
}

/** Literal → its text; FEEL → its JSON value. */
export function evaluateExpression(
  expr: Expression,
  variables: Readonly<Record<string, unknown>>,
  dialect: FeelDialect,
): FeelOutcome {
  return expr.type === 'literal' ? { ok: true, value: expr.value } : evaluateFeel(expr.expression, variables, dialect);
}

/** A list attribute → string items (FEEL may give a list or a comma-separated string). */
export function evaluateList(
  expr: ListExpression,
  variables: Readonly<Record<string, unknown>>,
  dialect: FeelDialect,
): FeelOutcome<string[]> {
  if (expr.type === 'literal') return { ok: true, value: [...expr.values] };
  const out = evaluateFeel(expr.expression, variables, dialect);
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
  dialect: FeelDialect,
): FeelOutcome<boolean> {
  const out = evaluateFeel(expression, variables, dialect);
  if (!out.ok) return out;
  if (out.value === null || typeof out.value === 'boolean') return { ok: true, value: out.value === true };
  return { ok: false, error: `condition "${expression}" should give true or false, gave ${JSON.stringify(out.value)}` };
}
