import { HandlerUnfinishedPolicy } from '@temporalio/common';
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { finishSignal } from './messages';

/** An update whose handler never finishes (it waits for a condition that never holds). */
export const waitForeverUpdate = defineUpdate<string, []>('waitForever');

/**
 * Accepts `waitForever` updates and completes on `finish` while their handlers still wait, so
 * the server must settle updates it accepted but the workflow never completed.
 */
export async function closesWithUpdateOpen(): Promise<string> {
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  setHandler(
    waitForeverUpdate,
    async () => {
      await condition(() => false);
      return 'never';
    },
    { unfinishedPolicy: HandlerUnfinishedPolicy.ABANDON },
  );
  await condition(() => finished);
  return 'closed with an update open';
}
