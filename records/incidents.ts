/**
 * Incidents (table `incidents`, migration 0016), the table's one owner: the workflow records them
 * as it opens and resolves them (its state stays the truth); /v2/incidents reads and resolves.
 */
import { select, selectOne, type Db } from './sql';
import { INSTANCE_CHILD_JOIN } from './instance-child';

export interface IncidentRow {
  key: string;
  processInstanceId: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  incidentId: string;
  elementId: string;
  elementInstanceKey: string;
  errorType: string;
  message: string;
  jobKey: string | null;
  jobRetries: number | null;
  state: 'active' | 'resolved';
  createdAt: Date;
  resolvedAt: Date | null;
  childId: string | null;
  childLocalityId: number | null;
  businessKey: string | null;
}

export interface NewIncident {
  processInstanceId: string;
  incidentId: string;
  elementId: string;
  elementInstanceKey: string;
  errorType: string;
  message: string;
  engineJobId: string | null;
}

/** Idempotent on (instance, incident id). */
export async function insertIncident(db: Db, i: NewIncident): Promise<void> {
  await select(
    db,
    `INSERT INTO incidents (process_instance_id, incident_id, element_id, element_instance_key, error_type, message, job_key)
     VALUES ($1, $2, $3, $4, $5, $6, (SELECT key FROM jobs WHERE process_instance_id = $1 AND engine_job_id = $7))
     ON CONFLICT (process_instance_id, incident_id) DO NOTHING RETURNING key`,
    [i.processInstanceId, i.incidentId, i.elementId, i.elementInstanceKey, i.errorType, i.message, i.engineJobId],
  );
}

export async function resolveIncidentRow(db: Db, processInstanceId: string, incidentId: string): Promise<void> {
  await select(
    db,
    `UPDATE incidents SET state = 'resolved', resolved_at = now()
     WHERE process_instance_id = $1 AND incident_id = $2 AND state = 'active' RETURNING key`,
    [processInstanceId, incidentId],
  );
}

const COLUMNS = `x.key::text AS key, x.process_instance_id, i.key::text AS process_instance_key,
  d.id::text AS process_definition_key, d.key AS process_definition_id, x.incident_id, x.element_id,
  x.element_instance_key::text AS element_instance_key, x.error_type, x.message, x.job_key::text AS job_key,
  j.retries AS job_retries, x.state, x.created_at, x.resolved_at, c.id AS child_id, c.locality_id AS child_locality_id,
  i.business_key`;
const FROM = `incidents x JOIN process_instances i ON i.id = x.process_instance_id
  JOIN process_definitions d ON d.id = i.definition_id
  LEFT JOIN jobs j ON j.key = x.job_key
  ${INSTANCE_CHILD_JOIN}`;

export function findIncidentByKey(db: Db, key: string): Promise<IncidentRow | null> {
  if (!/^\d{1,19}$/.test(key)) return Promise.resolve(null);
  return selectOne<IncidentRow>(db, `SELECT ${COLUMNS} FROM ${FROM} WHERE x.key = $1`, [key]);
}

export async function searchIncidentRows(
  db: Db,
  where: string,
  bind: unknown[],
  order: string,
  limit: number,
  offset: number,
): Promise<{ rows: IncidentRow[]; total: number }> {
  const n = bind.length;
  const rows = await select<IncidentRow>(
    db,
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...bind, limit, offset],
  );
  const count = await selectOne<{ total: number }>(
    db,
    `SELECT count(*)::int AS total FROM ${FROM} WHERE ${where}`,
    bind,
  );
  return { rows, total: count?.total ?? 0 };
}
