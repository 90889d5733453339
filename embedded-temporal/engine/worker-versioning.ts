import { temporal, type P } from '../proto';
import type { ExecutionState, WorkerVersionState } from './state';
import { invalidArgument } from '../errors';
import { rampSlot, versionKey, type DeploymentRecord } from './deployments';
import type { QueuedTask } from './matching';

type Completion = P<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest>;
type CompletedAttributes = P<temporal.api.history.v1.IWorkflowTaskCompletedEventAttributes>;
const VERSIONED = temporal.api.enums.v1.WorkerVersioningMode.WORKER_VERSIONING_MODE_VERSIONED;
const PINNED = temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;
const AUTO_UPGRADE = temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE;
type Override = P<temporal.api.workflow.v1.IVersioningOverride>;
const PINNED_OVERRIDE =
  temporal.api.workflow.v1.VersioningOverride.PinnedOverrideBehavior.PINNED_OVERRIDE_BEHAVIOR_PINNED;
type DeploymentOptions = P<temporal.api.deployment.v1.IWorkerDeploymentOptions>;

/** The routing key of a worker's polls: its deployment version in versioned mode, else '' (unversioned). */
export function pollerVersionKey(options: DeploymentOptions | null | undefined): string {
  if (options?.workerVersioningMode !== VERSIONED || !options.deploymentName || !options.buildId) return '';
  return versionKey(options.deploymentName, options.buildId);
}

/**
 * The run's tasks go to this version whatever the routing config says: the version of a pinned
 * override, else the version of a worker that completed a task with the PINNED behavior.
 * Undefined: routed by the deployment's current (and ramping) version.
 */
export function pinnedVersionKey(s: ExecutionState): string | undefined {
  const o = s.versioningOverride;
  if (o) return o.pinned ? versionKey(o.pinned.deploymentName, o.pinned.buildId) : undefined;
  const v = s.worker?.versioned;
  return v && v.behavior === PINNED ? versionKey(v.deploymentName, v.buildId) : undefined;
}

/** A deployment version (deployment name and build id). */
export interface VersionRef {
  deploymentName: string;
  buildId: string;
}

/**
 * The version a new run started by this one (child, continue-as-new, retry) inherits, as a real
 * server decides it: the run's effective version while its effective behavior is PINNED (a pinned
 * override, else a PINNED worker), if the new run is in the same namespace and its task queue is
 * the run's own or one the version's workers poll.
 */
export function inheritedPinnedVersion(
  s: ExecutionState,
  target: { namespace: string; taskQueue: string },
  deployments: { get(namespace: string, name: string): DeploymentRecord | undefined },
): VersionRef | undefined {
  const o = s.versioningOverride;
  const v = o ? o.pinned : s.worker?.versioned?.behavior === PINNED ? s.worker.versioned : undefined;
  if (!v || target.namespace !== s.namespace) return undefined;
  const version = { deploymentName: v.deploymentName, buildId: v.buildId };
  if (target.taskQueue === s.taskQueue) return version;
  const polled = deployments
    .get(s.namespace, v.deploymentName)
    ?.versions[v.buildId]?.taskQueues.some((q) => q.kind === 'workflow' && q.name === target.taskQueue);
  return polled ? version : undefined;
}

/** A run started with an inherited pinned version is pinned to it until its first task completes. */
export function inheritedWorker(v: VersionRef | undefined): WorkerVersionState | undefined {
  return v ? { deploymentName: v.deploymentName, versioned: { ...v, behavior: PINNED } } : undefined;
}

/** Which version's workers a task of a deployment's queue goes to ('' = unversioned workers). */
export function routeTask(d: DeploymentRecord, pinned: string | undefined, workflowId: string): string {
  if (pinned !== undefined) return pinned;
  if (d.ramping && d.rampingPercentage > 0 && rampSlot(workflowId) < d.rampingPercentage)
    return versionKey(d.name, d.ramping);
  return d.current ? versionKey(d.name, d.current) : '';
}

export function routeQueuedTask(d: DeploymentRecord, task: QueuedTask): string {
  // The run key is namespace, workflow id and run id (execution.ts's runKey; not imported: engine.ts imports this file).
  return routeTask(d, task.pinned, task.key.split('\u0000')[1]);
}

/**
 * The structure checks a real server (1.29) makes on an override before using it, with its
 * messages (InvalidArgument).
 */
export function validateVersioningOverride(o: Override | null | undefined): void {
  if (!o || o.autoUpgrade) return;
  if (o.pinned) {
    if (!o.pinned.version) throw invalidArgument('must provide version if override is pinned.');
    if (!o.pinned.behavior) throw invalidArgument('must specify pinned override behavior if override is pinned.');
    return;
  }
  if (o.behavior === PINNED) {
    if (!o.deployment && !o.pinnedVersion)
      throw invalidArgument("must provide deployment (deprecated) or pinned version if behavior is 'PINNED'");
  } else if (o.behavior === AUTO_UPGRADE) {
    if (o.deployment) throw invalidArgument("only provide deployment if behavior is 'PINNED'");
    if (o.pinnedVersion) throw invalidArgument("only provide pinned version if behavior is 'PINNED'");
  } else if (!o.behavior) throw invalidArgument('override behavior is required');
  else throw invalidArgument(`override behavior ${o.behavior} not recognized`);
}

/**
 * A start's versioning override as the run keeps it, read from the current form (pinned /
 * auto_upgrade) or the deprecated one (behavior with a `<deployment>.<build id>` pinned_version).
 */
export function readVersioningOverride(o: Override | null | undefined): ExecutionState['versioningOverride'] {
  if (!o) return undefined;
  const version = o.pinned?.version;
  if (version) {
    if (!version.deploymentName || !version.buildId)
      throw invalidArgument('a pinned versioning override needs a deployment name and a build id');
    return { pinned: { deploymentName: version.deploymentName, buildId: version.buildId } };
  }
  if (o.autoUpgrade || o.behavior === AUTO_UPGRADE) return {};
  if (o.behavior === PINNED) {
    const dot = (o.pinnedVersion ?? '').indexOf('.');
    const d = o.deployment;
    if (d?.seriesName && d.buildId) return { pinned: { deploymentName: d.seriesName, buildId: d.buildId } };
    if (dot <= 0) throw invalidArgument('a pinned versioning override needs a version');
    return { pinned: { deploymentName: o.pinnedVersion!.slice(0, dot), buildId: o.pinnedVersion!.slice(dot + 1) } };
  }
  return undefined;
}

/**
 * The BuildIds search attribute as a real server keeps it: "unversioned" first while tasks are
 * completed by workers not using build-id versioning, then every build id seen
 * ("unversioned:<id>"), and "pinned:<deployment>:<build id>" while the run is pinned.
 */
export function updateBuildIds(s: ExecutionState): void {
  const w = s.worker;
  const stored = s.searchAttributes.BuildIds;
  const existing = Array.isArray(stored) ? (stored as string[]) : typeof stored === 'string' ? [stored] : [];
  const values: string[] = [];
  if (!w?.useVersioning) values.push('unversioned');
  const stamp = w?.buildId ? `${w.useVersioning ? 'versioned' : 'unversioned'}:${w.buildId}` : undefined;
  for (const v of existing)
    if (v !== 'unversioned' && !v.startsWith('assigned:') && !v.startsWith('pinned:')) values.push(v);
  if (stamp && !values.includes(stamp)) values.push(stamp);
  const pinned = pinnedVersionKey(s);
  if (pinned) values.push(`pinned:${pinned.replace('\u0000', ':')}`);
  if (values.length === existing.length && values.every((v, i) => v === existing[i])) return;
  s.searchAttributes = { ...s.searchAttributes, BuildIds: values };
  s.rawSearchAttributes = {
    indexedFields: {
      ...(s.rawSearchAttributes?.indexedFields ?? {}),
      BuildIds: {
        metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('KeywordList') },
        data: Buffer.from(JSON.stringify(values)),
      },
    },
  };
}

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
  const o = s.versioningOverride;
  if (!w && !o) return {};
  const versioned = w?.versioned;
  const override: Override | undefined = o
    ? o.pinned
      ? {
          pinned: { behavior: PINNED_OVERRIDE, version: o.pinned },
          behavior: PINNED,
          pinnedVersion: `${o.pinned.deploymentName}.${o.pinned.buildId}`,
        }
      : { autoUpgrade: true, behavior: AUTO_UPGRADE }
    : undefined;
  return {
    mostRecentWorkerVersionStamp: w?.buildId ? { buildId: w.buildId, useVersioning: w.useVersioning } : undefined,
    workerDeploymentName: w?.deploymentName,
    versioningInfo:
      versioned || override
        ? {
            behavior: versioned?.behavior,
            deploymentVersion: versioned
              ? { deploymentName: versioned.deploymentName, buildId: versioned.buildId }
              : undefined,
            versioningOverride: override,
          }
        : undefined,
  };
}

/** The override as the started event and describe carry it (current and deprecated fields). */
export function overrideForEvent(o: ExecutionState['versioningOverride']): Override | undefined {
  return (
    describeWorkerVersion({ versioningOverride: o } as ExecutionState).versioningInfo?.versioningOverride ?? undefined
  );
}
