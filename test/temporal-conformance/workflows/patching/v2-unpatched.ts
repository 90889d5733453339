import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ConformanceActivities } from '../../activities';

export const proceedSignal = defineSignal('proceed');

/** Version 2 deployed without a patch gate: an execution that ran v1's sleep no longer replays (nondeterminism). */
export async function patchedWorkflow(): Promise<string> {
  const { greet } = proxyActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  let proceed = false;
  setHandler(proceedSignal, () => void (proceed = true));
  const result = await greet('new path');
  await condition(() => proceed);
  return result;
}
