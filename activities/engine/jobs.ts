/**
 * The workflow's side of external jobs (records/jobs.ts holds the table): a row when a
 * task of a type without a built-in worker is reached, closed when the job ends. Idempotent:
 * a local activity may run twice.
 */
import type { Sequelize } from 'sequelize';
import { closeJobRow, createJobRow, jobsCreated } from '../../records/jobs';
import { inTransaction } from '../../records/sql';
import type { CloseJobInput, CreateJobInput } from '../../workflows/contract';
import { elementInstanceKey } from '../../records/element-keys';

export async function createJob(sequelize: Sequelize, j: CreateJobInput): Promise<void> {
  await inTransaction({ sequelize }, async (tx) => {
    const key = await elementInstanceKey(tx, j.processInstanceId, j.elementInstanceId);
    await createJobRow(tx, {
      processInstanceId: j.processInstanceId,
      engineJobId: j.jobId,
      elementId: j.elementId,
      elementInstanceId: j.elementInstanceId,
      elementInstanceKey: key,
      type: j.type,
      retries: j.retries,
      customHeaders: j.headers,
      variables: j.variables,
      ...(j.kind ? { kind: j.kind } : {}),
      ...(j.listenerEventType ? { listenerEventType: j.listenerEventType } : {}),
    });
  });
  jobsCreated.emit(j.type);
}

export async function closeJob(sequelize: Sequelize, c: CloseJobInput): Promise<void> {
  await closeJobRow({ sequelize }, c.processInstanceId, c.jobId, c.state, c.errorMessage);
}
