import { HandlerUnfinishedPolicy } from '@temporalio/common';
import { condition, continueAsNew, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { ConformanceActivities } from '../activities';
import { addItemUpdate, finishSignal } from './messages';

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

/**
 * The first run holds its only workflow task with a local activity (`key`, `holdMs`), then
 * continues as new; the continued run takes `addItem` updates until `finish`. An update sent while
 * the first task is in flight arrives after the run has decided to continue.
 */
export async function continueWhileUpdated(key: string, holdMs: number, continued = false): Promise<string[]> {
  const items: string[] = [];
  let finished = false;
  setHandler(addItemUpdate, (item) => items.push(item));
  setHandler(finishSignal, () => void (finished = true));
  if (!continued) {
    const { slowLocal } = proxyLocalActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
    await slowLocal(key, holdMs);
    await continueAsNew<typeof continueWhileUpdated>(key, holdMs, true);
  }
  await condition(() => finished);
  return items;
}

/**
 * Takes `addItem` updates. With `holdMs` it holds its first workflow task with a local activity
 * (`key`) and then completes, so an update sent meanwhile is never accepted; without, it waits for
 * `finish`.
 */
export async function listThatMayCloseAtOnce(key: string, holdMs: number): Promise<string[]> {
  const items: string[] = [];
  let finished = false;
  setHandler(addItemUpdate, (item) => items.push(item));
  setHandler(finishSignal, () => void (finished = true));
  if (holdMs > 0) {
    const { slowLocal } = proxyLocalActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
    await slowLocal(key, holdMs);
    return items;
  }
  await condition(() => finished);
  return items;
}
