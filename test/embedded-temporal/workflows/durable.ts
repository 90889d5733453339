import * as wf from '@temporalio/workflow';
import type * as activities from '../activities';

const acts = wf.proxyActivities<typeof activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '100ms', maximumInterval: '1s' },
});

export const go = wf.defineSignal<[string]>('go');
export const bump = wf.defineUpdate<number, [number]>('bump');

/** Activity, timer, signal and update steps that must all survive a server SIGKILL. */
export async function durableSteps(timerMs: number): Promise<string> {
  const parts: string[] = [];
  let signalled = '';
  let total = 0;
  wf.setHandler(go, (v) => {
    signalled = v;
  });
  wf.setHandler(bump, (n) => {
    total += n;
    return total;
  });
  parts.push(await acts.slowEcho('a', 1500));
  await wf.sleep(timerMs);
  parts.push('timer');
  await wf.condition(() => signalled !== '');
  parts.push(signalled);
  await wf.condition(() => total >= 3);
  parts.push(`total=${total}`);
  return parts.join(',');
}
