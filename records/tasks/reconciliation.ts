/**
 * The task rows the reconciliation (engine-client/task-reconciliation.ts) brings back in line
 * with their workflows: which rows may be out of line, locking one, and closing it as the
 * workflow saw it (completed by the update it accepted, or cancelled).
 */
import { select, selectOne, type Db } from '../sql';

/**
 * Rows that can be out of line: claimed for longer than `claimedForMs` (a completion whose row
 * write failed leaves a claimed row; completing needs a claim) and every open or claimed row of
 * an instance the mirror shows ended; up to `limit`, by id after `after`.
 */
export function tasksToReconcile(
  db: Db,
  o: { claimedForMs: number; limit: number; after: string | null },
): Promise<{ id: string; processInstanceId: string }[]> {
  return select<{ id: string; processInstanceId: string }>(
    db,
    `SELECT t.id, t.process_instance_id FROM human_tasks t JOIN process_instances i ON i.id = t.process_instance_id
     WHERE t.status IN ('open', 'claimed') AND ($3::uuid IS NULL OR t.id > $3::uuid)
       AND ((t.status = 'claimed' AND t.claimed_at < now() - $1::bigint * interval '1 millisecond') OR i.status NOT IN ('running', 'incident'))
     ORDER BY t.id LIMIT $2`,
    [o.claimedForMs, o.limit, o.after],
  );
}

/** Locks an open or claimed row in `tx`; false when it is closed or someone is working on it right now. */
export async function lockActiveTask(tx: Db, id: string): Promise<boolean> {
  const row = await selectOne<{ id: string }>(
    tx,
    `SELECT id FROM human_tasks WHERE id = $1 AND status IN ('open', 'claimed') FOR UPDATE SKIP LOCKED`,
    [id],
  );
  return row !== null;
}

/** Locks the row for its assignee's completion in `tx` (waiting for another holder); false when it changed. */
export async function lockClaimedTask(tx: Db, id: string, rowVersion: number, assignee: string): Promise<boolean> {
  const row = await selectOne<{ id: string }>(
    tx,
    `SELECT id FROM human_tasks WHERE id = $1 AND row_version = $2 AND status = 'claimed' AND assignee = $3 FOR UPDATE`,
    [id, rowVersion, assignee],
  );
  return row !== null;
}

/** Completes the row as the workflow's accepted update says; false when it was closed already. */
export async function completeAsAccepted(
  tx: Db,
  id: string,
  c: { outcome?: string | null; data?: Record<string, unknown> | null; actor: string },
): Promise<boolean> {
  const row = await selectOne<{ id: string }>(
    tx,
    `UPDATE human_tasks SET status = 'completed', outcome = $2, data = $3, completed_by = $4, completed_at = now(), row_version = row_version + 1
     WHERE id = $1 AND status IN ('open', 'claimed') RETURNING id`,
    [id, c.outcome ?? null, JSON.stringify(c.data ?? {}), c.actor],
  );
  return row !== null;
}
