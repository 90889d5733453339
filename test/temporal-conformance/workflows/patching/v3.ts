import { condition, defineSignal, deprecatePatch, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ConformanceActivities } from '../../activities';

export const proceedSignal = defineSignal('proceed');

/** Version 3: every v1 execution has closed, so the patch is deprecated and only the new path remains. */
export async function patchedWorkflow(): Promise<string> {
  const { greet } = proxyActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  let proceed = false;
  setHandler(proceedSignal, () => void (proceed = true));
  deprecatePatch('greet-instead-of-sleep');
  const result = await greet('new path');
  await condition(() => proceed);
  return result;
}
