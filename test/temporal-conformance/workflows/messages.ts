import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ConformanceActivities } from '../activities';

export const addSignal = defineSignal<[string]>('add');
export const finishSignal = defineSignal('finish');
export const itemsQuery = defineQuery<string[]>('items');
export const countTimesQuery = defineQuery<number, [number]>('countTimes');
export const addItemUpdate = defineUpdate<number, [string]>('addItem');
export const slowAddUpdate = defineUpdate<string, [string, string]>('slowAdd');
/** Accepted only if every named item is already on the list (its validator checks); returns the list. */
export const requireItemsUpdate = defineUpdate<string[], [string[]]>('requireItems');

/** Collects `add` signals until it has `expected` of them. */
export async function collectSignals(expected: number): Promise<string[]> {
  const items: string[] = [];
  setHandler(addSignal, (item) => void items.push(item));
  setHandler(itemsQuery, () => items);
  await condition(() => items.length >= expected);
  return items;
}

/**
 * A shopping list: `add` signals and `addItem` updates append items (the update validator
 * refuses empty items, the handler fails for "boom"); `slowAdd` runs an activity first;
 * `finish` ends the workflow with the list.
 */
export async function shoppingList(): Promise<string[]> {
  const { blockUntilReleased } = proxyActivities<ConformanceActivities>({
    startToCloseTimeout: '60s',
    heartbeatTimeout: '5s',
  });
  const items: string[] = [];
  let finished = false;
  setHandler(addSignal, (item) => void items.push(item));
  setHandler(finishSignal, () => void (finished = true));
  setHandler(itemsQuery, () => items);
  setHandler(countTimesQuery, (factor) => items.length * factor);
  setHandler(
    addItemUpdate,
    (item) => {
      if (item === 'boom')
        throw ApplicationFailure.create({
          message: 'the handler refused boom',
          type: 'UpdateBoom',
          nonRetryable: true,
        });
      items.push(item);
      return items.length;
    },
    {
      validator: (item) => {
        if (item === '') throw new Error('item must not be empty');
      },
    },
  );
  setHandler(requireItemsUpdate, () => [...items], {
    validator: (wanted) => {
      const missing = wanted.filter((item: string) => !items.includes(item));
      if (missing.length) throw new Error(`not on the list yet: ${missing.join(', ')}`);
    },
  });
  setHandler(slowAddUpdate, async (item, gateKey) => {
    const note = await blockUntilReleased(gateKey);
    items.push(item);
    return note;
  });
  await condition(() => finished && allHandlersFinished());
  return items;
}
