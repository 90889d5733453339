import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

const acts = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '50ms', maximumAttempts: 5 },
});

export const increment = wf.defineSignal<[number]>('increment');
export const finish = wf.defineSignal('finish');
export const valueQuery = wf.defineQuery<number>('value');
export const addUpdate = wf.defineUpdate<number, [number]>('add');

export async function greet(name: string): Promise<string> {
  return await acts.greet(name);
}

export async function sleeper(ms: number): Promise<string> {
  await wf.sleep(ms);
  return 'slept';
}

/** Counts signals and updates until `finish`; answers the `value` query. */
export async function counter(): Promise<number> {
  let value = 0;
  let done = false;
  wf.setHandler(increment, (n) => {
    value += n;
  });
  wf.setHandler(finish, () => {
    done = true;
  });
  wf.setHandler(valueQuery, () => value);
  wf.setHandler(
    addUpdate,
    (n) => {
      value += n;
      return value;
    },
    {
      validator: (n) => {
        if (n < 0) throw new Error('negative');
      },
    },
  );
  await wf.condition(() => done);
  return value;
}

export async function flaky(failTimes: number): Promise<number> {
  return await acts.failUntil(failTimes);
}

export async function parent(name: string): Promise<string> {
  const child = await wf.executeChild(greet, { args: [name], workflowId: `${wf.workflowInfo().workflowId}-child` });
  return `parent(${child})`;
}

export async function looper(n: number): Promise<number> {
  if (n > 0) await wf.continueAsNew<typeof looper>(n - 1);
  return n;
}

export async function cancellable(): Promise<string> {
  try {
    await wf.sleep('1 day');
    return 'not cancelled';
  } catch (err) {
    if (wf.isCancellation(err)) return 'cancelled';
    throw err;
  }
}
