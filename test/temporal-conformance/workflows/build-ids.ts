import { condition, defineQuery, setHandler, workflowInfo } from '@temporalio/workflow';
import { finishSignal } from './messages';

/** The build id and deployment of the worker the workflow code is running on, as workflowInfo() tells it. */
export const buildIdQuery = defineQuery<{ buildId: string; deploymentName: string }>('buildId');

/** Waits for `finish`; answers buildIdQuery at any time and returns the build id of its last task. */
export async function reportBuildId(): Promise<string> {
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  setHandler(buildIdQuery, () => ({
    buildId: workflowInfo().currentBuildId ?? '',
    deploymentName: workflowInfo().currentDeploymentVersion?.deploymentName ?? '',
  }));
  await condition(() => finished);
  return workflowInfo().currentBuildId ?? '';
}
