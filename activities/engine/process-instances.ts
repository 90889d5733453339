/** Mirrors a process instance's status into process_instances (for listing and search). */
import type { Sequelize } from 'sequelize';
import { recordInstanceStatus } from '../../records/process-instances';
import type { RecordInstanceInput } from '../../workflows/contract';

/** Upsert: the first call creates the row, later calls move its status (the workflow sends them in order). */
export function recordInstance(sequelize: Sequelize, r: RecordInstanceInput): Promise<void> {
  return recordInstanceStatus({ sequelize }, r);
}
