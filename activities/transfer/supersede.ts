/**
 * A newer move supersedes a transfer still in flight: its row is cancelled (transfer-rows.ts)
 * and its process instance is told with the `transferSuperseded` message (correlation key: the
 * child's NHS number), which its open task's message boundary event catches. Repeating the
 * message is harmless: an instance that no longer waits for it ignores it.
 */
import { publishMessage } from '../engine/publish-message';
import type { CatalogueDeps } from '../deps';

export const TRANSFER_SUPERSEDED_MESSAGE = 'transferSuperseded';

export async function tellSuperseded(deps: CatalogueDeps, nhsNumber: string, superseded: readonly string[], byInstance: string): Promise<void> {
  if (superseded.length === 0 || !deps.client) return;
  await publishMessage(
    { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
    { name: TRANSFER_SUPERSEDED_MESSAGE, correlationKey: nhsNumber, variables: { supersededBy: byInstance }, sourceInstanceId: byInstance },
    `${byInstance}/superseded`,
  );
}
