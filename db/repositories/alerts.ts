import { select, selectOne, type Db } from './sql';

export interface BreakGlassAlert {
  id: string;
  childId: string;
  nhsNumber: string;
  localityId: number;
  actorId: number;
  actorUsername: string;
  reason: string;
  action: string;
  auditEventId: string;
  raisedAt: Date;
  acknowledgedBy: number | null;
  acknowledgedAt: Date | null;
}

export async function insertBreakGlassAlert(
  db: Db,
  a: { childId: string; localityId: number; actorId: number; reason: string; action: string; auditEventId: string },
): Promise<string> {
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO break_glass_alerts (child_id, locality_id, actor_id, reason, action, audit_event_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [a.childId, a.localityId, a.actorId, a.reason, a.action, a.auditEventId],
  );
  return row!.id;
}

const COLUMNS = `a.id, a.child_id, c.nhs_number, a.locality_id, a.actor_id, s.username AS actor_username, a.reason, a.action,
  a.audit_event_id, a.raised_at, a.acknowledged_by, a.acknowledged_at`;
const FROM = 'FROM break_glass_alerts a JOIN children c ON c.id = a.child_id JOIN staff_users s ON s.id = a.actor_id';

/** Alerts of these localities, unacknowledged first, newest first. */
export function listBreakGlassAlerts(
  db: Db,
  localityIds: number[],
  onlyOpen: boolean,
  limit: number,
): Promise<BreakGlassAlert[]> {
  return select<BreakGlassAlert>(
    db,
    `SELECT ${COLUMNS} ${FROM}
     WHERE a.locality_id = ANY($1::smallint[]) AND (NOT $2 OR a.acknowledged_at IS NULL)
     ORDER BY a.acknowledged_at IS NULL DESC, a.raised_at DESC, a.id DESC LIMIT $3`,
    [localityIds, onlyOpen, limit],
  );
}

export function findBreakGlassAlert(db: Db, id: string): Promise<BreakGlassAlert | null> {
  return selectOne<BreakGlassAlert>(db, `SELECT ${COLUMNS} ${FROM} WHERE a.id = $1`, [id]);
}

/** True when this call acknowledged it; false when someone already had. */
export async function acknowledgeBreakGlassAlert(db: Db, id: string, staffId: number): Promise<boolean> {
  const rows = await select(
    db,
    'UPDATE break_glass_alerts SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND acknowledged_at IS NULL RETURNING id',
    [id, staffId],
  );
  return rows.length === 1;
}
