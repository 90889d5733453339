import { condition, defineSignal, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { ConformanceActivities } from '../../activities';

export const proceedSignal = defineSignal('proceed');

/** Version 2: new executions call an activity instead of sleeping; executions already past that point on v1 keep the old path. */
export async function patchedWorkflow(): Promise<string> {
  const { greet } = proxyActivities<ConformanceActivities>({ startToCloseTimeout: '10s' });
  let proceed = false;
  setHandler(proceedSignal, () => void (proceed = true));
  let result = 'old path';
  if (patched('greet-instead-of-sleep')) result = await greet('new path');
  else await sleep(10);
  await condition(() => proceed);
  return result;
}
