/**
 * The process outbox (`process_outbox`, migration 0018): what is to be started or messaged in
 * the process engine, written in the transaction of the change that calls for it (so the change
 * and its process stand or fall together) and delivered by one relay with retries
 * (workers/process-outbox-relay.ts). Rows are keyed by their source, so a repeat writes nothing new.
 */
import { randomUUID } from 'node:crypto';
import { currentRequestId } from '../core/request-context';
import { select, selectOne, type Db } from './sql';

/** A BPMN message: signalled to the running instances of the correlation key, and starting message-start processes. */
export interface PublishCommand {
  name: string;
  correlationKey: string | null;
  variables: Record<string, unknown>;
  /** Keeps the message for an instance not waiting for it yet. */
  timeToLiveMs?: number;
  /** The publishing instance, which is never told its own message ('' when none). */
  sourceInstanceId: string;
  /** Fixes the ids of the instances the message starts, so a repeated delivery starts nothing new. */
  publishKey: string;
}

/** A process instance started on a given definition version, under a fixed workflow id. */
export interface StartCommand {
  workflowId: string;
  definitionId: number;
  businessKey: string | null;
  variables: Record<string, unknown>;
  startedBy: number | null;
  startEventId?: string;
}

/** A BPMN signal broadcast, planned and audited when written: exactly these instances and starts. */
export interface SignalCommand {
  name: string;
  variables: Record<string, unknown>;
  /** Running instances subscribed to the signal when it was broadcast. */
  instanceIds: string[];
  /** Definition versions with a signal start event of that name, and that start event. */
  starts: Array<{ definitionId: number; startEventId: string }>;
  /** Names the broadcast: the ids of the instances it starts derive from it, so a repeat starts nothing new. */
  broadcastKey: string;
}

export type ProcessCommand =
  | { kind: 'publish'; publish: PublishCommand }
  | { kind: 'start'; start: StartCommand }
  | { kind: 'signal'; signal: SignalCommand };

export interface DeliveryResult {
  /** Running instances signalled (publish, signal). */
  delivered: number;
  /** Instances started (publish, signal: by message or signal start events; start: 1, or 0 when it had started before). */
  started: number;
}

export interface OutboxEntry {
  id: string;
  idempotencyKey: string;
  command: ProcessCommand;
  createdAt: Date;
  deliveredAt: Date | null;
  attempts: number;
  lastError: string | null;
  result: DeliveryResult | null;
  /** The request that wrote the command; its delivery runs (and logs, and reaches the workflow) under that id. */
  requestId: string | null;
}

interface Row {
  id: string;
  idempotencyKey: string;
  kind: ProcessCommand['kind'];
  command: PublishCommand | StartCommand | SignalCommand;
  createdAt: Date;
  deliveredAt: Date | null;
  attempts: number;
  lastError: string | null;
  result: DeliveryResult | null;
  /** The request that wrote the command; its delivery runs (and logs, and reaches the workflow) under that id. */
  requestId: string | null;
}

const COLUMNS =
  'id, idempotency_key, kind, command, created_at, delivered_at, attempts, last_error, result, request_id';

function commandOf(r: Row): ProcessCommand {
  if (r.kind === 'publish') return { kind: 'publish', publish: r.command as PublishCommand };
  if (r.kind === 'signal') return { kind: 'signal', signal: r.command as SignalCommand };
  return { kind: 'start', start: r.command as StartCommand };
}

const entryOf = (r: Row): OutboxEntry => ({
  id: r.id,
  idempotencyKey: r.idempotencyKey,
  command: commandOf(r),
  createdAt: r.createdAt,
  deliveredAt: r.deliveredAt,
  attempts: r.attempts,
  lastError: r.lastError,
  result: r.result,
  requestId: r.requestId,
});

/**
 * Writes the command in the caller's transaction; a second write under the same key writes
 * nothing and answers the first row's id. `id` lets a source give the row its own id (an event's).
 */
export async function enqueueProcessCommand(
  tx: Db,
  idempotencyKey: string,
  command: ProcessCommand,
  id: string = randomUUID(),
): Promise<string> {
  const payload =
    command.kind === 'publish' ? command.publish : command.kind === 'signal' ? command.signal : command.start;
  const inserted = await selectOne<{ id: string }>(
    tx,
    `INSERT INTO process_outbox (id, idempotency_key, kind, command, request_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
    // The request being served, if any: a relay delivering the command later does so under its id.
    [id, idempotencyKey, command.kind, JSON.stringify(payload), currentRequestId() ?? null],
  );
  if (inserted) return inserted.id;
  return (await selectOne<{ id: string }>(tx, 'SELECT id FROM process_outbox WHERE idempotency_key = $1', [
    idempotencyKey,
  ]))!.id;
}

export async function findOutboxEntry(db: Db, id: string): Promise<OutboxEntry | null> {
  const row = await selectOne<Row>(db, `SELECT ${COLUMNS} FROM process_outbox WHERE id = $1`, [id]);
  return row ? entryOf(row) : null;
}

/** Locks an undelivered row for delivery (inside `tx`) unless another deliverer holds it. */
export async function claimForDelivery(tx: Db, id: string): Promise<OutboxEntry | null> {
  const row = await selectOne<Row>(
    tx,
    `SELECT ${COLUMNS} FROM process_outbox WHERE id = $1 AND delivered_at IS NULL FOR UPDATE SKIP LOCKED`,
    [id],
  );
  return row ? entryOf(row) : null;
}

export async function markDelivered(tx: Db, id: string, result: DeliveryResult): Promise<void> {
  await select(
    tx,
    `UPDATE process_outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL, result = $2
     WHERE id = $1 RETURNING id`,
    [id, JSON.stringify(result)],
  );
}

export async function markDeliveryFailed(db: Db, id: string, error: string): Promise<void> {
  await select(db, 'UPDATE process_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1 RETURNING id', [
    id,
    error.slice(0, 2000),
  ]);
}

/** Undelivered rows written before `olderThan`, oldest first (for the relay). */
export async function undeliveredIds(db: Db, olderThan: Date, limit: number): Promise<string[]> {
  const rows = await select<{ id: string }>(
    db,
    'SELECT id FROM process_outbox WHERE delivered_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2',
    [olderThan, limit],
  );
  return rows.map((r) => r.id);
}

/** Commands not delivered yet and the age of the oldest, for /metrics (the partial index holds only those). */
export async function processOutboxBacklog(
  db: Db,
): Promise<{ undelivered: number; oldestCreatedAt: Date | null; retrying: number }> {
  const row = await selectOne<{ undelivered: string; oldestCreatedAt: Date | null; retrying: string }>(
    db,
    `SELECT count(*) AS undelivered, min(created_at) AS oldest_created_at, count(*) FILTER (WHERE attempts > 0) AS retrying
     FROM process_outbox WHERE delivered_at IS NULL`,
  );
  return {
    undelivered: Number(row?.undelivered ?? 0),
    oldestCreatedAt: row?.oldestCreatedAt ?? null,
    retrying: Number(row?.retrying ?? 0),
  };
}
