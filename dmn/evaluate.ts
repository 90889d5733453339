/**
 * Evaluates a decision of a compiled DRD with Camunda 8's semantics: required decisions first
 * (each result in the context under its decision id), FEEL (Camunda dialect) for expressions
 * and unary tests, the table's hit policy, and Camunda's result shape:
 * - one output: its value; several outputs: a context of them by name;
 * - single-hit policies (UNIQUE, FIRST, ANY, PRIORITY): that result, or null when no rule matched;
 * - multiple-hit policies (COLLECT, RULE ORDER, OUTPUT ORDER): a list (empty when none matched);
 * - COLLECT with an aggregation (SUM, MIN, MAX, COUNT): a number (null when none matched, COUNT 0).
 */
import { evaluateFeelValue, evaluateUnaryTests, toJsonValue } from '../bpmn/feel';
import type { CompiledDecision, CompiledDrd, DecisionTable } from './decision';

export interface MatchedRule {
  ruleId: string;
  ruleIndex: number;
  outputs: Record<string, unknown>;
}

export interface EvaluatedDecision {
  decisionId: string;
  decisionName: string | null;
  output: unknown;
  matchedRules: MatchedRule[];
}

export type DecisionOutcome =
  { ok: true; output: unknown; evaluated: EvaluatedDecision[] } | { ok: false; error: string; decisionId: string };

class DecisionError extends Error {
  constructor(
    readonly decisionId: string,
    message: string,
  ) {
    super(message);
  }
}

type Values = Record<string, unknown>;

function feel(expression: string, variables: Values, decisionId: string, what: string): unknown {
  try {
    return evaluateFeelValue(expression, variables, 'camunda');
  } catch (e) {
    throw new DecisionError(decisionId, `${what} "${expression}" failed: ${(e as Error).message}`);
  }
}

function matches(entry: string, input: unknown, variables: Values, decisionId: string, ruleId: string): boolean {
  if (entry === '' || entry === '-') return true;
  try {
    return evaluateUnaryTests(entry, input, variables) === true;
  } catch (e) {
    throw new DecisionError(decisionId, `rule ${ruleId}: input entry "${entry}" failed: ${(e as Error).message}`);
  }
}

/** Position of `value` in the output's allowed values (for PRIORITY and OUTPUT ORDER); unlisted values last. */
function priorityOf(table: DecisionTable, outputs: Values, variables: Values): number[] {
  return table.outputs.map((o) => {
    if (!o.outputValues) return 0;
    const allowed = feelList(o.outputValues, variables);
    const i = allowed.findIndex((v) => JSON.stringify(v) === JSON.stringify(outputs[o.name || o.id]));
    return i < 0 ? allowed.length : i;
  });
}

function feelList(text: string, variables: Values): unknown[] {
  try {
    const value = evaluateFeelValue(`[${text}]`, variables, 'camunda');
    return Array.isArray(value) ? value.map((v) => toJsonValue(v, 'camunda')) : [];
  } catch {
    return [];
  }
}

function resultOf(table: DecisionTable, outputs: Values): unknown {
  if (table.outputs.length === 1) return outputs[table.outputs[0].name || table.outputs[0].id];
  return outputs;
}

function evaluateTable(decision: CompiledDecision, table: DecisionTable, variables: Values) {
  const inputValues = table.inputs.map((input) => feel(input.expression, variables, decision.id, 'input expression'));
  const matched: MatchedRule[] = [];
  table.rules.forEach((rule, index) => {
    const hit = rule.inputEntries.every((entry, i) => matches(entry, inputValues[i], variables, decision.id, rule.id));
    if (!hit) return;
    const outputs: Values = {};
    table.outputs.forEach((o, i) => {
      const entry = rule.outputEntries[i] ?? '';
      outputs[o.name || o.id] =
        entry === '' ? null : toJsonValue(feel(entry, variables, decision.id, `rule ${rule.id} output`), 'camunda');
    });
    matched.push({ ruleId: rule.id, ruleIndex: index + 1, outputs });
  });

  const single = (): unknown => (matched.length === 0 ? null : resultOf(table, matched[0].outputs));
  switch (table.hitPolicy) {
    case 'UNIQUE':
      if (matched.length > 1)
        throw new DecisionError(
          decision.id,
          `hit policy UNIQUE, but ${matched.length} rules matched (${matched.map((m) => m.ruleId).join(', ')})`,
        );
      return { output: single(), matched };
    case 'FIRST':
      return { output: single(), matched: matched.slice(0, 1) };
    case 'ANY': {
      const distinct = new Set(matched.map((m) => JSON.stringify(m.outputs)));
      if (distinct.size > 1)
        throw new DecisionError(decision.id, `hit policy ANY, but the matched rules give different outputs`);
      return { output: single(), matched };
    }
    case 'PRIORITY': {
      const ordered = [...matched].sort((a, b) =>
        compareRanks(priorityOf(table, a.outputs, variables), priorityOf(table, b.outputs, variables)),
      );
      return { output: ordered.length ? resultOf(table, ordered[0].outputs) : null, matched: ordered.slice(0, 1) };
    }
    case 'OUTPUT ORDER': {
      const ordered = [...matched].sort((a, b) =>
        compareRanks(priorityOf(table, a.outputs, variables), priorityOf(table, b.outputs, variables)),
      );
      return { output: ordered.map((m) => resultOf(table, m.outputs)), matched: ordered };
    }
    case 'RULE ORDER':
      return { output: matched.map((m) => resultOf(table, m.outputs)), matched };
    case 'COLLECT': {
      const values = matched.map((m) => resultOf(table, m.outputs));
      if (!table.aggregation) return { output: values, matched };
      if (table.aggregation === 'COUNT') return { output: values.length, matched };
      if (values.length === 0) return { output: null, matched };
      if (!values.every((v) => typeof v === 'number'))
        throw new DecisionError(
          decision.id,
          `aggregation ${table.aggregation} needs numbers, got ${JSON.stringify(values)}`,
        );
      const numbers = values as number[];
      const output =
        table.aggregation === 'SUM'
          ? numbers.reduce((a, b) => a + b, 0)
          : table.aggregation === 'MIN'
            ? Math.min(...numbers)
            : Math.max(...numbers);
      return { output, matched };
    }
  }
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function evaluateOne(
  drd: CompiledDrd,
  decisionId: string,
  variables: Values,
  evaluated: EvaluatedDecision[],
  path: string[],
): unknown {
  const decision = drd.decisions.find((d) => d.id === decisionId);
  if (!decision) throw new DecisionError(decisionId, `no decision "${decisionId}" in ${drd.id}`);
  if (path.includes(decisionId))
    throw new DecisionError(decisionId, `the required decisions form a cycle (${[...path, decisionId].join(' → ')})`);
  const context: Values = { ...variables };
  for (const required of decision.requiredDecisions) {
    const done = evaluated.find((e) => e.decisionId === required);
    context[required] = done ? done.output : evaluateOne(drd, required, variables, evaluated, [...path, decisionId]);
  }
  let output: unknown;
  let matchedRules: MatchedRule[] = [];
  if (decision.logic.kind === 'literalExpression') {
    output = toJsonValue(feel(decision.logic.expression, context, decision.id, 'literal expression'), 'camunda');
  } else {
    const r = evaluateTable(decision, decision.logic, context);
    output = r.output;
    matchedRules = r.matched;
  }
  evaluated.push({ decisionId: decision.id, decisionName: decision.name ?? null, output, matchedRules });
  return output;
}

/** Evaluates `decisionId` of the DRD against JSON variables; the output is JSON. Never throws. */
export function evaluateDecision(drd: CompiledDrd, decisionId: string, variables: Values): DecisionOutcome {
  const evaluated: EvaluatedDecision[] = [];
  try {
    const output = evaluateOne(drd, decisionId, variables, evaluated, []);
    return { ok: true, output, evaluated };
  } catch (e) {
    if (e instanceof DecisionError) return { ok: false, error: e.message, decisionId: e.decisionId };
    return { ok: false, error: (e as Error).message, decisionId };
  }
}
