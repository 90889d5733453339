/**
 * Message and signal subscriptions of running instances, written by the workflow (graphs of
 * semantics 2) as it opens and closes its waits (records/message-subscriptions.ts holds the
 * tables). Opening a message subscription takes a message still alive with the same name and key
 * that has not reached this process yet, as Camunda 8 correlates buffered messages.
 */
import type { Sequelize } from 'sequelize';
import { closeSubscriptionRow, openSubscriptionRow } from '../../records/message-subscriptions';
import type { BufferedMessageDelivery, OpenSubscriptionInput } from '../../workflows/contract';

export async function openSubscription(
  sequelize: Sequelize,
  s: OpenSubscriptionInput,
): Promise<BufferedMessageDelivery | null> {
  const message = await openSubscriptionRow({ sequelize }, s);
  return message ? { name: s.name, correlationKey: s.correlationKey ?? '', variables: message.variables } : null;
}

export async function closeSubscription(
  sequelize: Sequelize,
  c: { processInstanceId: string; waitId: string },
): Promise<void> {
  await closeSubscriptionRow({ sequelize }, c);
}
