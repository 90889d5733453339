/**
 * A workflow that uses the BPMN runtime helpers (FEEL via @bpmn-io/feelin, timers) so a test
 * can prove they bundle and run inside Temporal's workflow sandbox.
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';
import { evaluateCondition, evaluateFeel, resolveTimer } from '../../../bpmn/runtime';

export interface ProbeSinks extends Sinks {
  probe: { report(result: Record<string, unknown>): void };
}

const { probe } = proxySinks<ProbeSinks>();

export async function feelProbe(variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  const due = evaluateFeel('dateOfBirth + duration("P56D")', variables, 'legacy');
  const condition = evaluateCondition('count(gaps) > 1 and urgent', variables, 'legacy');
  const timer = resolveTimer(
    { kind: 'duration', value: { type: 'feel', expression: 'duration("P2D")' } },
    variables,
    Date.parse('2026-01-01T00:00:00Z'),
    'legacy',
  );
  const now = evaluateFeel('now()', {}, 'legacy');
  // Camunda's built-ins run in the sandbox too (base64 by hand, uuid from the seeded random).
  const camunda = evaluateFeel('[to base64("FEEL"), string length(uuid()), is defined(x)]', {}, 'camunda');
  const result = { due, condition, timer, nowIsString: now.ok && typeof now.value === 'string', camunda };
  probe.report(result);
  return result;
}
