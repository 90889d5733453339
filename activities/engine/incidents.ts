/** Incidents as the workflow opens and resolves them (table `incidents`, migration 0013), for /v2/incidents. */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { RecordIncidentInput } from '../../workflows/messages';
import { elementInstanceKey } from './element-keys';

/** Camunda's error types for our incident kinds. */
const ERROR_TYPES: Record<string, string> = {
  jobFailed: 'JOB_NO_RETRIES',
  expression: 'EXTRACT_VALUE_ERROR',
  noOutgoingFlow: 'CONDITION_ERROR',
  childFailed: 'CALLED_ELEMENT_ERROR',
  invalidVariables: 'IO_MAPPING_ERROR',
  unhandledError: 'UNHANDLED_ERROR_EVENT',
  decision: 'DECISION_EVALUATION_ERROR',
};

export async function recordIncident(sequelize: Sequelize, r: RecordIncidentInput): Promise<void> {
  if (r.state === 'resolved') {
    await sequelize.query(
      `UPDATE incidents SET state = 'resolved', resolved_at = now() WHERE process_instance_id = $1 AND incident_id = $2 AND state = 'active'`,
      { type: QueryTypes.UPDATE, bind: [r.processInstanceId, r.incidentId] },
    );
    return;
  }
  await sequelize.transaction(async (transaction) => {
    const key = await elementInstanceKey(sequelize, r.processInstanceId, r.elementInstanceId ?? '', transaction);
    await sequelize.query(
      `INSERT INTO incidents (process_instance_id, incident_id, element_id, element_instance_key, error_type, message, job_key)
       VALUES ($1, $2, $3, $4, $5, $6,
         (SELECT key FROM jobs WHERE process_instance_id = $1 AND engine_job_id = $7))
       ON CONFLICT (process_instance_id, incident_id) DO NOTHING`,
      {
        type: QueryTypes.INSERT,
        bind: [
          r.processInstanceId,
          r.incidentId,
          r.elementId ?? '',
          key,
          ERROR_TYPES[r.kind ?? ''] ?? 'UNKNOWN',
          r.message ?? '',
          r.jobId ?? null,
        ],
        transaction,
      },
    );
  });
}
