/**
 * Jobs for external workers (table `jobs`, migration 0016), the table's one owner. The workflow
 * writes a row when a task whose type has no built-in worker is reached (createJobRow) and closes
 * it (closeJobRow); workers activate, fail, update and complete rows through /v2/jobs.
 */
import { EventEmitter } from 'node:events';

import { select, selectOne, type Db } from './sql';
import { INSTANCE_CHILD_JOIN } from './instance-child';

/** Jobs created in this process wake waiting activations of their type at once. */
export const jobsCreated = new EventEmitter();
jobsCreated.setMaxListeners(0);

export type JobState = 'activatable' | 'activated' | 'failed' | 'completed' | 'cancelled' | 'error_thrown';

export interface NewJob {
  processInstanceId: string;
  engineJobId: string;
  elementId: string;
  elementInstanceId: string;
  elementInstanceKey: string;
  type: string;
  retries: number;
  customHeaders: Record<string, string>;
  variables: Record<string, unknown>;
  /** Camunda's job kind: an element's own job, or a listener's (default BPMN_ELEMENT). */
  kind?: 'BPMN_ELEMENT' | 'EXECUTION_LISTENER' | 'TASK_LISTENER' | 'AD_HOC_SUB_PROCESS';
  /** A listener's event: START, END, CREATING. */
  listenerEventType?: string;
}

/** The header of a task listener's job that names its user task's key (Camunda 8.8). */
export const USER_TASK_KEY_HEADER = 'io.camunda.zeebe:userTaskKey';

/**
 * The key a user task about to open is given when the listeners before it opens (creating, and
 * assigning for the process's assignee) have jobs: the task row does not exist yet, yet Camunda
 * gives those jobs the task's key. The one an earlier listener of the element instance carries, else a new one.
 */
export async function creatingTaskKey(db: Db, processInstanceId: string, elementInstanceId: string): Promise<string> {
  const reserved = await reservedTaskKey(db, processInstanceId, elementInstanceId);
  if (reserved) return reserved;
  const row = await selectOne<{ key: string }>(db, `SELECT nextval('camunda_keys')::text AS key`);
  return row!.key;
}

/** The key the task listeners' jobs of the element instance carry, if it had any. */
export async function reservedTaskKey(
  db: Db,
  processInstanceId: string,
  elementInstanceId: string,
): Promise<string | null> {
  const row = await selectOne<{ key: string }>(
    db,
    `SELECT custom_headers->>$3 AS key FROM jobs
      WHERE process_instance_id = $1 AND element_instance_id = $2 AND kind = 'TASK_LISTENER'
        AND custom_headers->>$3 IS NOT NULL
      LIMIT 1`,
    [processInstanceId, elementInstanceId, USER_TASK_KEY_HEADER],
  );
  return row?.key ?? null;
}

/**
 * The open (activatable or activated) task listener job that names the user task `userTaskKey`,
 * among jobs a worker of `localityIds` may activate (null: any, as integration accounts), if one
 * exists: a listener worker may read that task while it works the job.
 */
export async function openListenerJobOfTask(
  db: Db,
  userTaskKey: string,
  localityIds: number[] | null,
): Promise<string | null> {
  if (!/^\d{1,19}$/.test(userTaskKey)) return null;
  const row = await selectOne<{ key: string }>(
    db,
    `SELECT t.key::text AS key FROM ${JOB_FROM}
      WHERE t.kind = 'TASK_LISTENER' AND t.state IN ('activatable', 'activated') AND t.custom_headers->>$1 = $2
        AND ($3::smallint[] IS NULL OR c.id IS NULL OR c.locality_id = ANY($3::smallint[]))
      ORDER BY t.key LIMIT 1`,
    [USER_TASK_KEY_HEADER, userTaskKey, localityIds],
  );
  return row?.key ?? null;
}

/**
 * A new job, or (after an incident is resolved and the engine asks for the job again) the failed
 * row of the same element instance made activatable again: same key, the retries an operator set.
 * Idempotent per (instance, engine job id).
 */
export async function createJobRow(db: Db, j: NewJob): Promise<void> {
  const reused = await select(
    db,
    `UPDATE jobs SET engine_job_id = $3, state = 'activatable', worker = NULL, deadline = NULL, retry_at = NULL,
       variables = $4::jsonb, retries = GREATEST(retries, 1), updated_at = now()
     WHERE process_instance_id = $1 AND element_instance_id = $2 AND state IN ('failed', 'error_thrown')
       AND kind = $5 AND listener_event_type IS NOT DISTINCT FROM $6
       AND NOT EXISTS (SELECT 1 FROM jobs WHERE process_instance_id = $1 AND engine_job_id = $3)
     RETURNING key`,
    [
      j.processInstanceId,
      j.elementInstanceId,
      j.engineJobId,
      JSON.stringify(j.variables),
      j.kind ?? 'BPMN_ELEMENT',
      j.listenerEventType ?? null,
    ],
  );
  if (reused.length === 0)
    await select(
      db,
      `INSERT INTO jobs (process_instance_id, engine_job_id, element_id, element_instance_id, element_instance_key, type, retries, custom_headers, variables, kind, listener_event_type)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11)
       ON CONFLICT (process_instance_id, engine_job_id) DO NOTHING RETURNING key`,
      [
        j.processInstanceId,
        j.engineJobId,
        j.elementId,
        j.elementInstanceId,
        j.elementInstanceKey,
        j.type,
        j.retries,
        JSON.stringify(j.customHeaders),
        JSON.stringify(j.variables),
        j.kind ?? 'BPMN_ELEMENT',
        j.listenerEventType ?? null,
      ],
    );
}

/** The workflow ended the job (completed, failed for good, threw an error, cancelled with its element). */
export async function closeJobRow(
  db: Db,
  processInstanceId: string,
  engineJobId: string,
  state: Exclude<JobState, 'activatable' | 'activated'>,
  errorMessage?: string,
): Promise<void> {
  await select(
    db,
    `UPDATE jobs SET state = $3, error_message = COALESCE($4, error_message),
       retries = CASE WHEN $3 = 'failed' THEN 0 ELSE retries END, deadline = NULL, updated_at = now()
     WHERE process_instance_id = $1 AND engine_job_id = $2 AND state <> $3
       AND state IN ('activatable', 'activated', 'failed', 'error_thrown')
     RETURNING key`,
    [processInstanceId, engineJobId, state, errorMessage ?? null],
  );
}

export interface JobRow {
  key: string;
  type: string;
  state: JobState;
  processInstanceId: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionVersion: number;
  elementId: string;
  elementInstanceId: string;
  elementInstanceKey: string;
  engineJobId: string;
  kind: string;
  listenerEventType: string | null;
  customHeaders: Record<string, string>;
  variables: Record<string, unknown>;
  retries: number;
  worker: string | null;
  deadline: Date | null;
  errorMessage: string | null;
  errorCode: string | null;
  childId: string | null;
  childLocalityId: number | null;
  businessKey: string | null;
  createdAt: Date;
}

const JOB_COLUMNS = `t.key::text AS key, t.type, t.state, t.process_instance_id, i.key::text AS process_instance_key,
  d.id::text AS process_definition_key, d.key AS process_definition_id, d.version AS process_definition_version,
  t.element_id, t.element_instance_id, t.element_instance_key::text AS element_instance_key, t.engine_job_id, t.kind,
  t.listener_event_type, t.custom_headers, t.variables, t.retries, t.worker, t.deadline, t.error_message, t.error_code,
  c.id AS child_id, c.locality_id AS child_locality_id, i.business_key, t.created_at`;
const JOB_FROM = `jobs t JOIN process_instances i ON i.id = t.process_instance_id
  JOIN process_definitions d ON d.id = i.definition_id
  ${INSTANCE_CHILD_JOIN}`;

export function findJob(db: Db, key: string): Promise<JobRow | null> {
  if (!/^\d{1,19}$/.test(key)) return Promise.resolve(null);
  return selectOne<JobRow>(db, `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM} WHERE t.key = $1`, [key]);
}

/** Jobs matching a filter (SQL over `t.`, `i.`, `d.` columns), for the job search. */
export function searchJobRows(
  db: Db,
  where: string,
  bind: unknown[],
  limit: number,
  offset: number,
): Promise<JobRow[]> {
  const n = bind.length;
  return select<JobRow>(
    db,
    `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM} WHERE ${where} ORDER BY t.key LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...bind, limit, offset],
  );
}

export interface ActivationRequest {
  type: string;
  worker: string;
  timeoutMs: number;
  max: number;
  /**
   * Only jobs of instances about no child or about a child of these localities (staff: the
   * legitimate-relationship rule); null: any (integration accounts, as the event routes).
   */
  localityIds: number[] | null;
}

/**
 * Takes up to `max` activatable jobs of a type, and activated ones whose deadline passed (the
 * worker is presumed gone), and marks them activated by `worker` until now + timeout.
 */
export async function activateJobRows(db: Db, r: ActivationRequest): Promise<JobRow[]> {
  if (r.max <= 0) return [];
  const taken = await select<{ key: string }>(
    db,
    `UPDATE jobs SET state = 'activated', worker = $3, deadline = now() + $4::bigint * interval '1 millisecond',
       retry_at = NULL, updated_at = now()
     WHERE key IN (
       SELECT key FROM jobs
       WHERE type = $1 AND ((state = 'activatable' AND (retry_at IS NULL OR retry_at <= now()))
                            OR (state = 'activated' AND deadline < now()))
         AND ($5::smallint[] IS NULL OR NOT EXISTS (
           SELECT 1 FROM process_instances i ${INSTANCE_CHILD_JOIN}
            WHERE i.id = jobs.process_instance_id AND c.id IS NOT NULL AND NOT c.locality_id = ANY($5::smallint[])))
       ORDER BY key LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING key::text AS key`,
    [r.type, r.max, r.worker, r.timeoutMs, r.localityIds],
  );
  if (taken.length === 0) return [];
  return select<JobRow>(db, `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM} WHERE t.key = ANY($1::bigint[]) ORDER BY t.key`, [
    taken.map((t) => t.key),
  ]);
}

/** A failure with retries left: the job is activatable again after the back-off. */
export async function retryJobLater(
  db: Db,
  key: string,
  retries: number,
  backoffMs: number,
  errorMessage: string | null,
): Promise<boolean> {
  const rows = await select(
    db,
    `UPDATE jobs SET state = 'activatable', retries = $2, retry_at = now() + $3::bigint * interval '1 millisecond',
       worker = NULL, deadline = NULL, error_message = $4, updated_at = now()
     WHERE key = $1 AND state IN ('activatable', 'activated') RETURNING key`,
    [key, retries, backoffMs, errorMessage],
  );
  return rows.length > 0;
}

/** PATCH /v2/jobs/{key}: new retries and/or a new timeout from now (an activated job's deadline). */
export async function updateJobRow(
  db: Db,
  key: string,
  change: { retries?: number; timeoutMs?: number },
): Promise<boolean> {
  const rows = await select(
    db,
    `UPDATE jobs SET retries = COALESCE($2, retries),
       deadline = CASE WHEN $3::bigint IS NOT NULL AND state = 'activated' THEN now() + $3::bigint * interval '1 millisecond' ELSE deadline END,
       updated_at = now()
     WHERE key = $1 AND state IN ('activatable', 'activated', 'failed', 'error_thrown') RETURNING key`,
    [key, change.retries ?? null, change.timeoutMs ?? null],
  );
  return rows.length > 0;
}

/**
 * The API marks a job done once the workflow accepted it (the workflow writes the same). Already in
 * that state: left alone, so retries an operator gave a failed job since are not taken back.
 */
export async function markJob(db: Db, key: string, state: JobState, errorMessage?: string): Promise<void> {
  await select(
    db,
    `UPDATE jobs SET state = $2, error_message = COALESCE($3, error_message),
       retries = CASE WHEN $2 = 'failed' THEN 0 ELSE retries END, updated_at = now()
     WHERE key = $1 AND state <> $2 RETURNING key`,
    [key, state, errorMessage ?? null],
  );
}

/** How many jobs match a search (`where` over the same tables as searchJobRows). */
export async function countJobRows(db: Db, where: string, bind: unknown[]): Promise<number> {
  const row = await selectOne<{ n: number }>(db, `SELECT count(*)::int AS n FROM ${JOB_FROM} WHERE ${where}`, bind);
  return row?.n ?? 0;
}
