import { temporal, type P } from '../proto';
import { timestamp } from '../time';
import { invalidArgument, notFound } from '../errors';
import type { Engine } from '../engine/engine';
import {
  UNVERSIONED,
  conflictToken,
  requestedBuildId,
  type DeploymentRecord,
  type VersionRecord,
} from '../engine/deployments';
import type { Handler } from './handler';

type WS = typeof temporal.api.workflowservice.v1;
type Req<K extends keyof WS> = WS[K] extends { create(p?: infer Q): unknown } ? P<NonNullable<Q>> : never;
type VersionSummary = P<temporal.api.deployment.v1.WorkerDeploymentInfo.IWorkerDeploymentVersionSummary>;
const Status = temporal.api.enums.v1.WorkerDeploymentVersionStatus;
const Drainage = temporal.api.enums.v1.VersionDrainageStatus;
const QueueType = temporal.api.enums.v1.TaskQueueType;
const COMPLETED = temporal.api.enums.v1.RoutingConfigUpdateState.ROUTING_CONFIG_UPDATE_STATE_COMPLETED;

const ts = (ms: number | undefined) => (ms === undefined ? undefined : timestamp(ms));
const versionString = (d: DeploymentRecord, buildId: string | undefined) =>
  buildId ? `${d.name}.${buildId}` : UNVERSIONED;
const deploymentVersion = (d: DeploymentRecord, buildId: string | undefined) =>
  buildId ? { deploymentName: d.name, buildId } : undefined;

/**
 * The worker deployment APIs (worker versioning) over engine/deployments.ts. A routing change
 * takes effect at once here (a real server propagates it to its task queue partitions), so
 * routingConfigUpdateState is always COMPLETED.
 */
export function deploymentHandlers(engine: Engine): Record<string, Handler> {
  const deployments = engine.deployments;
  const ns = (name: string | null | undefined) => engine.namespaces.get(name ?? '').name;

  const status = async (d: DeploymentRecord, v: VersionRecord) => {
    if (d.current === v.buildId) return { status: Status.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT };
    if (d.ramping === v.buildId) return { status: Status.WORKER_DEPLOYMENT_VERSION_STATUS_RAMPING };
    const drainage = await deployments.drainage(d.namespace, d.name, v.buildId, engine.clock.now());
    if (!drainage) return { status: Status.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE };
    const draining = drainage.status === 'draining';
    return {
      status: draining
        ? Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING
        : Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINED,
      drainage: draining ? Drainage.VERSION_DRAINAGE_STATUS_DRAINING : Drainage.VERSION_DRAINAGE_STATUS_DRAINED,
      drainageInfo: {
        status: draining ? Drainage.VERSION_DRAINAGE_STATUS_DRAINING : Drainage.VERSION_DRAINAGE_STATUS_DRAINED,
        lastChangedTime: timestamp(drainage.changedTime),
        lastCheckedTime: timestamp(drainage.checkedTime),
      },
    };
  };

  const summary = async (d: DeploymentRecord, v: VersionRecord): Promise<VersionSummary> => {
    const s = await status(d, v);
    return {
      version: versionString(d, v.buildId),
      deploymentVersion: deploymentVersion(d, v.buildId),
      status: s.status,
      drainageStatus: s.drainage,
      drainageInfo: s.drainageInfo,
      createTime: timestamp(v.createTime),
      currentSinceTime: ts(v.currentSinceTime),
      rampingSinceTime: ts(v.rampingSinceTime),
      routingUpdateTime: ts(v.routingChangedTime),
      firstActivationTime: ts(v.firstActivationTime),
      lastCurrentTime: ts(v.lastCurrentTime),
      lastDeactivationTime: ts(v.lastDeactivationTime),
    };
  };

  const routingConfig = (d: DeploymentRecord): P<temporal.api.deployment.v1.IRoutingConfig> => ({
    currentDeploymentVersion: deploymentVersion(d, d.current),
    currentVersion: versionString(d, d.current),
    rampingDeploymentVersion: deploymentVersion(d, d.ramping),
    rampingVersion: d.ramping ? versionString(d, d.ramping) : undefined,
    rampingVersionPercentage: d.ramping ? d.rampingPercentage : undefined,
    currentVersionChangedTime: ts(d.currentChangedTime),
    rampingVersionChangedTime: ts(d.rampingChangedTime),
    rampingVersionPercentageChangedTime: ts(d.rampingPercentageChangedTime),
    revisionNumber: d.revision,
  });

  const versionsByAge = (d: DeploymentRecord) => Object.values(d.versions).sort((a, b) => a.createTime - b.createTime);

  /** A version named by the deprecated string (`<deployment>.<build id>`) or by deployment_version. */
  const namedVersion = (
    version: string | null | undefined,
    dv: P<temporal.api.deployment.v1.IWorkerDeploymentVersion> | null | undefined,
  ): { deploymentName: string; buildId: string } => {
    if (dv?.deploymentName && dv.buildId) return { deploymentName: dv.deploymentName, buildId: dv.buildId };
    const dot = (version ?? '').indexOf('.');
    if (dot <= 0 || dot === version!.length - 1)
      throw invalidArgument('a worker deployment version is required (deployment name and build id)');
    return { deploymentName: version!.slice(0, dot), buildId: version!.slice(dot + 1) };
  };

  return {
    DescribeWorkerDeployment: async (r: Req<'DescribeWorkerDeploymentRequest'>) => {
      const d = deployments.describe(ns(r.namespace), r.deploymentName ?? '');
      return {
        conflictToken: conflictToken(d),
        workerDeploymentInfo: {
          name: d.name,
          createTime: timestamp(d.createTime),
          versionSummaries: await Promise.all(versionsByAge(d).map((v) => summary(d, v))),
          routingConfig: routingConfig(d),
          lastModifierIdentity: d.lastModifierIdentity,
          routingConfigUpdateState: COMPLETED,
        },
      };
    },
    ListWorkerDeployments: async (r: Req<'ListWorkerDeploymentsRequest'>) => {
      const list = deployments.list(ns(r.namespace)).sort((a, b) => a.createTime - b.createTime);
      return {
        workerDeployments: await Promise.all(
          list.map(async (d) => {
            const versions = versionsByAge(d);
            const latest = versions[versions.length - 1];
            return {
              name: d.name,
              createTime: timestamp(d.createTime),
              routingConfig: routingConfig(d),
              latestVersionSummary: latest && (await summary(d, latest)),
              currentVersionSummary: d.current ? await summary(d, d.versions[d.current]) : undefined,
              rampingVersionSummary: d.ramping ? await summary(d, d.versions[d.ramping]) : undefined,
            };
          }),
        ),
      };
    },
    DescribeWorkerDeploymentVersion: async (r: Req<'DescribeWorkerDeploymentVersionRequest'>) => {
      const { deploymentName, buildId } = namedVersion(r.version, r.deploymentVersion);
      const d = deployments.describe(ns(r.namespace), deploymentName);
      const v = d.versions[buildId];
      if (!v) throw notFound(`version ${deploymentName}.${buildId} not found`);
      const s = await summary(d, v);
      const queues = v.taskQueues.map((q) => ({
        name: q.name,
        type: q.kind === 'workflow' ? QueueType.TASK_QUEUE_TYPE_WORKFLOW : QueueType.TASK_QUEUE_TYPE_ACTIVITY,
      }));
      return {
        workerDeploymentVersionInfo: {
          version: s.version,
          deploymentVersion: s.deploymentVersion,
          deploymentName: d.name,
          status: s.status,
          createTime: s.createTime,
          routingChangedTime: s.routingUpdateTime,
          currentSinceTime: s.currentSinceTime,
          rampingSinceTime: s.rampingSinceTime,
          firstActivationTime: s.firstActivationTime,
          lastCurrentTime: s.lastCurrentTime,
          lastDeactivationTime: s.lastDeactivationTime,
          rampPercentage: d.ramping === buildId ? d.rampingPercentage : 0,
          taskQueueInfos: queues,
          drainageInfo: s.drainageInfo,
        },
        versionTaskQueues: queues,
      };
    },
    SetWorkerDeploymentCurrentVersion: async (r: Req<'SetWorkerDeploymentCurrentVersionRequest'>) => {
      const name = r.deploymentName ?? '';
      const { previous, deployment } = await deployments.setCurrent(
        ns(r.namespace),
        name,
        requestedBuildId(name, r.buildId, r.version),
        r.conflictToken,
        r.identity ?? '',
        engine.clock.now(),
      );
      return {
        conflictToken: conflictToken(deployment),
        previousVersion: versionString(deployment, previous),
        previousDeploymentVersion: deploymentVersion(deployment, previous),
      };
    },
    SetWorkerDeploymentRampingVersion: async (r: Req<'SetWorkerDeploymentRampingVersionRequest'>) => {
      const name = r.deploymentName ?? '';
      const buildId = requestedBuildId(name, r.buildId, r.version);
      const { previous, previousPercentage, deployment } = await deployments.setRamping(
        ns(r.namespace),
        name,
        buildId,
        buildId ? (r.percentage ?? 0) : 0,
        r.conflictToken,
        r.identity ?? '',
        engine.clock.now(),
      );
      return {
        conflictToken: conflictToken(deployment),
        previousVersion: previous ? versionString(deployment, previous) : undefined,
        previousDeploymentVersion: deploymentVersion(deployment, previous),
        previousPercentage,
      };
    },
    DeleteWorkerDeploymentVersion: async (r: Req<'DeleteWorkerDeploymentVersionRequest'>) => {
      const { deploymentName, buildId } = namedVersion(r.version, r.deploymentVersion);
      await deployments.deleteVersion(ns(r.namespace), deploymentName, buildId, !!r.skipDrainage, engine.clock.now());
      return {};
    },
    DeleteWorkerDeployment: async (r: Req<'DeleteWorkerDeploymentRequest'>) => {
      await deployments.deleteDeployment(ns(r.namespace), r.deploymentName ?? '');
      return {};
    },
  };
}
