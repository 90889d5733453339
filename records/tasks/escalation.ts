/**
 * SLA escalation of user task rows: to a lead's queue, with the reason recorded and audited.
 * The workflow is not involved: the task stays open in the process and is completed through the
 * same `completeUserTask` update by whoever takes it from the new queue. Used by
 * `humanTask.escalate` and by domain steps that escalate inside their own transaction
 * (`transfer.escalate`).
 */
import { processActor } from '../actor';
import { writeAudit } from '../audit';
import { inTransaction, select, type Db } from '../sql';

export interface EscalateTaskInput {
  processInstanceId: string;
  /** The user task's element id; absent: every open or claimed row of the instance. */
  elementId?: string;
  toGroups: string[];
  reason: string;
  /** Raise to at least this; absent: raise by 20 (at most 100). A priority is never lowered. */
  priority?: number;
}

export interface EscalatedTask {
  id: string;
  name: string;
  childId: string | null;
  fromGroups: string[];
  previousAssignee: string | null;
  previousPriority: number;
  priority: number;
}

/** The user name audit events of engine-made changes carry. */
const ENGINE_ACTOR = 'engine';

/**
 * Escalates every open or claimed row of `elementId` in the instance (several for a
 * multi-instance user task). Idempotent: a row already escalated to the same groups for the
 * same reason, and not picked up since, is left alone (an activity may run twice).
 */
export async function escalateHumanTask(db: Db, e: EscalateTaskInput): Promise<EscalatedTask[]> {
  return inTransaction(db, (tx) => escalateTaskRows(tx, e));
}

/** The same, in the caller's transaction; each moved row is audited as `task.escalate` by `actor`. */
export async function escalateTaskRows(tx: Db, e: EscalateTaskInput, actor = ENGINE_ACTOR): Promise<EscalatedTask[]> {
  const rows = await select<{
    id: string;
    name: string;
    childId: string | number | null;
    fromGroups: string[];
    previousAssignee: string | null;
    previousPriority: number;
    priority: number;
  }>(
    tx,
    `WITH target AS (
       SELECT id, candidate_groups, assignee, priority FROM human_tasks
       WHERE process_instance_id = $1 AND ($2::text IS NULL OR element_id = $2) AND status IN ('open', 'claimed')
         AND NOT (status = 'open' AND escalated_at IS NOT NULL AND escalation_reason = $4 AND candidate_groups = $3::text[])
       ORDER BY id
       FOR UPDATE
     )
     UPDATE human_tasks t SET candidate_groups = $3::text[], candidate_users = '{}', assignee = NULL, status = 'open', claimed_at = NULL,
       escalated_at = now(), escalation_reason = $4,
       priority = GREATEST(t.priority, COALESCE($5::integer, LEAST(t.priority + 20, 100))),
       row_version = t.row_version + 1
     FROM target WHERE t.id = target.id
     RETURNING t.id, t.name, t.child_id, target.candidate_groups AS from_groups, target.assignee AS previous_assignee,
       target.priority AS previous_priority, t.priority`,
    [e.processInstanceId, e.elementId ?? null, e.toGroups, e.reason, e.priority ?? null],
  );
  const tasks = rows.map((r) => ({
    id: r.id,
    name: r.name,
    childId: r.childId === null ? null : String(r.childId),
    fromGroups: r.fromGroups,
    previousAssignee: r.previousAssignee,
    previousPriority: r.previousPriority,
    priority: r.priority,
  }));
  for (const t of tasks) {
    // The instance is in the detail below, where it has always been (not led by the actor).
    await writeAudit(tx, processActor(actor), {
      action: 'task.escalate',
      entityType: 'task',
      entityId: t.id,
      childId: t.childId,
      reason: e.reason,
      detail: {
        name: t.name,
        processInstanceId: e.processInstanceId,
        elementId: e.elementId ?? null,
        fromGroups: t.fromGroups,
        toGroups: e.toGroups,
        previousAssignee: t.previousAssignee,
        previousPriority: t.previousPriority,
        priority: t.priority,
      },
    });
  }
  return tasks;
}
