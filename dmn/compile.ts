/**
 * DMN XML (1.1 to 1.3, as Camunda Modeler writes it) → CompiledDrd. Every FEEL expression and
 * unary test is checked; problems name the decision, rule or element, never throw.
 */
import { DmnModdle } from 'dmn-moddle';
import { feelSyntaxError, unaryTestsSyntaxError } from '../bpmn/feel';
import { children, child, is, isModdleElement, str, type ModdleElement } from '../bpmn/moddle';
import type { Problem } from '../bpmn/problems';
import type { Aggregation, CompiledDecision, CompiledDrd, DecisionTable, HitPolicy } from './decision';

export type DmnOutcome = { ok: true; drd: CompiledDrd } | { ok: false; problems: Problem[] };

const DMN_13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/';
/** Older DMN namespaces Camunda accepts; the elements it uses are unchanged, so they read as DMN 1.3. */
const OLDER_DMN = [
  'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
  'http://www.omg.org/spec/DMN/20180521/MODEL/',
  'https://www.omg.org/spec/DMN/20180521/MODEL/',
];
const HIT_POLICIES: readonly HitPolicy[] = [
  'UNIQUE',
  'FIRST',
  'PRIORITY',
  'ANY',
  'COLLECT',
  'RULE ORDER',
  'OUTPUT ORDER',
];
const AGGREGATIONS: readonly Aggregation[] = ['SUM', 'MIN', 'MAX', 'COUNT'];

const problem = (message: string, elementId?: string): Problem => ({
  rule: 'dmn',
  severity: 'error',
  message,
  ...(elementId ? { elementId } : {}),
});

const text = (el: ModdleElement | undefined) => str(el, 'text')?.trim() ?? '';

function checkFeel(what: string, expression: string, elementId: string | undefined, problems: Problem[]): void {
  const error = feelSyntaxError(expression);
  if (error) problems.push(problem(`The ${what} is not valid FEEL: ${error}.`, elementId));
}

function compileTable(decision: ModdleElement, table: ModdleElement, problems: Problem[]): DecisionTable {
  const hitPolicy = (str(table, 'hitPolicy') ?? 'UNIQUE') as HitPolicy;
  if (!HIT_POLICIES.includes(hitPolicy))
    problems.push(problem(`The hit policy "${hitPolicy}" is not supported yet.`, decision.id));
  const aggregation = str(table, 'aggregation') as Aggregation | undefined;
  if (aggregation && !AGGREGATIONS.includes(aggregation))
    problems.push(problem(`The aggregation "${aggregation}" is not supported yet.`, decision.id));
  const inputs = children(table, 'input').map((input) => {
    const expression = text(child(input, 'inputExpression'));
    if (expression === '') problems.push(problem('The decision table input has no expression.', input.id));
    else checkFeel('input expression', expression, input.id, problems);
    return { id: input.id ?? '', ...(str(input, 'label') ? { label: str(input, 'label') } : {}), expression };
  });
  const outputs = children(table, 'output').map((output) => {
    const values = text(child(output, 'outputValues'));
    return {
      id: output.id ?? '',
      ...(str(output, 'label') ? { label: str(output, 'label') } : {}),
      name: str(output, 'name') ?? '',
      ...(values ? { outputValues: values } : {}),
    };
  });
  if (outputs.length === 0) problems.push(problem('The decision table has no output.', decision.id));
  if (outputs.length > 1 && outputs.some((o) => !o.name))
    problems.push(problem('Every output of a decision table with several outputs needs a name.', decision.id));
  const rules = children(table, 'rule').map((rule) => {
    const inputEntries = children(rule, 'inputEntry').map(text);
    const outputEntries = children(rule, 'outputEntry').map(text);
    if (inputEntries.length !== inputs.length || outputEntries.length !== outputs.length)
      problems.push(
        problem(
          `The rule has ${inputEntries.length} input and ${outputEntries.length} output entries; the table has ${inputs.length} inputs and ${outputs.length} outputs.`,
          rule.id,
        ),
      );
    for (const entry of inputEntries) {
      if (entry === '' || entry === '-') continue;
      const error = unaryTestsSyntaxError(entry);
      if (error) problems.push(problem(`An input entry is not valid FEEL: ${error}.`, rule.id));
    }
    for (const entry of outputEntries) if (entry !== '') checkFeel('output entry', entry, rule.id, problems);
    return { id: rule.id ?? '', inputEntries, outputEntries };
  });
  return {
    kind: 'decisionTable',
    hitPolicy,
    ...(aggregation ? { aggregation } : {}),
    inputs,
    outputs,
    rules,
  };
}

function compileDecision(decision: ModdleElement, problems: Problem[]): CompiledDecision {
  const id = decision.id ?? '';
  const logic = child(decision, 'decisionLogic');
  const requiredDecisions = children(decision, 'informationRequirement')
    .map((r) => str(child(r, 'requiredDecision'), 'href')?.replace(/^#/, ''))
    .filter((href): href is string => !!href);
  let compiled: CompiledDecision['logic'];
  if (is(logic, 'dmn:DecisionTable')) {
    compiled = compileTable(decision, logic!, problems);
  } else if (is(logic, 'dmn:LiteralExpression')) {
    const expression = text(logic);
    if (expression === '') problems.push(problem('The literal expression is empty.', id));
    else checkFeel('literal expression', expression, id, problems);
    compiled = {
      kind: 'literalExpression',
      expression,
      variableName: str(child(decision, 'variable'), 'name') ?? id,
    };
  } else {
    problems.push(
      problem(
        `The decision's logic (${logic?.$type ?? 'none'}) is not supported yet: use a decision table or a literal expression.`,
        id,
      ),
    );
    compiled = { kind: 'literalExpression', expression: 'null', variableName: id };
  }
  return { id, ...(decision.name ? { name: decision.name } : {}), requiredDecisions, logic: compiled };
}

export async function compileDmn(xml: string): Promise<DmnOutcome> {
  if (typeof xml !== 'string' || xml.trim() === '') return { ok: false, problems: [problem('The DMN file is empty.')] };
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    return {
      ok: false,
      problems: [problem('The DMN file contains a DOCTYPE or ENTITY declaration, which is not allowed.')],
    };
  let source = xml;
  for (const ns of OLDER_DMN) source = source.split(ns).join(DMN_13);
  let parsed;
  try {
    parsed = await new DmnModdle().fromXML(source, 'dmn:Definitions');
  } catch (e) {
    return { ok: false, problems: [problem(`The XML cannot be read as DMN: ${(e as Error).message.split('\n')[0]}`)] };
  }
  const root = parsed.rootElement;
  if (!isModdleElement(root) || !is(root, 'dmn:Definitions'))
    return { ok: false, problems: [problem('The XML is not a DMN definitions document.')] };
  const problems: Problem[] = parsed.warnings.map((w) =>
    problem(`The DMN has an invalid part: ${w.message.split('\n')[0]}`, w.element?.id),
  );
  const decisions = children(root, 'drgElement')
    .filter((e) => is(e, 'dmn:Decision'))
    .map((d) => compileDecision(d, problems));
  if (decisions.length === 0) problems.push(problem('The DMN file contains no decision.'));
  const ids = new Set(decisions.map((d) => d.id));
  for (const d of decisions)
    for (const r of d.requiredDecisions)
      if (!ids.has(r)) problems.push(problem(`The decision requires "${r}", which is not in this file.`, d.id));
  if (!root.id) problems.push(problem('The DMN definitions have no id.'));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, drd: { id: root.id!, ...(root.name ? { name: root.name } : {}), decisions } };
}
