/** POST /v2/decision-definitions/evaluation: evaluates a deployed DMN decision (dmn/evaluate.ts). */
import { decisionVersion, resourceByKey } from '../../../records/resources';
import type { CompiledDrd } from '../../../dmn/decision';
import { evaluateDecision } from '../../../dmn/evaluate';
import { nextKey } from '../../../records/resources';
import { audit } from '../../audit/audit-builder';
import { ok } from '../../route-definition';
import { camundaError, DEFAULT_TENANT, mustBeDefaultTenant, type CamundaRoute } from '../camunda-route';

export const decisionRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/decision-definitions/evaluation',
    summary: 'Evaluate a decision',
    access: 'decisions.evaluate',
    operation: 'evaluateDecision',
    handler: async ({ body }, ctx) => {
      mustBeDefaultTenant(body.tenantId);
      const decision = body.decisionDefinitionKey
        ? await resourceByKey(ctx.deps.db, String(body.decisionDefinitionKey))
        : await decisionVersion(ctx.deps.db, String(body.decisionDefinitionId));
      if (!decision || decision.kind !== 'decision')
        throw camundaError.notFound(
          `No decision ${body.decisionDefinitionKey ? `with key ${body.decisionDefinitionKey}` : `"${body.decisionDefinitionId}"`} is deployed`,
        );
      const drdRow = await resourceByKey(ctx.deps.db, decision.parentKey ?? '');
      if (!drdRow) throw camundaError.notFound(`The decision requirements of ${decision.resourceId} are missing`);
      const drd = drdRow.compiled as CompiledDrd;
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      const outcome = evaluateDecision(drd, decision.resourceId, variables);
      const evaluationKey = await nextKey(ctx.deps.db);
      await audit(ctx.deps.db, ctx, {
        action: 'decision.evaluate',
        entityType: 'decision',
        entityId: `${decision.resourceId}:${decision.version}`,
        detail: { variables: Object.keys(variables), ok: outcome.ok, api: 'v2' },
      });
      const base = {
        decisionDefinitionId: decision.resourceId,
        decisionDefinitionName: decision.name ?? decision.resourceId,
        decisionDefinitionVersion: decision.version,
        decisionRequirementsId: drd.id,
        tenantId: DEFAULT_TENANT,
        decisionDefinitionKey: decision.key,
        decisionRequirementsKey: drdRow.key,
        decisionEvaluationKey: evaluationKey,
        decisionInstanceKey: evaluationKey,
      };
      if (!outcome.ok)
        return ok({
          ...base,
          output: 'null',
          failedDecisionDefinitionId: outcome.decisionId,
          failureMessage: outcome.error,
          evaluatedDecisions: [],
        });
      return ok({
        ...base,
        output: JSON.stringify(outcome.output ?? null),
        failedDecisionDefinitionId: '',
        failureMessage: '',
        evaluatedDecisions: outcome.evaluated.map((e) => {
          const d = drd.decisions.find((x) => x.id === e.decisionId);
          return {
            decisionDefinitionId: e.decisionId,
            decisionDefinitionName: e.decisionName ?? e.decisionId,
            decisionDefinitionType: d?.logic.kind === 'decisionTable' ? 'DECISION_TABLE' : 'LITERAL_EXPRESSION',
            output: JSON.stringify(e.output ?? null),
            tenantId: DEFAULT_TENANT,
            matchedRules: e.matchedRules.map((r) => ({
              ruleId: r.ruleId,
              ruleIndex: r.ruleIndex,
              evaluatedOutputs: Object.entries(r.outputs).map(([name, value]) => ({
                outputId:
                  d?.logic.kind === 'decisionTable'
                    ? (d.logic.outputs.find((o) => (o.name || o.id) === name)?.id ?? name)
                    : name,
                outputName: name,
                outputValue: JSON.stringify(value ?? null),
              })),
            })),
          };
        }),
      });
    },
  },
];
