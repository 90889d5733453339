import { select, selectOne, type Db } from './sql';

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
 * Raises an alert for the locality's leads, unless the same person already has an
 * unacknowledged alert for the same child, with the same reason, raised within
 * ALERT_COALESCE_MINUTES: opening a record makes several requests (record, schedule,
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

/** Alerts of these localities, unacknowledged first, newest first, a page at a time. */
export async function listBreakGlassAlerts(
  db: Db,
  localityIds: number[],
  onlyOpen: boolean,
  limit: number,
  after: AlertCursor | null = null,
): Promise<{ alerts: BreakGlassAlert[]; next: AlertCursor | null }> {
  const rows = await select<BreakGlassAlert & { raisedAtExact: string }>(
    db,
    `SELECT ${COLUMNS}, to_char(a.raised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS raised_at_exact ${FROM}
     WHERE a.locality_id = ANY($1::smallint[]) AND (NOT $2 OR a.acknowledged_at IS NULL)
       AND ($4::boolean IS NULL OR ((a.acknowledged_at IS NULL), a.raised_at, a.id) < ($4::boolean, $5::timestamptz, $6::bigint))
     ORDER BY a.acknowledged_at IS NULL DESC, a.raised_at DESC, a.id DESC LIMIT $3`,
    [localityIds, onlyOpen, limit + 1, after?.open ?? null, after?.raisedAt ?? null, after?.id ?? null],
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    alerts: page.map(({ raisedAtExact: _exact, ...a }) => a),
    next:
      rows.length > limit && last
        ? { open: last.acknowledgedAt === null, raisedAt: last.raisedAtExact, id: last.id }
        : null,
  };
}

/** Unacknowledged alerts of these localities (for the lead's dashboard), up to `cap`. */
export async function openAlertCount(db: Db, localityIds: number[], cap: number): Promise<number> {
  const row = await selectOne<{ n: number }>(
    db,
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM break_glass_alerts
       WHERE locality_id = ANY($1::smallint[]) AND acknowledged_at IS NULL LIMIT $2) x`,
    [localityIds, cap],
  );
  return row!.n;
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
