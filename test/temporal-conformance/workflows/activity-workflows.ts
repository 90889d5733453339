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
import type { ConformanceActivities } from '../activities';

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
export async function cancelActivityOnSignal(key: string): Promise<string> {
  const { heartbeatUntilCancelled } = proxyActivities<ConformanceActivities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '1s',
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
