/**
 * Process instances as the Camunda REST API reads them (`process_instances` with its numeric
 * key, its definition, the child its business key names and the parent of a called instance).
 * Search conditions are built by api/camunda/search.ts over the aliases here (i, d, c, p).
 */
import { select, selectOne, type Db } from './sql';
import { INSTANCE_CHILD_JOIN } from './instance-child';

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

const INSTANCE_FROM = `
  FROM process_instances i
  JOIN process_definitions d ON d.id = i.definition_id
  ${INSTANCE_CHILD_JOIN}
  LEFT JOIN process_instances p ON p.id = regexp_replace(i.id, '(/|~)call-[0-9]+$', '')
                               AND p.id <> i.id`;

const INSTANCE_COLUMNS = `i.id, i.key::text AS key, i.definition_id, d.key AS process_key, d.version,
  d.name AS definition_name, d.compiled->>'versionTag' AS version_tag, i.status, i.business_key, i.started_at, i.ended_at,
  c.id AS child_id, c.locality_id AS child_locality_id, p.key::text AS parent_key`;

/** A 64-bit key in decimal (as api/camunda/camunda-route.ts isKey). */
const isKey = (key: string) => /^\d{1,19}$/.test(key) && BigInt(key) <= 9223372036854775807n;

export function findInstanceByKey(db: Db, key: string): Promise<V2InstanceRow | null> {
  if (!isKey(key)) return Promise.resolve(null);
  return selectOne<V2InstanceRow>(db, `SELECT ${INSTANCE_COLUMNS} ${INSTANCE_FROM} WHERE i.key = $1`, [key]);
}

/**
 * The instance and engine element instance id of an element instance key (the instance's own key:
 * no element instance id, its process scope), for requests naming an element instance.
 */
export async function findInstanceOfElementKey(
  db: Db,
  key: string,
): Promise<{ instance: V2InstanceRow; elementInstanceId?: string } | null> {
  if (!isKey(key)) return null;
  const own = await findInstanceByKey(db, key);
  if (own) return { instance: own };
  const row = await selectOne<V2InstanceRow & { elementInstanceId: string }>(
    db,
    `SELECT ${INSTANCE_COLUMNS}, k.element_instance_id ${INSTANCE_FROM}
       JOIN element_instance_keys k ON k.process_instance_id = i.id WHERE k.key = $1`,
    [key],
  );
  if (!row) return null;
  const { elementInstanceId, ...instance } = row;
  return { instance, elementInstanceId };
}

/** A search: `where` over the aliases above with its bind values; instances about children outside `localityIds` are left out. */
export interface KeyedInstanceSearch {
  where: string;
  bind: unknown[];
  localityIds: readonly number[];
}

export function searchKeyedInstances(
  db: Db,
  s: KeyedInstanceSearch,
  order: string,
  limit: number,
  offset: number,
): Promise<V2InstanceRow[]> {
  const n = s.bind.length;
  return select<V2InstanceRow>(
    db,
    `SELECT ${INSTANCE_COLUMNS} ${INSTANCE_FROM}
     WHERE (${s.where}) AND (c.id IS NULL OR c.locality_id = ANY($${n + 1}::int[]))
     ORDER BY ${order} LIMIT $${n + 2} OFFSET $${n + 3}`,
    [...s.bind, s.localityIds, limit, offset],
  );
}

export async function countKeyedInstances(db: Db, s: KeyedInstanceSearch): Promise<number> {
  const n = s.bind.length;
  const row = await selectOne<{ total: number }>(
    db,
    `SELECT count(*)::int AS total ${INSTANCE_FROM}
     WHERE (${s.where}) AND (c.id IS NULL OR c.locality_id = ANY($${n + 1}::int[]))`,
    [...s.bind, s.localityIds],
  );
  return row?.total ?? 0;
}
