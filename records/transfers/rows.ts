/** The transfers table as the mover activities use it (one row per process instance). */
import { select, selectOne, type Db } from '../sql';

export type TransferStatus = 'requested' | 'accepted' | 'completed' | 'rejected' | 'cancelled';

export interface TransferRow {
  id: string;
  childId: string;
  direction: 'within_region' | 'into_region' | 'out_of_region';
  fromLocalityId: number | null;
  toLocalityId: number | null;
  otherChis: string | null;
  status: TransferStatus;
  processInstanceId: string | null;
  decidedAt: Date | null;
  completedAt: Date | null;
  escalatedAt: Date | null;
  handoverCompletedAt: Date | null;
  detail: Record<string, unknown>;
}

const COLUMNS = `id, child_id, direction, from_locality_id, to_locality_id, other_chis, status, process_instance_id, decided_at, completed_at,
  escalated_at, handover_completed_at, detail`;

export function transferById(db: Db, id: string, lock = false): Promise<TransferRow | null> {
  return selectOne<TransferRow>(db, `SELECT ${COLUMNS} FROM transfers WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

export function transferOfInstance(db: Db, processInstanceId: string): Promise<TransferRow | null> {
  return selectOne<TransferRow>(db, `SELECT ${COLUMNS} FROM transfers WHERE process_instance_id = $1`, [
    processInstanceId,
  ]);
}

/**
 * Cancels the child's transfers in flight (requested or accepted), recording why in their detail;
 * `exceptInstance` keeps the caller's own. Returns the cancelled ids.
 */
export async function cancelOpenTransfers(
  db: Db,
  childId: string,
  why: Record<string, string>,
  exceptInstance?: string,
): Promise<string[]> {
  const rows = await select<{ id: string }>(
    db,
    `UPDATE transfers SET status = 'cancelled', decided_at = coalesce(decided_at, now()), detail = detail || $2::jsonb
     WHERE child_id = $1 AND status IN ('requested', 'accepted') AND process_instance_id IS DISTINCT FROM $3 RETURNING id`,
    [childId, JSON.stringify(why), exceptInstance ?? null],
  );
  return rows.map((r) => r.id);
}

/** Cancels the child's other transfers in flight (a newer move supersedes them); returns their ids. */
export function supersedeOpenTransfers(db: Db, childId: string, byInstance: string): Promise<string[]> {
  return cancelOpenTransfers(db, childId, { supersededBy: byInstance }, byInstance);
}

export async function insertTransfer(
  db: Db,
  t: {
    childId: string;
    direction: TransferRow['direction'];
    fromLocalityId: number | null;
    toLocalityId: number | null;
    otherChis: string | null;
    processInstanceId: string;
    detail: Record<string, unknown>;
  },
): Promise<string> {
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO transfers (child_id, direction, from_locality_id, to_locality_id, other_chis, process_instance_id, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id`,
    [
      t.childId,
      t.direction,
      t.fromLocalityId,
      t.toLocalityId,
      t.otherChis,
      t.processInstanceId,
      JSON.stringify(t.detail),
    ],
  );
  return row!.id;
}

/** A merge (children/merge.ts): the merged record's transfers move to `into` (children/merge.ts refuses two in flight). */
export async function moveTransfersOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(tx, 'UPDATE transfers SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return moved.length;
}

/** The child's transfer in flight (requested or accepted), if any. */
export async function openTransferOf(db: Db, childId: string): Promise<string | null> {
  const row = await selectOne<{ id: string }>(
    db,
    "SELECT id FROM transfers WHERE child_id = $1 AND status IN ('requested', 'accepted')",
    [childId],
  );
  return row?.id ?? null;
}
