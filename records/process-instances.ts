/**
 * The process-instance mirror (`process_instances`): one row per instance with its definition,
 * business key and status, kept by the engine (and by the API for the instances it starts).
 */
import { select, selectOne, type Db } from './sql';

/** The process key of an instance from its mirror row, or null when the row is not written yet. */
export async function processKeyOfInstance(db: Db, processInstanceId: string): Promise<string | null> {
  const row = await selectOne<{ key: string }>(
    db,
    'SELECT d.key FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1',
    [processInstanceId],
  );
  return row?.key ?? null;
}

/**
 * The instance's business key and who started it through the API (null: a message, a timer,
 * another process), or null when the row is not written yet.
 */
export function businessKeyOfInstance(
  db: Db,
  processInstanceId: string,
): Promise<{ businessKey: string | null; startedBy: string | null } | null> {
  return selectOne<{ businessKey: string | null; startedBy: string | null }>(
    db,
    `SELECT i.business_key, s.username AS started_by FROM process_instances i LEFT JOIN staff_users s ON s.id = i.started_by WHERE i.id = $1`,
    [processInstanceId],
  );
}

/**
 * Ids of the running (or stuck) instances with this business key, oldest first, but `except`.
 * A child's NHS number also reaches the instances started under a number PDS superseded by it
 * (superseded_nhs_numbers), and a superseded number the instances under the current one and
 * under the child's other superseded numbers (after a merge, records/children/merge.ts): they are
 * all the same child's processes.
 */
export async function runningInstancesKeyedBy(db: Db, businessKey: string, except: string): Promise<string[]> {
  const rows = await select<{ id: string }>(
    db,
    `SELECT id FROM process_instances
     WHERE business_key = ANY(ARRAY[$1::text] || ARRAY(
         WITH child AS (
           SELECT id, nhs_number FROM children WHERE nhs_number = $1
           UNION SELECT c.id, c.nhs_number FROM superseded_nhs_numbers s JOIN children c ON c.id = s.child_id WHERE s.nhs_number = $1)
         SELECT nhs_number::text FROM child
         UNION SELECT s.nhs_number FROM superseded_nhs_numbers s WHERE s.child_id IN (SELECT id FROM child)))
       AND status IN ('running', 'incident') AND id <> $2
     ORDER BY started_at`,
    [businessKey, except],
  );
  return rows.map((r) => r.id);
}

/**
 * The workflow's own record of its instance: the first call creates the row, later calls move
 * its status (the workflow sends them in order). Times in epoch milliseconds.
 */
export async function recordInstanceStatus(
  db: Db,
  r: {
    processInstanceId: string;
    definitionId: number;
    businessKey: string | null;
    status: string;
    startedBy: number | null;
    startedAt: number;
    endedAt?: number | null;
    /** The instance records its message subscriptions (graph semantics 2): messages reach it by subscription. */
    subscriptionsTracked?: boolean;
  },
): Promise<void> {
  await select(
    db,
    `INSERT INTO process_instances (id, definition_id, business_key, status, started_by, started_at, ended_at, updated_at, subscriptions_tracked)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000), to_timestamp($7::double precision / 1000), now(), $8)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, ended_at = EXCLUDED.ended_at, updated_at = now(),
       subscriptions_tracked = process_instances.subscriptions_tracked OR EXCLUDED.subscriptions_tracked
     RETURNING id`,
    [
      r.processInstanceId,
      r.definitionId,
      r.businessKey,
      r.status,
      r.startedBy,
      r.startedAt,
      r.endedAt ?? null,
      r.subscriptionsTracked === true,
    ],
  );
}

/** The children the business keys of these instances name (an NHS number as business key). */
export function childrenOfInstances(
  db: Db,
  instanceIds: readonly string[],
): Promise<Array<{ id: string; localityId: number; nhsNumber: string }>> {
  return select<{ id: string; localityId: number; nhsNumber: string }>(
    db,
    `SELECT DISTINCT c.id, c.locality_id, c.nhs_number FROM process_instances i
       JOIN children c ON c.nhs_number = (CASE WHEN i.business_key ~ '^[0-9]{10}$' THEN i.business_key END)::char(10)
      WHERE i.id = ANY($1::text[])`,
    [instanceIds],
  );
}

/** The numeric key (Camunda REST API) of an instance's row, null while it has not recorded itself. */
export async function instanceKeyById(db: Db, instanceId: string): Promise<string | null> {
  const row = await selectOne<{ key: string }>(db, 'SELECT key::text AS key FROM process_instances WHERE id = $1', [
    instanceId,
  ]);
  return row?.key ?? null;
}
