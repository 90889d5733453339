/**
 * `was_not_brought_escalations`: one safeguarding escalation per child and missed appointment,
 * by the child-level Was Not Brought process, naming every miss in its window; and the misses it
 * counts, read from `appointment_outcomes` (appointments.ts records them).
 */
import { select, selectOne, type Db } from './sql';

export interface RecordedMiss {
  date: string;
  kind: string;
  contact: string | null;
  vaccine: string | null;
}

/** The child's distinct misses in the window (an interval) ending on `upTo`, oldest first. */
export function missesInWindow(db: Db, childId: string, upTo: string, window: string): Promise<RecordedMiss[]> {
  return select(
    db,
    `SELECT DISTINCT appointment_on::text AS date, kind, contact, vaccine FROM appointment_outcomes
     WHERE child_id = $1 AND outcome = 'was_not_brought'
       AND appointment_on <= $2::date AND appointment_on > ($2::date - $3::interval)::date
     ORDER BY 1, 2`,
    [childId, upTo, window],
  );
}

/** Records the escalation of an appointment; false when it was escalated already. */
export async function recordChildEscalation(
  tx: Db,
  e: { childId: string; appointmentKey: string; misses: unknown },
): Promise<boolean> {
  const inserted = await selectOne(
    tx,
    `INSERT INTO was_not_brought_escalations (child_id, appointment_key, misses) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [e.childId, e.appointmentKey, JSON.stringify(e.misses)],
  );
  return inserted !== null;
}

/** Whether the child-level process escalated this appointment (then a follow-up does not). */
export async function escalatedForChild(db: Db, childId: string, appointmentKey: string): Promise<boolean> {
  return (
    (await selectOne(db, 'SELECT 1 FROM was_not_brought_escalations WHERE child_id = $1 AND appointment_key = $2', [
      childId,
      appointmentKey,
    ])) !== null
  );
}

/**
 * A merge (children/merge.ts): the merged record's escalations move to `into`; one of a missed
 * appointment escalated on both is removed and returned, to be kept in the merge record.
 */
export async function moveWasNotBroughtOnMerge(
  tx: Db,
  from: string,
  into: string,
): Promise<{ moved: number; setAside: unknown[] }> {
  const setAside = await select<{ row: unknown }>(
    tx,
    `DELETE FROM was_not_brought_escalations f WHERE f.child_id = $1
       AND EXISTS (SELECT 1 FROM was_not_brought_escalations i WHERE i.child_id = $2 AND i.appointment_key = f.appointment_key)
     RETURNING to_jsonb(f) AS row`,
    [from, into],
  );
  const moved = await select(
    tx,
    'UPDATE was_not_brought_escalations SET child_id = $2 WHERE child_id = $1 RETURNING child_id',
    [from, into],
  );
  return { moved: moved.length, setAside: setAside.map((r) => r.row) };
}
