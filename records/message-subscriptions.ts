/**
 * Message and signal subscriptions of running instances (table event_subscriptions, migration
 * 0016) and the messages kept alive for them (table messages), as Camunda 8 correlates them.
 * Written by the workflow (graphs of semantics 2) as it opens and closes its waits; read by
 * publishing a message (engine-client/publish-message.ts). Opening a message subscription takes a
 * message still alive with the same name and key that has not reached this process yet, at most
 * one per process, as Camunda 8 correlates buffered messages.
 */
import { inTransaction, select, type Db } from './sql';

/** Serialises correlation of one message name and key between publishers and new subscriptions. */
export const CORRELATION_LOCK_NAMESPACE = 727_000_016;

/** Holds the correlation lock of a message name and key until `tx` ends. */
export async function lockCorrelation(tx: Db, name: string, correlationKey: string | null): Promise<void> {
  if (!tx.transaction) throw new Error('the correlation lock needs a transaction');
  await tx.sequelize.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', {
    bind: [CORRELATION_LOCK_NAMESPACE, `${name}\u0000${correlationKey ?? ''}`],
    transaction: tx.transaction,
  });
}

export interface NewSubscription {
  processInstanceId: string;
  waitId: string;
  kind: 'message' | 'signal';
  processKey: string;
  name: string;
  correlationKey: string | null;
  elementId: string;
}

/**
 * Opens a subscription; for a message, returns the variables of the buffered message it takes
 * (null when none). Idempotent: a second run of the activity takes no second message.
 */
export function openSubscriptionRow(
  db: Db,
  s: NewSubscription,
): Promise<{ variables: Record<string, unknown> } | null> {
  return inTransaction(db, async (tx) => {
    if (s.kind === 'message') await lockCorrelation(tx, s.name, s.correlationKey);
    const inserted = await select<{ waitId: string }>(
      tx,
      `INSERT INTO event_subscriptions (process_instance_id, wait_id, kind, process_key, name, correlation_key, element_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (process_instance_id, wait_id) DO NOTHING RETURNING wait_id`,
      [s.processInstanceId, s.waitId, s.kind, s.processKey, s.name, s.correlationKey, s.elementId],
    );
    // A second run of this activity must not take a second message: only the first insert looks.
    if (inserted.length === 0 || s.kind !== 'message') return null;
    const rows = await select<{ key: string; variables: Record<string, unknown> }>(
      tx,
      `UPDATE messages SET correlated_processes = array_append(correlated_processes, $3)
       WHERE key = (SELECT key FROM messages WHERE name = $1 AND correlation_key = $2 AND expires_at > now()
                      AND NOT ($3 = ANY(correlated_processes)) ORDER BY key LIMIT 1 FOR UPDATE)
       RETURNING key::text AS key, variables`,
      [s.name, s.correlationKey ?? '', s.processKey],
    );
    return rows[0] ? { variables: rows[0].variables } : null;
  });
}

export async function closeSubscriptionRow(db: Db, c: { processInstanceId: string; waitId: string }): Promise<void> {
  await select(
    db,
    'DELETE FROM event_subscriptions WHERE process_instance_id = $1 AND wait_id = $2 RETURNING wait_id',
    [c.processInstanceId, c.waitId],
  );
}

/** A message with this id, name and key is still alive (a publish of it again is a duplicate). */
export async function messageAlive(db: Db, name: string, correlationKey: string, messageId: string): Promise<boolean> {
  const rows = await select(
    db,
    `SELECT 1 AS alive FROM messages WHERE name = $1 AND correlation_key = $2 AND message_id = $3 AND expires_at > now()`,
    [name, correlationKey, messageId],
  );
  return rows.length > 0;
}

/**
 * The oldest open message subscription of each process for a name and key (Camunda: a message
 * reaches a process once), of running instances other than `except`, ordered by process key.
 */
export async function oldestSubscriptionPerProcess(
  db: Db,
  name: string,
  correlationKey: string,
  except: string,
): Promise<Array<{ processInstanceId: string; processKey: string }>> {
  const rows = await select<{ processInstanceId: string; processKey: string }>(
    db,
    `SELECT DISTINCT ON (s.process_key) s.process_instance_id, s.process_key
       FROM event_subscriptions s JOIN process_instances i ON i.id = s.process_instance_id
      WHERE s.kind = 'message' AND s.name = $1 AND s.correlation_key = $2 AND s.process_instance_id <> $3
        AND i.status IN ('running', 'incident')
      ORDER BY s.process_key, s.created_at, s.wait_id`,
    [name, correlationKey, except],
  );
  return rows.sort((a, b) => a.processKey.localeCompare(b.processKey));
}

/** Running instances with an open subscription to the signal, by their oldest such subscription. */
export async function signalSubscribers(db: Db, name: string): Promise<string[]> {
  const rows = await select<{ processInstanceId: string }>(
    db,
    `SELECT s.process_instance_id FROM event_subscriptions s JOIN process_instances i ON i.id = s.process_instance_id
      WHERE s.kind = 'signal' AND s.name = $1 AND i.status IN ('running', 'incident')
      GROUP BY s.process_instance_id ORDER BY min(s.created_at), s.process_instance_id`,
    [name],
  );
  return rows.map((r) => r.processInstanceId);
}

export interface PublishedMessage {
  name: string;
  correlationKey: string;
  messageId: string | null;
  variables: Record<string, unknown>;
  publishedBy: number | null;
  timeToLiveMs: number;
  /** The processes it has reached (a subscription of one of them opened later does not take it). */
  correlatedProcesses: string[];
}

/** Records a published message (kept alive for its time to live); returns its key. */
export async function recordMessage(db: Db, m: PublishedMessage): Promise<string> {
  const rows = await select<{ key: string }>(
    db,
    `INSERT INTO messages (name, correlation_key, message_id, variables, published_by, expires_at, correlated_processes)
     VALUES ($1, $2, $3, $4::jsonb, $5, now() + $6::bigint * interval '1 millisecond', $7)
     RETURNING key::text AS key`,
    [
      m.name,
      m.correlationKey,
      m.messageId,
      JSON.stringify(m.variables),
      m.publishedBy,
      m.timeToLiveMs,
      m.correlatedProcesses,
    ],
  );
  return rows[0].key;
}
