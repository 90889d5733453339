import { condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const proceedSignal = defineSignal('proceed');

/** Version 1: sleeps briefly, then waits for `proceed`. */
export async function patchedWorkflow(): Promise<string> {
  let proceed = false;
  setHandler(proceedSignal, () => void (proceed = true));
  await sleep(10);
  await condition(() => proceed);
  return 'old path';
}
