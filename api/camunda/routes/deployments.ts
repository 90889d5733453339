/**
 * POST /v2/deployments: .bpmn, .dmn and .form files in one multipart request, all or nothing
 * (deployment/deploy-resources.ts). A refusal lists every problem as `file: element: message`.
 */
import { currentDeploymentContext } from '../../../deployment/deployment-context';
import { deployResources, type ResourceProblem } from '../../../deployment/deploy-resources';
import { timerStartDeployHook } from '../../../workers/timer-start-schedules';
import { audit } from '../../audit/audit-builder';
import { me } from '../../request-context';
import { ok } from '../../route-definition';
import { camundaError, DEFAULT_TENANT, mustBeDefaultTenant, type CamundaRoute } from '../camunda-route';

const describe = (p: ResourceProblem) =>
  `${p.resource}${p.elementId ? ` ${p.elementId}` : ''}: ${p.message} (${p.rule})`;

export const deploymentRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/deployments',
    summary: 'Deploy resources (BPMN, DMN, forms)',
    access: 'definitions.deploy',
    operation: 'createDeployment',
    multipart: true,
    handler: async ({ body }, ctx) => {
      mustBeDefaultTenant(body.tenantId);
      const files = await Promise.all(
        (body.resources as File[]).map(async (f) => ({ name: f.name, content: await f.text() })),
      );
      const { sequelize } = ctx.deps.db;
      const outcome = await deployResources(sequelize, files, {
        ...(await currentDeploymentContext(sequelize)),
        deployedBy: me(ctx).id,
        ...(ctx.deps.engine ? { onDeployed: timerStartDeployHook(ctx.deps.engine) } : {}),
      });
      if (outcome.status === 'refused') {
        const errors = outcome.problems.filter((p) => p.severity === 'error');
        throw camundaError.invalid(
          `The deployment was refused: ${errors.length} problem${errors.length === 1 ? '' : 's'}\n${errors.map(describe).join('\n')}`,
          errors.map((p) => ({
            field: `resources.${p.resource}${p.elementId ? `#${p.elementId}` : ''}`,
            message: `${p.message} (${p.rule})`,
          })),
        );
      }
      await audit(ctx.deps.db, ctx, {
        action: 'deployment.create',
        entityType: 'deployment',
        entityId: outcome.deploymentKey,
        detail: {
          outcome: outcome.status,
          resources: files.map((f) => f.name),
          processes: outcome.processes.map((p) => `${p.key}:${p.version}${p.isNew ? '' : ' (unchanged)'}`),
          forms: outcome.forms.map((f) => `${f.resourceId}:${f.version}`),
          decisions: outcome.decisions.map((d) => `${d.resourceId}:${d.version}`),
          warnings: outcome.warnings.length,
        },
      });
      const drdOf = new Map(outcome.decisionRequirements.map((d) => [d.key, d]));
      return ok({
        deploymentKey: outcome.deploymentKey,
        tenantId: DEFAULT_TENANT,
        deployments: [
          ...outcome.processes.map((p) => ({
            processDefinition: {
              processDefinitionId: p.key,
              processDefinitionVersion: p.version,
              resourceName: p.resourceName ?? `${p.key}.bpmn`,
              tenantId: DEFAULT_TENANT,
              processDefinitionKey: String(p.id),
            },
          })),
          ...outcome.decisionRequirements.map((d) => ({
            decisionRequirements: {
              decisionRequirementsId: d.resourceId,
              version: d.version,
              decisionRequirementsName: d.name ?? d.resourceId,
              tenantId: DEFAULT_TENANT,
              resourceName: d.resourceName,
              decisionRequirementsKey: d.key,
            },
          })),
          ...outcome.decisions.map((d) => ({
            decisionDefinition: {
              decisionDefinitionId: d.resourceId,
              version: d.version,
              name: d.name ?? d.resourceId,
              tenantId: DEFAULT_TENANT,
              decisionRequirementsId: drdOf.get(d.parentKey ?? '')?.resourceId ?? '',
              decisionDefinitionKey: d.key,
              decisionRequirementsKey: d.parentKey ?? '',
            },
          })),
          ...outcome.forms.map((f) => ({
            form: {
              formId: f.resourceId,
              version: f.version,
              resourceName: f.resourceName,
              tenantId: DEFAULT_TENANT,
              formKey: f.key,
            },
          })),
        ],
        // Not part of Camunda's answer: what a deploy tells a modeller about their diagram.
        warnings: outcome.warnings.map((w) => ({
          resource: w.resource,
          ...(w.elementId ? { elementId: w.elementId } : {}),
          rule: w.rule,
          message: w.message,
        })),
      });
    },
  },
];
