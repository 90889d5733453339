import { select, selectOne, type Db } from './sql';

/** One row of the append-only trail: who, what, which record, when, from where, why. */
export interface NewAuditEvent {
  actorId: number | null;
  actorUsername: string;
  action: string;
  entityType: string;
  entityId: string | null;
  childId: string | null;
  sourceIp: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

export interface AuditEvent extends NewAuditEvent {
  id: string;
  occurredAt: Date;
}

export async function insertAuditEvent(db: Db, e: NewAuditEvent): Promise<string> {
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO audit_events (actor_id, actor_username, action, entity_type, entity_id, child_id, source_ip, reason, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      e.actorId,
      e.actorUsername,
      e.action,
      e.entityType,
      e.entityId,
      e.childId,
      e.sourceIp,
      e.reason,
      JSON.stringify(e.detail),
    ],
  );
  return row!.id;
}

export interface AuditFilter {
  childId?: string;
  actorUsername?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Keyset: only events with a smaller id (the trail is read newest first). */
  beforeId?: string;
  limit: number;
}

/** Newest first; ids grow with time, so the id alone is the cursor. */
export function listAuditEvents(db: Db, f: AuditFilter): Promise<AuditEvent[]> {
  return select<AuditEvent>(
    db,
    `SELECT id, occurred_at, actor_id, actor_username, action, entity_type, entity_id, child_id, source_ip, reason, detail
     FROM audit_events
     WHERE ($1::bigint IS NULL OR child_id = $1) AND ($2::text IS NULL OR actor_username = $2)
       AND ($3::text IS NULL OR action = $3) AND ($4::timestamptz IS NULL OR occurred_at >= $4)
       AND ($5::timestamptz IS NULL OR occurred_at < $5) AND ($6::bigint IS NULL OR id < $6)
     ORDER BY id DESC LIMIT $7`,
    [
      f.childId ?? null,
      f.actorUsername ?? null,
      f.action ?? null,
      f.from ?? null,
      f.to ?? null,
      f.beforeId ?? null,
      f.limit,
    ],
  );
}

export async function countAuditEvents(db: Db): Promise<number> {
  const rows = await select<{ n: string }>(db, 'SELECT count(*) AS n FROM audit_events');
  return Number(rows[0].n);
}
