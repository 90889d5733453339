/**
 * A newer move supersedes a transfer still in flight: its row is cancelled (transfer-rows.ts)
 * and its process instance is told with the `transferSuperseded` message (correlation key: the
 * child's NHS number), which its open task's message boundary event catches. An instance between
 * tasks (running an activity, retrying one) keeps the message for SUPERSEDED_MESSAGE_TTL_MS and
 * its next task's boundary event takes it at once. Repeating the message is harmless: an instance
 * that never waits for it lets it expire.
 */
import { publishMessage } from '../../engine-client/publish-message';
import type { CatalogueDeps } from '../deps';

export const TRANSFER_SUPERSEDED_MESSAGE = 'transferSuperseded';
/** Long enough to outlast an activity retrying through an outage between two tasks. */
export const SUPERSEDED_MESSAGE_TTL_MS = 7 * 24 * 3600 * 1000;

export async function tellSuperseded(
  deps: CatalogueDeps,
  nhsNumber: string,
  superseded: readonly string[],
  byInstance: string,
): Promise<void> {
  if (superseded.length === 0 || !deps.client) return;
  await publishMessage(
    { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
    {
      name: TRANSFER_SUPERSEDED_MESSAGE,
      correlationKey: nhsNumber,
      variables: { supersededBy: byInstance },
      sourceInstanceId: byInstance,
      timeToLiveMs: SUPERSEDED_MESSAGE_TTL_MS,
    },
    `${byInstance}/superseded`,
  );
}
