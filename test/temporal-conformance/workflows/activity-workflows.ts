import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { ConformanceActivities } from '../activities';
import { addSignal, itemsQuery } from './messages';

type ActivityName = keyof ConformanceActivities;

/** Runs one activity with the options the test chose; failures propagate and fail the workflow. */
export async function callActivity(
  activity: ActivityName,
  args: unknown[],
  options: ActivityOptions,
): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>(options);
  return await activities[activity](...args);
}

export const cancelActivitySignal = defineSignal('cancelActivity');

/** Starts a heartbeating activity and cancels it when signalled; reports how it ended. */
export async function cancelActivityOnSignal(key: string, heartbeatTimeout: Duration = '1s'): Promise<string> {
  const { heartbeatUntilCancelled } = proxyActivities<ConformanceActivities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 1 },
  });
  let cancelRequested = false;
  setHandler(cancelActivitySignal, () => void (cancelRequested = true));
  const scope = new CancellationScope();
  const running = scope.run(() => heartbeatUntilCancelled(key));
  await condition(() => cancelRequested);
  scope.cancel();
  try {
    await running;
    return 'activity finished';
  } catch (err) {
    if (isCancellation(err)) return 'activity cancelled';
    throw err;
  }
}

/** A local activity keeps the first workflow task open while the test sends signals. */
export async function signalsDuringLocalActivity(key: string, expected: number): Promise<string[]> {
  const { slowLocal } = proxyLocalActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  const received: string[] = [];
  setHandler(burstSignal, (value: string) => void received.push(value));
  setHandler(receivedQuery, () => received.length);
  await slowLocal(key, 1500);
  await condition(() => received.length >= expected);
  return received;
}

export const burstSignal = defineSignal<[string]>('burst');
export const receivedQuery = defineQuery<number>('received');

/**
 * Finishes in a workflow task that is kept in flight by a local activity: a signal sent meanwhile
 * must still be seen (the server refuses the completing task, the worker replays with the signal).
 * Returns the `burst` signals it saw.
 */
export async function completeWhileSignalled(key: string, holdMs: number): Promise<string[]> {
  const { slowLocal } = proxyLocalActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  const received: string[] = [];
  setHandler(burstSignal, (value: string) => void received.push(value));
  await sleep(10); // the first task is done: the run is cached on the worker
  await slowLocal(key, holdMs);
  return received;
}

/**
 * Collects `add` signals (answering the `items` query), doing `workMs` of local-activity work after
 * each batch, so that signals arriving every few ms keep a workflow task pending almost all the time.
 */
export async function busyCollector(key: string, expected: number, workMs: number): Promise<string[]> {
  const { slowLocal } = proxyLocalActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  const items: string[] = [];
  setHandler(addSignal, (item: string) => void items.push(item));
  setHandler(itemsQuery, () => items);
  for (let handled = 0; handled < expected;) {
    await condition(() => items.length > handled);
    handled = items.length;
    await slowLocal(key, workMs);
  }
  return items;
}

/** Calls `greet` with a name of `size` characters, made here so the start request stays small. */
export async function greetWithLargeInput(size: number): Promise<string> {
  const { greet } = proxyActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  return await greet('x'.repeat(size));
}
