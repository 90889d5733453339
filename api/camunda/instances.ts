/**
 * Process instances as the Camunda REST API shows them: by numeric key, with Camunda's states,
 * under the same access rules as /api (an instance about a child follows the child's
 * legitimate-relationship rule; see api/routes/process-instances-access.ts).
 */
import { openChildById } from '../access/child-access';
import { findInstanceByKey, type V2InstanceRow } from '../../records/keyed-instances';
import type { RequestContext } from '../request-context';
import { camundaError, DEFAULT_TENANT } from './camunda-route';

export { findInstanceByKey, type V2InstanceRow };

/** Camunda's state of a mirror status. */
export function camundaState(status: string): 'ACTIVE' | 'COMPLETED' | 'TERMINATED' {
  if (status === 'running' || status === 'incident') return 'ACTIVE';
  return status === 'completed' ? 'COMPLETED' : 'TERMINATED';
}

export function instanceResult(r: V2InstanceRow) {
  return {
    processDefinitionId: r.processKey,
    processDefinitionName: r.definitionName ?? r.processKey,
    processDefinitionVersion: r.version,
    ...(r.versionTag ? { processDefinitionVersionTag: r.versionTag } : {}),
    startDate: r.startedAt.toISOString(),
    ...(r.endedAt ? { endDate: r.endedAt.toISOString() } : {}),
    state: camundaState(r.status),
    hasIncident: r.status === 'incident',
    tenantId: DEFAULT_TENANT,
    processInstanceKey: r.key,
    processDefinitionKey: String(r.definitionId),
    ...(r.parentKey ? { parentProcessInstanceKey: r.parentKey } : {}),
  };
}

/**
 * An instance for `action`: 404 when unknown; about a child outside the caller's localities only
 * with X-Access-Reason (audited, alerted), as on /api.
 */
export async function openInstanceByKey(
  ctx: RequestContext,
  key: string,
  action: string,
): Promise<{ instance: V2InstanceRow; brokeGlass: boolean }> {
  const instance = await findInstanceByKey(ctx.deps.db, key);
  if (!instance) throw camundaError.notFound(`No process instance has key ${key}`);
  return { instance, brokeGlass: await openChild(ctx, instance, action) };
}

export async function openChild(ctx: RequestContext, instance: V2InstanceRow, action: string): Promise<boolean> {
  if (instance.childId === null || instance.childLocalityId === null) return false;
  return openChildById(
    ctx,
    { id: instance.childId, localityId: instance.childLocalityId, nhsNumber: instance.businessKey! },
    action,
  );
}
