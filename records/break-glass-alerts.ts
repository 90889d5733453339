/**
 * Break-glass alerts (`break_glass_alerts`): a member of staff opened a child outside their
 * localities with a stated reason; the child's locality's safeguarding leads acknowledge it.
 * The alert names the child, so listing and acknowledging are audited here.
 */
import type { StaffActor } from './actor';
import { writeAudit } from './audit';
import { conflict, notFound } from './errors';
import { childSummariesByIds, type ChildSummary } from './children/child-rows';
import { inTransaction, select, selectOne, type Db } from './sql';

export interface BreakGlassAlert {
  id: string;
  childId: string;
  nhsNumber: string;
  localityId: number;
  actorId: number;
  actorUsername: string;
  actorDisplayName: string;
  actorRole: string;
  reason: string;
  action: string;
  auditEventId: string;
  raisedAt: Date;
  acknowledgedBy: number | null;
  acknowledgedByUsername: string | null;
  acknowledgedAt: Date | null;
}

/** Position after the last row of a page (unacknowledged first, newest first). */
export interface AlertCursor {
  open: boolean;
  raisedAt: string;
  id: string;
}

/** One alert stands for a person's stated-reason visit to a child for this long (each request is still audited). */
export const ALERT_COALESCE_MINUTES = 60;

/**
 * Written by the break glass itself (children/access.ts), in its transaction. Unless the same
 * person already has an unacknowledged alert for the same child, with the same reason, raised
 * within ALERT_COALESCE_MINUTES: opening a record makes several requests (record, schedule,
 * timeline...), and the leads should see one visit, not one alert per request. Returns the
 * alert's id (the existing one when coalesced).
 */
export async function insertBreakGlassAlert(
  db: Db,
  a: { childId: string; localityId: number; actorId: number; reason: string; action: string; auditEventId: string },
): Promise<string> {
  const existing = await selectOne<{ id: string }>(
    db,
    `SELECT id FROM break_glass_alerts
     WHERE child_id = $1 AND actor_id = $2 AND reason = $3 AND acknowledged_at IS NULL
       AND raised_at > now() - make_interval(mins => $4)
     ORDER BY raised_at DESC LIMIT 1`,
    [a.childId, a.actorId, a.reason, ALERT_COALESCE_MINUTES],
  );
  if (existing) return existing.id;
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO break_glass_alerts (child_id, locality_id, actor_id, reason, action, audit_event_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [a.childId, a.localityId, a.actorId, a.reason, a.action, a.auditEventId],
  );
  return row!.id;
}

const COLUMNS = `a.id, a.child_id, c.nhs_number, a.locality_id, a.actor_id, s.username AS actor_username,
  s.display_name AS actor_display_name, s.role AS actor_role, a.reason, a.action,
  a.audit_event_id, a.raised_at, a.acknowledged_by, k.username AS acknowledged_by_username, a.acknowledged_at`;
const FROM = `FROM break_glass_alerts a JOIN children c ON c.id = a.child_id JOIN staff_users s ON s.id = a.actor_id
  LEFT JOIN staff_users k ON k.id = a.acknowledged_by`;

/**
 * Alerts of the caller's localities, unacknowledged first, newest first, a page at a time, each
 * with its child's summary (the children of the leads' own localities); audited once, naming
 * the children.
 */
export async function listBreakGlassAlerts(
  db: Db,
  actor: StaffActor,
  onlyOpen: boolean,
  limit: number,
  after: AlertCursor | null = null,
): Promise<{ alerts: Array<BreakGlassAlert & { child: ChildSummary | null }>; next: AlertCursor | null }> {
  const rows = await select<BreakGlassAlert & { raisedAtExact: string }>(
    db,
    `SELECT ${COLUMNS}, to_char(a.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS raised_at_exact ${FROM}
     WHERE a.locality_id = ANY($1::smallint[]) AND (NOT $2 OR a.acknowledged_at IS NULL)
       AND ($4::boolean IS NULL OR ((a.acknowledged_at IS NULL), a.raised_at, a.id) < ($4::boolean, $5::timestamptz, $6::bigint))
     ORDER BY a.acknowledged_at IS NULL DESC, a.raised_at DESC, a.id DESC LIMIT $3`,
    [actor.localityIds, onlyOpen, limit + 1, after?.open ?? null, after?.raisedAt ?? null, after?.id ?? null],
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const children = new Map(
    (await childSummariesByIds(db, [...new Set(page.map((a) => a.childId))])).map((c) => [c.id, c]),
  );
  await writeAudit(db, actor, {
    action: 'alert.list',
    entityType: 'break_glass_alert',
    childIds: page.map((a) => a.childId),
    detail: { open: onlyOpen, alerts: page.length },
  });
  return {
    alerts: page.map(({ raisedAtExact: _exact, ...a }) => ({ ...a, child: children.get(a.childId) ?? null })),
    next:
      rows.length > limit && last
        ? { open: last.acknowledgedAt === null, raisedAt: last.raisedAtExact, id: last.id }
        : null,
  };
}

/** Unacknowledged alerts of these localities (for the lead's dashboard), up to `cap`: a count, no child named. */
export async function openAlertCount(db: Db, localityIds: readonly number[], cap: number): Promise<number> {
  const row = await selectOne<{ n: number }>(
    db,
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM break_glass_alerts
       WHERE locality_id = ANY($1::smallint[]) AND acknowledged_at IS NULL LIMIT $2) x`,
    [localityIds, cap],
  );
  return row!.n;
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

/** A merge (children/merge.ts): the break-glass alerts about the merged record move to `into`. */
export async function moveBreakGlassAlertsOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(tx, 'UPDATE break_glass_alerts SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return moved.length;
}
