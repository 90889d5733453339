import { condition, continueAsNew, defineQuery, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
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

/** Waits for `finish`, then runs reportBuildId as a child on its own task queue: [own build id, the child's]. */
export async function parentOfReportBuildId(): Promise<string[]> {
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  const child = await executeChild(reportBuildId, { workflowId: `${workflowInfo().workflowId}-child` });
  return [workflowInfo().currentBuildId ?? '', child];
}

/** Waits for `finish`, continues as new once, then waits for `finish` again: the build id of the last run's last task. */
export async function continueThenReportBuildId(continued = false): Promise<string> {
  if (continued) return reportBuildId();
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return continueAsNew<typeof continueThenReportBuildId>(true);
}
