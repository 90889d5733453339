/** The workflow records its incidents (records/incidents.ts holds the table) for /v2/incidents. */
import type { Sequelize } from 'sequelize';
import { insertIncident, resolveIncidentRow } from '../../records/incidents';
import { closeJobRow } from '../../records/jobs';
import { inTransaction } from '../../records/sql';
import type { RecordIncidentInput } from '../../workflows/contract';
import { elementInstanceKey } from '../../records/element-keys';

/** Camunda's error types for the engine's incident kinds. */
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
    await resolveIncidentRow({ sequelize }, r.processInstanceId, r.incidentId);
    return;
  }
  await inTransaction({ sequelize }, async (tx) => {
    const key = await elementInstanceKey(tx, r.processInstanceId, r.elementInstanceId ?? '');
    // A job incident is visible only with its job out of retries (in the same transaction), so a
    // resolve before the operator has given retries is refused, whichever of the workflow's
    // activities or the failing request's own write comes first.
    if (r.kind === 'jobFailed' && r.jobId)
      await closeJobRow(tx, r.processInstanceId, r.jobId, 'failed', r.message ?? undefined);
    await insertIncident(tx, {
      processInstanceId: r.processInstanceId,
      incidentId: r.incidentId,
      elementId: r.elementId ?? '',
      elementInstanceKey: key,
      errorType: ERROR_TYPES[r.kind ?? ''] ?? 'UNKNOWN',
      message: r.message ?? '',
      engineJobId: r.jobId ?? null,
    });
  });
}
