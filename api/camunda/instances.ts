/**
 * Process instances as the Camunda REST API shows them: by numeric key, with Camunda's states,
 * under the same access rules as /api (an instance about a child follows the child's
 * legitimate-relationship rule; see api/routes/process-instances-access.ts).
 */
import { openChildById } from '../access/child-access';
import { select, selectOne, type Db } from '../../records/sql';
import type { RequestContext } from '../request-context';
import { me } from '../request-context';
import { camundaError, DEFAULT_TENANT, isKey } from './camunda-route';

export interface V2InstanceRow {
  id: string;
  key: string;
  definitionId: number;
  processKey: string;
  version: number;
  definitionName: string | null;
  versionTag: string | null;
  status: string;
  businessKey: string | null;
  startedAt: Date;
  endedAt: Date | null;
  childId: string | null;
  childLocalityId: number | null;
  parentKey: string | null;
}

export const INSTANCE_FROM = `
  FROM process_instances i
  JOIN process_definitions d ON d.id = i.definition_id
  LEFT JOIN children c ON c.nhs_number = (CASE WHEN i.business_key ~ '^[0-9]{10}$' THEN i.business_key END)::char(10)
  LEFT JOIN process_instances p ON p.id = regexp_replace(i.id, '(/|~)call-[0-9]+$', '')
                               AND p.id <> i.id`;

export const INSTANCE_COLUMNS = `i.id, i.key::text AS key, i.definition_id, d.key AS process_key, d.version,
  d.name AS definition_name, d.compiled->>'versionTag' AS version_tag, i.status, i.business_key, i.started_at, i.ended_at,
  c.id AS child_id, c.locality_id AS child_locality_id, p.key::text AS parent_key`;

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

export function findInstanceByKey(db: Db, key: string): Promise<V2InstanceRow | null> {
  if (!isKey(key)) return Promise.resolve(null);
  return selectOne<V2InstanceRow>(db, `SELECT ${INSTANCE_COLUMNS} ${INSTANCE_FROM} WHERE i.key = $1`, [key]);
}

export function findInstanceById(db: Db, id: string): Promise<V2InstanceRow | null> {
  return selectOne<V2InstanceRow>(db, `SELECT ${INSTANCE_COLUMNS} ${INSTANCE_FROM} WHERE i.id = $1`, [id]);
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

/** Rows of a search, the caller's view: instances about children of other localities are left out. */
export function visibleInstances(
  ctx: RequestContext,
  where: string,
  bind: unknown[],
  order: string,
  limit: number,
  offset: number,
): Promise<V2InstanceRow[]> {
  const n = bind.length;
  return select<V2InstanceRow>(
    ctx.deps.db,
    `SELECT ${INSTANCE_COLUMNS} ${INSTANCE_FROM}
     WHERE (${where}) AND (c.id IS NULL OR c.locality_id = ANY($${n + 1}::int[]))
     ORDER BY ${order} LIMIT $${n + 2} OFFSET $${n + 3}`,
    [...bind, me(ctx).localityIds, limit, offset],
  );
}

export async function countVisibleInstances(ctx: RequestContext, where: string, bind: unknown[]): Promise<number> {
  const n = bind.length;
  const row = await selectOne<{ total: number }>(
    ctx.deps.db,
    `SELECT count(*)::int AS total ${INSTANCE_FROM}
     WHERE (${where}) AND (c.id IS NULL OR c.locality_id = ANY($${n + 1}::int[]))`,
    [...bind, me(ctx).localityIds],
  );
  return row?.total ?? 0;
}
