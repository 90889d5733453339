/**
 * Incidents through the Camunda REST API: search, read, resolve. Resolving retries what failed
 * (the job runs again with the retries an operator set, the element is evaluated again); a job
 * incident whose job has no retries left is refused (409), as in Camunda: update the retries first.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { findIncidentByKey, type IncidentRow } from '../../../records/incidents';
import { retryIncidentUpdate } from '../../../workflows/contract';
import { openChildById } from '../../access/child-access';
import { auditBeforeEngine } from '../../audit/audit-before-engine';
import { me, type RequestContext } from '../../request-context';
import { noContent, ok } from '../../route-definition';
import { camundaError, DEFAULT_TENANT, type CamundaRoute } from '../camunda-route';
import { pageOf, pageResult } from '../search';
import { searchV2Incidents } from '../../../records/v2-search';

function incidentResult(x: IncidentRow) {
  return {
    processDefinitionId: x.processDefinitionId,
    errorType: x.errorType,
    errorMessage: x.message,
    elementId: x.elementId,
    creationTime: x.createdAt.toISOString(),
    state: x.state === 'active' ? 'ACTIVE' : 'RESOLVED',
    tenantId: DEFAULT_TENANT,
    incidentKey: x.key,
    processDefinitionKey: x.processDefinitionKey,
    processInstanceKey: x.processInstanceKey,
    elementInstanceKey: x.elementInstanceKey,
    ...(x.jobKey ? { jobKey: x.jobKey } : {}),
  };
}

async function openIncident(
  ctx: RequestContext,
  key: string,
  action: string,
): Promise<{ incident: IncidentRow; brokeGlass: boolean }> {
  const incident = await findIncidentByKey(ctx.deps.db, key);
  if (!incident) throw camundaError.notFound(`No incident has key ${key}`);
  const brokeGlass =
    incident.childId !== null && incident.childLocalityId !== null
      ? await openChildById(
          ctx,
          { id: incident.childId, localityId: incident.childLocalityId, nhsNumber: incident.businessKey! },
          action,
        )
      : false;
  return { incident, brokeGlass };
}

export const incidentRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/incidents/search',
    summary: 'Search incidents',
    access: 'instances.read',
    operation: 'searchIncidents',
    handler: async ({ body }, ctx) => {
      const filter = (body.filter ?? {}) as Record<string, unknown>;
      const page = pageOf(body.page);
      const { rows, total } = await searchV2Incidents(
        ctx.deps.db,
        { filter, sort: body.sort, ...page },
        me(ctx).localityIds,
      );
      return ok({ items: rows.map(incidentResult), page: pageResult(page, rows.length, total) });
    },
  },
  {
    method: 'get',
    path: '/incidents/:incidentKey',
    summary: 'Read an incident',
    access: 'instances.read',
    handler: async ({ path }, ctx) => {
      const { incident } = await openIncident(ctx, path.incidentKey, 'incident.read');
      return ok(incidentResult(incident));
    },
  },
  {
    method: 'post',
    path: '/incidents/:incidentKey/resolution',
    summary: 'Resolve an incident',
    access: 'instances.retry',
    operation: 'resolveIncident',
    handler: async ({ path }, ctx) => {
      if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
      const { incident, brokeGlass } = await openIncident(ctx, path.incidentKey, 'process_instance.retry_incident');
      if (incident.state !== 'active') throw camundaError.notFound(`The incident ${incident.key} is already resolved`);
      if (incident.jobKey && incident.jobRetries === 0)
        throw camundaError.invalidState(
          `The job ${incident.jobKey} of this incident has no retries left: update its retries (PATCH /v2/jobs/${incident.jobKey}) first`,
        );
      const engine = ctx.deps.engine;
      // The audit row is committed before the engine is told (a `.failed` row if it refuses).
      await auditBeforeEngine(
        ctx,
        {
          action: 'process_instance.retry_incident',
          entityType: 'process_instance',
          entityId: incident.processInstanceId,
          childId: incident.childId,
          detail: {
            incidentKey: incident.key,
            incidentId: incident.incidentId,
            elementId: incident.elementId,
            brokeGlass,
            api: 'v2',
          },
        },
        async () => {
          try {
            await engine.client.workflow.getHandle(incident.processInstanceId).executeUpdate(retryIncidentUpdate, {
              args: [{ incidentId: incident.incidentId, actor: me(ctx).username }],
            });
          } catch (e) {
            if (e instanceof WorkflowUpdateFailedError || e instanceof WorkflowNotFoundError)
              throw camundaError.invalidState(
                `The process instance refused the resolution: ${e instanceof WorkflowUpdateFailedError ? (e.cause?.message ?? e.message) : e.message}`,
              );
            throw e;
          }
        },
      );
      return noContent();
    },
  },
];
