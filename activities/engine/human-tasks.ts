/**
 * Human task rows for user tasks. Idempotent on the task id (an activity may run twice):
 * opening an existing task changes nothing, cancelling a closed task changes nothing.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { OpenHumanTaskInput } from '../../workflows/messages';

const FOREIGN_KEY_VIOLATION = '23503';

function smallId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return String(value);
  if (typeof value === 'string' && /^\d{1,18}$/.test(value)) return value;
  return null;
}

/**
 * A linked form that was not deployed when the process was (FormSpec.unresolved) is linked now,
 * as Camunda 8 does: the latest deployed version of that form id, if there is one.
 */
async function linkForm(sequelize: Sequelize, form: unknown): Promise<unknown> {
  const spec = form as { source?: string; key?: string; unresolved?: boolean } | undefined;
  if (!spec?.unresolved || !spec.key) return form;
  const rows = await sequelize.query<{ fields: unknown }>(
    `SELECT compiled->'fields' AS fields FROM resources WHERE kind = 'form' AND resource_id = $1 ORDER BY version DESC LIMIT 1`,
    { type: QueryTypes.SELECT, bind: [spec.key] },
  );
  if (!rows[0]) return form;
  return { source: 'linked', key: spec.key, fields: rows[0].fields };
}

export async function openHumanTask(sequelize: Sequelize, t: OpenHumanTaskInput): Promise<void> {
  const form = await linkForm(sequelize, t.form);
  // The child and locality columns are filled from the process variables `childId` and
  // `localityId` when they name existing rows; a dangling reference must not block the task.
  const childId = smallId(t.input.childId);
  const localityId = smallId(t.input.localityId);
  const insert = (child: string | null, locality: string | null) =>
    sequelize.query(
      `INSERT INTO human_tasks (id, process_instance_id, element_id, name, business_key, child_id, locality_id, candidate_groups,
         candidate_users, assignee, priority, due_at, follow_up_at, form, input, status, claimed_at, element_instance_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12::double precision / 1000), to_timestamp($13::double precision / 1000),
         $14::jsonb, $15::jsonb, CASE WHEN $10::text IS NULL THEN 'open' ELSE 'claimed' END, CASE WHEN $10::text IS NULL THEN NULL ELSE now() END, $16)
       ON CONFLICT (id) DO NOTHING`,
      {
        type: QueryTypes.INSERT,
        bind: [
          t.taskId,
          t.processInstanceId,
          t.elementId,
          t.name,
          t.businessKey,
          child,
          locality,
          t.candidateGroups,
          t.candidateUsers,
          t.assignee ?? null,
          t.priority,
          t.dueAt ?? null,
          t.followUpAt ?? null,
          JSON.stringify(form ?? { fields: [] }),
          JSON.stringify(t.input),
          t.elementInstanceId ?? null,
        ],
      },
    );
  try {
    await insert(childId, localityId);
  } catch (e) {
    const code = (e as { parent?: { code?: string } }).parent?.code;
    if (code !== FOREIGN_KEY_VIOLATION || (childId === null && localityId === null)) throw e;
    await insert(null, null);
  }
}

export async function cancelHumanTask(sequelize: Sequelize, taskId: string): Promise<void> {
  await sequelize.query(
    `UPDATE human_tasks SET status = 'cancelled', row_version = row_version + 1 WHERE id = $1 AND status IN ('open', 'claimed')`,
    { type: QueryTypes.UPDATE, bind: [taskId] },
  );
}
