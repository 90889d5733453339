/**
 * A business rule task's DMN decision (zeebe:calledDecision), evaluated by the engine's local
 * activity `engineEvaluateDecision`: the latest deployed version of the decision (Camunda's
 * `latest` binding; `deployment` and `versionTag` bindings take it too, as decisions carry no
 * version tags here), evaluated against the task's variables, its output under the result
 * variable. A missing decision or a failed evaluation is not retried: it is an incident.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Sequelize } from 'sequelize';
import { evaluateFeel } from '../../bpmn/feel';
import { decisionVersion, resourceByKey } from '../../records/resources';
import type { CompiledDrd } from '../../dmn/decision';
import { evaluateDecision } from '../../dmn/evaluate';
import type { JobContext } from '../../workflows/contract';

export const DECISION_FAILED = 'DecisionEvaluationFailed';

const fail = (message: string) => ApplicationFailure.create({ type: DECISION_FAILED, message, nonRetryable: true });

export async function evaluateBusinessRule(
  sequelize: Sequelize,
  variables: Record<string, unknown>,
  job: JobContext,
): Promise<Record<string, unknown>> {
  const h = job.headers;
  let decisionId = h.decisionId;
  if (!decisionId && h.decisionIdExpression) {
    const r = evaluateFeel(h.decisionIdExpression, variables, 'camunda');
    if (!r.ok || typeof r.value !== 'string' || r.value === '')
      throw fail(`the decision id "=${h.decisionIdExpression}" of ${job.elementId} gave no decision id`);
    decisionId = r.value;
  }
  if (!decisionId || !h.resultVariable) throw fail(`${job.elementId} names no decision or result variable`);
  const db = { sequelize };
  const decision = await decisionVersion(db, decisionId);
  if (!decision) throw fail(`no decision "${decisionId}" is deployed (deploy its .dmn file)`);
  const drd = await resourceByKey(db, decision.parentKey ?? '');
  if (!drd) throw fail(`the decision requirements of "${decisionId}" are missing`);
  const outcome = evaluateDecision(drd.compiled as CompiledDrd, decisionId, variables);
  if (!outcome.ok) throw fail(`decision "${outcome.decisionId}" failed: ${outcome.error}`);
  return { [h.resultVariable]: outcome.output };
}
