/**
 * The append-only audit trail (`audit_events`). Records modules write a row for every read and
 * change of a child's data inside the operation (in its transaction when it writes), so no
 * caller can forget it; a list read writes one row naming every child it returned
 * (`child_ids`, migration 0017).
 */
import type { Actor } from './actor';
import { select, selectOne, type Db } from './sql';

/** What happened, to which record; the actor adds who, from where and why. */
export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  childId?: string | null;
  /** The children a list read returned (one row for the whole list). */
  childIds?: readonly string[];
  /** Overrides the actor's stated reason (staff) or states one (processes). */
  reason?: string | null;
  detail?: Record<string, unknown>;
  /** For events before sign-in (failed logins): the username that was tried. */
  actorUsername?: string;
}

export interface AuditEvent {
  id: string;
  occurredAt: Date;
  actorId: number | null;
  actorUsername: string;
  action: string;
  entityType: string;
  entityId: string | null;
  childId: string | null;
  childIds: string[] | null;
  sourceIp: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
}

/** Writes the row with `db` (a change passes its transaction, so both commit together); returns its id. */
export async function writeAudit(db: Db, actor: Actor, e: AuditEntry): Promise<string> {
  const staff = actor.kind === 'staff';
  const detail = staff
    ? { ...(actor.request ? { method: actor.request.method, path: actor.request.path } : {}), ...e.detail }
    : { ...(actor.processInstanceId ? { processInstanceId: actor.processInstanceId } : {}), ...e.detail };
  const row = await selectOne<{ id: string }>(
    db,
    `INSERT INTO audit_events (actor_id, actor_username, action, entity_type, entity_id, child_id, child_ids, source_ip, reason, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      staff ? actor.id : null,
      staff ? (actor.id === null ? (e.actorUsername ?? actor.username) : actor.username) : actor.name,
      e.action,
      e.entityType,
      e.entityId ?? null,
      e.childId ?? null,
      e.childIds?.length ? [...new Set(e.childIds)] : null,
      staff ? actor.sourceIp : null,
      e.reason !== undefined ? e.reason : staff ? actor.accessReason : null,
      JSON.stringify(detail),
    ],
  );
  return row!.id;
}

export interface AuditFilter {
  /**
   * Rows about these records of one child (its own id and the ids of records merged into it,
   * whose rows keep their id: the trail is append-only), and list reads that named them.
   */
  childIds?: readonly string[];
  actorUsername?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Keyset: only events with a smaller id (the trail is read newest first). */
  beforeId?: string;
  limit: number;
}

/**
 * Newest first; ids grow with time, so the id alone is the cursor. The read is itself audited
 * with its filter (not naming children: the trail filtered by a child shows that child's
 * records, not who read the trail).
 */
export async function readAuditTrail(
  db: Db,
  actor: Actor,
  f: AuditFilter,
  filterForAudit: Record<string, unknown>,
): Promise<AuditEvent[]> {
  const events = await select<AuditEvent>(
    db,
    `SELECT id, occurred_at, actor_id, actor_username, action, entity_type, entity_id, child_id, child_ids, source_ip, reason, detail
     FROM audit_events
     WHERE ($1::bigint[] IS NULL OR child_id = ANY($1::bigint[]) OR child_ids && $1::bigint[]) AND ($2::text IS NULL OR actor_username = $2)
       AND ($3::text IS NULL OR action = $3) AND ($4::timestamptz IS NULL OR occurred_at >= $4)
       AND ($5::timestamptz IS NULL OR occurred_at < $5) AND ($6::bigint IS NULL OR id < $6)
     ORDER BY id DESC LIMIT $7`,
    [
      f.childIds ?? null,
      f.actorUsername ?? null,
      f.action ?? null,
      f.from ?? null,
      f.to ?? null,
      f.beforeId ?? null,
      f.limit,
    ],
  );
  await writeAudit(db, actor, { action: 'audit.read', entityType: 'audit', detail: { filter: filterForAudit } });
  return events;
}
