/**
 * Message and signal subscriptions of running instances (table event_subscriptions, migration
 * 0016), written by the workflow (graphs of semantics 2) as it opens and closes its waits.
 * Publishing a message looks them up (publish-message.ts). Opening a message subscription takes
 * a message still alive in `messages` with the same name and key that has not reached this
 * process yet, at most one per process, as Camunda 8 correlates buffered messages.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { BufferedMessageDelivery, OpenSubscriptionInput } from '../../workflows/messages';

/** Serialises correlation of one message name and key between publishers and new subscriptions. */
export const CORRELATION_LOCK_NAMESPACE = 727_000_016;

export async function openSubscription(
  sequelize: Sequelize,
  s: OpenSubscriptionInput,
): Promise<BufferedMessageDelivery | null> {
  return sequelize.transaction(async (transaction) => {
    if (s.kind === 'message')
      await sequelize.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', {
        bind: [CORRELATION_LOCK_NAMESPACE, `${s.name}\u0000${s.correlationKey ?? ''}`],
        transaction,
      });
    const inserted = await sequelize.query<{ wait_id: string }>(
      `INSERT INTO event_subscriptions (process_instance_id, wait_id, kind, process_key, name, correlation_key, element_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (process_instance_id, wait_id) DO NOTHING RETURNING wait_id`,
      {
        type: QueryTypes.SELECT,
        bind: [s.processInstanceId, s.waitId, s.kind, s.processKey, s.name, s.correlationKey, s.elementId],
        transaction,
      },
    );
    // A second run of this activity must not take a second message: only the first insert looks.
    if (inserted.length === 0 || s.kind !== 'message') return null;
    const rows = await sequelize.query<{ key: string; variables: Record<string, unknown> }>(
      `UPDATE messages SET correlated_processes = array_append(correlated_processes, $3)
       WHERE key = (SELECT key FROM messages WHERE name = $1 AND correlation_key = $2 AND expires_at > now()
                      AND NOT ($3 = ANY(correlated_processes)) ORDER BY key LIMIT 1 FOR UPDATE)
       RETURNING key::text AS key, variables`,
      { type: QueryTypes.SELECT, bind: [s.name, s.correlationKey ?? '', s.processKey], transaction },
    );
    const message = rows[0];
    return message ? { name: s.name, correlationKey: s.correlationKey ?? '', variables: message.variables } : null;
  });
}

export async function closeSubscription(
  sequelize: Sequelize,
  c: { processInstanceId: string; waitId: string },
): Promise<void> {
  await sequelize.query('DELETE FROM event_subscriptions WHERE process_instance_id = $1 AND wait_id = $2', {
    type: QueryTypes.DELETE,
    bind: [c.processInstanceId, c.waitId],
  });
}
