/**
 * Break-glass alerts (`break_glass_alerts`): a member of staff opened a child outside their
 * localities with a stated reason; the child's locality's safeguarding leads acknowledge it.
 * The alert names the child, so listing and acknowledging are audited here.
 */
import type { StaffActor } from './actor';
import { writeAudit } from './audit';
import { conflict, notFound } from './errors';
import { inTransaction, select, selectOne, type Db } from './sql';

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

/** Written by the break glass itself (children/access.ts), in its transaction. */
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

/** Alerts of the caller's localities, unacknowledged first, newest first; audited once, naming the children. */
export async function listBreakGlassAlerts(
  db: Db,
  actor: StaffActor,
  onlyOpen: boolean,
  limit: number,
): Promise<BreakGlassAlert[]> {
  const alerts = await select<BreakGlassAlert>(
    db,
    `SELECT ${COLUMNS} ${FROM}
     WHERE a.locality_id = ANY($1::smallint[]) AND (NOT $2 OR a.acknowledged_at IS NULL)
     ORDER BY a.acknowledged_at IS NULL DESC, a.raised_at DESC, a.id DESC LIMIT $3`,
    [actor.localityIds, onlyOpen, limit],
  );
  await writeAudit(db, actor, {
    action: 'alert.list',
    entityType: 'break_glass_alert',
    childIds: alerts.map((a) => a.childId),
    detail: { open: onlyOpen, alerts: alerts.length },
  });
  return alerts;
}

function findAlert(db: Db, id: string): Promise<BreakGlassAlert | null> {
  return selectOne<BreakGlassAlert>(db, `SELECT ${COLUMNS} ${FROM} WHERE a.id = $1`, [id]);
}

/** Acknowledged by the caller (a lead of the alert's locality); the alert as it is now. */
export async function acknowledgeBreakGlassAlert(db: Db, actor: StaffActor, id: string): Promise<BreakGlassAlert> {
  const alert = await findAlert(db, id);
  if (!alert || !actor.localityIds.includes(alert.localityId))
    throw notFound(`No break-glass alert ${id} in your localities`);
  const done = await inTransaction(db, async (tx) => {
    const rows = await select(
      tx,
      'UPDATE break_glass_alerts SET acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND acknowledged_at IS NULL RETURNING id',
      [alert.id, actor.id],
    );
    if (rows.length === 0) return false;
    await writeAudit(tx, actor, {
      action: 'alert.acknowledge',
      entityType: 'break_glass_alert',
      entityId: alert.id,
      childId: alert.childId,
    });
    return true;
  });
  if (!done) throw conflict('The alert was already acknowledged');
  return (await findAlert(db, alert.id))!;
}
