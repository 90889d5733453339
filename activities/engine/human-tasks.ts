/**
 * Human task rows for user tasks, for the engine's activities (records/tasks/rows.ts). Idempotent
 * on the task id (an activity may run twice): opening an existing task changes nothing,
 * cancelling a closed task changes nothing.
 */
import type { Sequelize } from 'sequelize';
import { latestResource } from '../../records/resources';
import { reservedTaskKey } from '../../records/jobs';
import { elementInstanceKey } from '../../records/element-keys';
import { cancelTask, correctCompletedTask, openEngineTask } from '../../records/tasks/rows';
import type { OpenHumanTaskInput } from '../../workflows/contract';
import type { UserTaskChanges } from '../../workflows/engine/types';

/**
 * A linked form that was not deployed when the process was (FormSpec.unresolved) is linked now,
 * as Camunda 8 does: the latest deployed version of that form id, if there is one.
 */
async function linkForm(sequelize: Sequelize, form: unknown): Promise<unknown> {
  const spec = form as { source?: string; key?: string; unresolved?: boolean } | undefined;
  if (!spec?.unresolved || !spec.key) return form;
  const latest = await latestResource({ sequelize }, 'form', spec.key);
  if (!latest) return form;
  return { source: 'linked', key: spec.key, fields: (latest.compiled as { fields?: unknown } | null)?.fields ?? null };
}

export async function openHumanTask(sequelize: Sequelize, t: OpenHumanTaskInput): Promise<void> {
  const form = await linkForm(sequelize, t.form);
  // Listeners that ran before it opened carried the key it opens with (Camunda gives them the task's key).
  const key = t.elementInstanceId
    ? await reservedTaskKey({ sequelize }, t.processInstanceId, t.elementInstanceId)
    : null;
  // Its element instance's key (Camunda's elementInstanceKey: variables are set on a task by it).
  if (t.elementInstanceId) await elementInstanceKey({ sequelize }, t.processInstanceId, t.elementInstanceId);
  return openEngineTask({ sequelize }, { ...t, form, ...(key ? { key } : {}) });
}

export async function cancelHumanTask(sequelize: Sequelize, taskId: string): Promise<void> {
  await cancelTask({ sequelize }, taskId);
}

/** A cancelled task's canceling listeners corrected it: the row keeps what they set (Camunda 8.8). */
export async function correctCancelledHumanTask(
  sequelize: Sequelize,
  taskId: string,
  c: UserTaskChanges,
): Promise<void> {
  const date = (v: string | null) => (v === null ? null : new Date(v));
  await correctCompletedTask(
    { sequelize },
    taskId,
    {
      ...(c.candidateGroups !== undefined ? { candidateGroups: c.candidateGroups } : {}),
      ...(c.candidateUsers !== undefined ? { candidateUsers: c.candidateUsers } : {}),
      ...(c.dueDate !== undefined ? { dueAt: date(c.dueDate) } : {}),
      ...(c.followUpDate !== undefined ? { followUpAt: date(c.followUpDate) } : {}),
      ...(c.priority !== undefined ? { priority: c.priority } : {}),
      ...(c.assignee !== undefined ? { assignee: c.assignee } : {}),
    },
    'cancelled',
  );
}
