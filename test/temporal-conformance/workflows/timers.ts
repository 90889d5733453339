import {
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';

/** Sleeps `ms` and returns the workflow-clock time that passed. */
export async function sleepAndReport(ms: number): Promise<number> {
  const started = Date.now();
  await sleep(ms);
  return Date.now() - started;
}

/** Starts a long timer and cancels it after a short one. */
export async function cancelTimer(): Promise<string> {
  const scope = new CancellationScope();
  const long = scope.run(() => sleep('1 hour'));
  await sleep(50);
  scope.cancel();
  try {
    await long;
    return 'long timer fired';
  } catch (err) {
    if (isCancellation(err)) return 'long timer cancelled';
    throw err;
  }
}

export const wakeSignal = defineSignal('wake');

/** Waits for `wake` up to `timeoutMs`; returns whether it came and how much workflow time passed. */
export async function waitForWake(timeoutMs: number): Promise<{ woken: boolean; elapsedMs: number }> {
  let woken = false;
  setHandler(wakeSignal, () => void (woken = true));
  const started = Date.now();
  const result = await condition(() => woken, timeoutMs);
  return { woken: result, elapsedMs: Date.now() - started };
}

/** A scope with a deadline cancels the long sleep inside it. */
export async function sleepInScopeWithTimeout(): Promise<string> {
  try {
    await CancellationScope.withTimeout(100, () => sleep('1 day'));
    return 'slept a day';
  } catch (err) {
    if (isCancellation(err)) return 'scope timed out';
    throw err;
  }
}

/** Starts `count` one-millisecond timers at once: one workflow task, a history of 2×count events. */
export async function manyTimersAtOnce(count: number): Promise<number> {
  await Promise.all(Array.from({ length: count }, () => sleep(1)));
  return count;
}

/** A timer with a summary (user metadata the server keeps on its TIMER_STARTED event). */
export async function summarisedTimer(): Promise<string> {
  await sleep(10, { summary: 'wait for the clinic letter' });
  return 'slept';
}

/**
 * Races an activity named `envSleep` (the test's worker gives it: it sleeps `activityMs` of server
 * time with the test environment's sleep) against a timer of `timerMs`; returns the winner.
 */
export async function raceActivityAndTimer(activityMs: number, timerMs: number): Promise<'activity' | 'timer'> {
  const { envSleep } = proxyActivities<{ envSleep(ms: number): Promise<void> }>({ startToCloseTimeout: '30 days' });
  const scope = new CancellationScope();
  const activity = scope.run(() => envSleep(activityMs)).then(() => 'activity' as const);
  const winner = await Promise.race([activity, sleep(timerMs).then(() => 'timer' as const)]);
  scope.cancel();
  return winner;
}
