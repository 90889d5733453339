/**
 * Inbound events (table `inbound_events`, migration 0008; kinds extended by 0012): stored once
 * per sender event id (or content hash), with the endpoint's changes to the record, its audit
 * row and the BPMN message it publishes, which goes into the process outbox under the event's
 * id (records/process-outbox.ts) in the same transaction.
 */
import type { Actor } from './actor';
import { writeAudit } from './audit';
import { enqueueProcessCommand, findOutboxEntry } from './process-outbox';
import { inTransaction, select, selectOne, type Db } from './sql';

export const INBOUND_EVENT_KINDS = [
  'birth_notification',
  'address_change',
  'gp_change',
  'inbound_transfer',
  'immunisation',
  'screening_outcome',
  'appointment_outcome',
  'child_protection_alert',
  'death_notification',
] as const;
export type InboundEventKind = (typeof INBOUND_EVENT_KINDS)[number];

export interface NewInboundEvent {
  id: string;
  kind: InboundEventKind;
  sourceEventId: string | null;
  contentHash: string;
  nhsNumber: string;
  childId: string | null;
  payload: unknown;
  routing: Record<string, unknown>;
  messageName: string;
  messageVariables: Record<string, unknown>;
  receivedBy: number | null;
}

export interface InboundEvent extends NewInboundEvent {
  dedupeKey: string;
  receivedAt: Date;
}

export function dedupeKeyOf(e: { sourceEventId: string | null; contentHash: string }): string {
  return e.sourceEventId !== null ? `id:${e.sourceEventId}` : `hash:${e.contentHash}`;
}

const COLUMNS = `id, kind, source_event_id, content_hash, dedupe_key, nhs_number, child_id, payload, routing, message_name, message_variables,
  received_by, received_at`;

/** The stored event with this dedupe key, if any. */
export function findInboundEventByKey(db: Db, kind: InboundEventKind, dedupeKey: string): Promise<InboundEvent | null> {
  return selectOne<InboundEvent>(db, `SELECT ${COLUMNS} FROM inbound_events WHERE kind = $1 AND dedupe_key = $2`, [
    kind,
    dedupeKey,
  ]);
}

export function findInboundEvent(db: Db, id: string): Promise<InboundEvent | null> {
  return selectOne<InboundEvent>(db, `SELECT ${COLUMNS} FROM inbound_events WHERE id = $1`, [id]);
}

/** Inserts the event; false when an event with the same dedupe key exists (a concurrent repeat won). */
async function insertInboundEvent(db: Db, e: NewInboundEvent): Promise<boolean> {
  const rows = await select(
    db,
    `INSERT INTO inbound_events (id, kind, source_event_id, content_hash, dedupe_key, nhs_number, child_id, payload, routing, message_name, message_variables, received_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
    [
      e.id,
      e.kind,
      e.sourceEventId,
      e.contentHash,
      dedupeKeyOf(e),
      e.nhsNumber,
      e.childId,
      JSON.stringify(e.payload),
      JSON.stringify(e.routing),
      e.messageName,
      JSON.stringify(e.messageVariables),
      e.receivedBy,
    ],
  );
  return rows.length === 1;
}

export type StoredOrRepeat = { stored: true } | { stored: false; first: InboundEvent };

/**
 * Stores a new event with the endpoint's own changes to the record (`write`, in the same
 * transaction) and its audit row `event.<kind>`; the first copy when the same event was stored
 * by a concurrent request (nothing is written then).
 */
export async function receiveInboundEvent(
  db: Db,
  actor: Actor,
  e: NewInboundEvent,
  audit: { detail: Record<string, unknown> },
  write?: (tx: Db, eventId: string) => Promise<Record<string, unknown> | void>,
): Promise<StoredOrRepeat> {
  const stored = await inTransaction(db, async (tx) => {
    if (!(await insertInboundEvent(tx, e))) return false;
    const written = (await write?.(tx, e.id)) ?? {};
    await enqueueProcessCommand(
      tx,
      `event:${e.id}`,
      {
        kind: 'publish',
        // The event id is the message's key: a repeated delivery starts no second instance.
        publish: {
          name: e.messageName,
          correlationKey: e.nhsNumber,
          variables: e.messageVariables,
          sourceInstanceId: '',
          publishKey: e.id,
        },
      },
      e.id,
    );
    await writeAudit(tx, actor, {
      action: `event.${e.kind}`,
      entityType: 'inbound_event',
      entityId: e.id,
      childId: e.childId,
      detail: { ...audit.detail, ...written },
    });
    return true;
  });
  if (stored) return { stored: true };
  return { stored: false, first: (await findInboundEventByKey(db, e.kind, dedupeKeyOf(e)))! };
}

/** Whether the event's message has reached the engine, from its outbox row (same id). */
export async function publicationOf(
  db: Db,
  eventId: string,
): Promise<{ publishedAt: Date | null; publishAttempts: number }> {
  const entry = await findOutboxEntry(db, eventId);
  return { publishedAt: entry?.deliveredAt ?? null, publishAttempts: entry?.attempts ?? 0 };
}

/** One event as its sender or an administrator reads it back; it names a child, so the read is audited. */
export async function readInboundEvent(
  db: Db,
  actor: Actor,
  id: string,
): Promise<(InboundEvent & Awaited<ReturnType<typeof publicationOf>>) | null> {
  const e = await findInboundEvent(db, id);
  if (!e) return null;
  await writeAudit(db, actor, {
    action: 'event.read',
    entityType: 'inbound_event',
    entityId: e.id,
    childId: e.childId,
    detail: { kind: e.kind },
  });
  return { ...e, ...(await publicationOf(db, e.id)) };
}

/** The stored event with this id about this child, and the account that sent it (null when none matches). */
export function inboundEventSender(
  db: Db,
  id: string,
  nhsNumber: string,
): Promise<{ id: string; receivedBy: string | null } | null> {
  return selectOne(
    db,
    `SELECT e.id, s.username AS received_by FROM inbound_events e LEFT JOIN staff_users s ON s.id = e.received_by
     WHERE e.id = $1 AND e.nhs_number = $2`,
    [id, nhsNumber],
  );
}

/** A merge (children/merge.ts): the events received about the merged record (its address and GP changes among them) move to `into`. */
export async function moveInboundEventsOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(tx, 'UPDATE inbound_events SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return moved.length;
}
