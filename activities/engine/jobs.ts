/**
 * Jobs for external workers (table `jobs`, migration 0013): the workflow writes a row when a task
 * of a type without a built-in worker is reached, and closes it when the job completes, fails
 * for good, throws an error or is cancelled. Workers activate and complete rows through /v2/jobs.
 * Idempotent: a local activity may run twice.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { CloseJobInput, CreateJobInput } from '../../workflows/messages';
import { elementInstanceKey } from './element-keys';

/** Wakes long-polling activations (api/camunda/job-activation.ts listens). */
export const JOBS_CHANNEL = 'chis_jobs';

export async function createJob(sequelize: Sequelize, j: CreateJobInput): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const key = await elementInstanceKey(sequelize, j.processInstanceId, j.elementInstanceId, transaction);
    // After an incident is resolved the engine asks for the job again: the failed row is reused
    // (same key, the retries an operator set), as Camunda reactivates the job.
    const reused = await sequelize.query(
      `UPDATE jobs SET engine_job_id = $3, state = 'activatable', worker = NULL, deadline = NULL, retry_at = NULL,
         variables = $4::jsonb, retries = GREATEST(retries, 1), updated_at = now()
       WHERE process_instance_id = $1 AND element_instance_id = $2 AND state IN ('failed', 'error_thrown')
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE process_instance_id = $1 AND engine_job_id = $3)
       RETURNING key`,
      {
        type: QueryTypes.SELECT,
        bind: [j.processInstanceId, j.elementInstanceId, j.jobId, JSON.stringify(j.variables)],
        transaction,
      },
    );
    if (reused.length === 0)
      await sequelize.query(
        `INSERT INTO jobs (process_instance_id, engine_job_id, element_id, element_instance_id, element_instance_key, type, retries, custom_headers, variables)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)
         ON CONFLICT (process_instance_id, engine_job_id) DO NOTHING`,
        {
          type: QueryTypes.INSERT,
          bind: [
            j.processInstanceId,
            j.jobId,
            j.elementId,
            j.elementInstanceId,
            key,
            j.type,
            j.retries,
            JSON.stringify(j.headers),
            JSON.stringify(j.variables),
          ],
          transaction,
        },
      );
    await sequelize.query('SELECT pg_notify($1, $2)', { bind: [JOBS_CHANNEL, j.type], transaction });
  });
}

export async function closeJob(sequelize: Sequelize, c: CloseJobInput): Promise<void> {
  await sequelize.query(
    `UPDATE jobs SET state = $3, error_message = COALESCE($4, error_message),
       retries = CASE WHEN $3 = 'failed' THEN 0 ELSE retries END, deadline = NULL, updated_at = now()
     WHERE process_instance_id = $1 AND engine_job_id = $2 AND state IN ('activatable', 'activated', 'failed', 'error_thrown')
       AND state <> $3`,
    { type: QueryTypes.UPDATE, bind: [c.processInstanceId, c.jobId, c.state, c.errorMessage ?? null] },
  );
}
