import { temporal, type P } from '../proto';
import type { ExecutionState, WorkerVersionState } from './state';

type Completion = P<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest>;
type CompletedAttributes = P<temporal.api.history.v1.IWorkflowTaskCompletedEventAttributes>;
const VERSIONED = temporal.api.enums.v1.WorkerVersioningMode.WORKER_VERSIONING_MODE_VERSIONED;

/**
 * What a real server writes on WorkflowTaskCompleted about the worker that completed it: its
 * version stamp (build id), its deployment name, and, for a worker in versioned mode only, its
 * deployment version and versioning behavior (an unversioned worker's behavior is dropped). SDK
 * core reads these back when it replays, so `workflowInfo().currentBuildId` and
 * `currentDeploymentVersion` name the worker that completed each task.
 */
export function completedTaskVersioning(r: Completion): CompletedAttributes {
  const options = r.deploymentOptions;
  const versioned = options?.workerVersioningMode === VERSIONED;
  return {
    workerVersion: r.workerVersionStamp,
    workerDeploymentName: options?.deploymentName || undefined,
    deploymentVersion: versioned ? { deploymentName: options?.deploymentName, buildId: options?.buildId } : undefined,
    versioningBehavior: versioned ? (r.versioningBehavior ?? undefined) : undefined,
  };
}

/** The run remembers the last completing worker's version (describe's mostRecentWorkerVersionStamp, versioningInfo). */
export function rememberWorkerVersion(s: ExecutionState, attrs: CompletedAttributes): void {
  const stamp = attrs.workerVersion;
  const behavior = attrs.versioningBehavior ?? 0;
  const version = attrs.deploymentVersion;
  const worker: WorkerVersionState = {
    buildId: stamp?.buildId || undefined,
    useVersioning: stamp?.useVersioning || undefined,
    deploymentName: attrs.workerDeploymentName || undefined,
    versioned:
      behavior && version
        ? { deploymentName: version.deploymentName ?? '', buildId: version.buildId ?? '', behavior }
        : undefined,
  };
  s.worker = worker.buildId || worker.deploymentName ? worker : undefined;
}

/** Describe's fields for the worker version a run last completed a task on. */
export function describeWorkerVersion(
  s: ExecutionState,
): Pick<
  P<temporal.api.workflow.v1.IWorkflowExecutionInfo>,
  'mostRecentWorkerVersionStamp' | 'workerDeploymentName' | 'versioningInfo'
> {
  const w = s.worker;
  if (!w) return {};
  return {
    mostRecentWorkerVersionStamp: w.buildId ? { buildId: w.buildId, useVersioning: w.useVersioning } : undefined,
    workerDeploymentName: w.deploymentName,
    versioningInfo: w.versioned
      ? {
          behavior: w.versioned.behavior,
          deploymentVersion: { deploymentName: w.versioned.deploymentName, buildId: w.versioned.buildId },
        }
      : undefined,
  };
}
