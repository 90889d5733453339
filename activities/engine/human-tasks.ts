/**
 * Human task rows for user tasks, for the engine's activities (records/tasks/rows.ts). Idempotent
 * on the task id (an activity may run twice): opening an existing task changes nothing,
 * cancelling a closed task changes nothing.
 */
import type { Sequelize } from 'sequelize';
import { cancelTask, openEngineTask } from '../../records/tasks/rows';
import type { OpenHumanTaskInput } from '../../workflows/contract';

export function openHumanTask(sequelize: Sequelize, t: OpenHumanTaskInput): Promise<void> {
  return openEngineTask({ sequelize }, t);
}

export async function cancelHumanTask(sequelize: Sequelize, taskId: string): Promise<void> {
  await cancelTask({ sequelize }, taskId);
}
