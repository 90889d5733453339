import { status as grpcStatus } from '@grpc/grpc-js';
import type { Client } from '@temporalio/client';
import { toCanonicalString, type WorkerDeploymentVersion } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { eventually, rejectionOf, startConformanceEnv, teardownEnv, unique, withWorker } from './support/env';
import { eventsOfType, ExecutionLog, waitForEvent } from './support/history';
import { workflowBundle } from './support/bundle';
import {
  buildIdQuery,
  continueThenReportBuildId,
  finishSignal,
  parentOfReportBuildId,
  reportBuildId,
} from './workflows';

/**
 * Worker deployments (worker versioning), as a real server routes them: a versioned worker gets
 * tasks only for its version once that version is current or ramping (or a run is pinned to it);
 * a PINNED run stays on the version that completed its first task, an AUTO_UPGRADE run moves to
 * the current version at its next task. Public SDK only: workers with workerDeploymentOptions and
 * the raw WorkflowService deployment calls (the SDK 1.24 client has no wrapper for them).
 */
let env: TestWorkflowEnvironment;
const connections: NativeConnection[] = [];
const log = new ExecutionLog();

beforeAll(async () => {
  env = await startConformanceEnv();
});
afterAll(async () => {
  await teardownEnv(env);
  for (const c of connections) await c.close();
});

const Status = temporal.api.enums.v1.WorkerDeploymentVersionStatus;
const Behavior = temporal.api.enums.v1.VersioningBehavior;
const namespace = () => env.namespace ?? 'default';
const service = (): Client['workflowService'] => env.client.workflowService;

/** Each versioned worker polls on a connection of its own (as the SDK's own tests run them). */
async function connection(): Promise<NativeConnection> {
  const c = await NativeConnection.connect({ address: env.address });
  connections.push(c);
  return c;
}

/** Runs `fn` while one versioned worker per build id polls the task queue. */
async function withVersions<T>(
  taskQueue: string,
  versions: WorkerDeploymentVersion[],
  behavior: 'PINNED' | 'AUTO_UPGRADE',
  fn: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = versions;
  if (!first) return fn();
  return withWorker(
    env,
    {
      taskQueue,
      connection: await connection(),
      identity: `${first.buildId}@${taskQueue}`,
      workerDeploymentOptions: { useWorkerVersioning: true, version: first, defaultVersioningBehavior: behavior },
    },
    () => withVersions(taskQueue, rest, behavior, fn),
  );
}

const describeDeployment = (deploymentName: string) =>
  service().describeWorkerDeployment({ namespace: namespace(), deploymentName });

/** Waits until the server lists every version (they register by polling), then returns the describe answer. */
async function versionsVisible(deploymentName: string, versions: WorkerDeploymentVersion[]) {
  return eventually(async () => {
    const res = await describeDeployment(deploymentName);
    const listed = (res.workerDeploymentInfo?.versionSummaries ?? []).map((v) => v.version);
    expect(listed).toEqual(expect.arrayContaining(versions.map(toCanonicalString)));
    return res;
  });
}

async function setCurrent(version: WorkerDeploymentVersion, conflictToken?: Uint8Array) {
  return service().setWorkerDeploymentCurrentVersion({
    namespace: namespace(),
    deploymentName: version.deploymentName,
    version: toCanonicalString(version),
    conflictToken: conflictToken ?? (await describeDeployment(version.deploymentName)).conflictToken,
  });
}

async function setRamping(version: WorkerDeploymentVersion, percentage: number) {
  return service().setWorkerDeploymentRampingVersion({
    namespace: namespace(),
    deploymentName: version.deploymentName,
    version: toCanonicalString(version),
    percentage,
    conflictToken: (await describeDeployment(version.deploymentName)).conflictToken,
  });
}

/** A fresh workflow id, its history replayed at the end of the file. */
function tracked(prefix: string): string {
  const id = unique(prefix);
  log.track(id);
  return id;
}

const versionsOf = (deploymentName: string) => ({
  v1: { deploymentName, buildId: '1.0' },
  v2: { deploymentName, buildId: '2.0' },
});

test('a versioned worker gets no task until its version is current; a pinned run stays on its version, new runs take the new current one', async () => {
  const taskQueue = unique('deploy-pinned');
  const { v1, v2 } = versionsOf(unique('deploy-pinned'));
  await withVersions(taskQueue, [v1, v2], 'PINNED', async () => {
    const visible = await versionsVisible(v1.deploymentName, [v1, v2]);
    expect(visible.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion ?? null).toBeNull();
    expect(visible.workerDeploymentInfo?.versionSummaries?.map((v) => v.status)).toEqual([
      Status.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE,
      Status.WORKER_DEPLOYMENT_VERSION_STATUS_INACTIVE,
    ]);

    const first = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('pinned-a') });
    // No version is current: the unversioned workers would take it, and there are none.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await eventsOfType(first, 'WORKFLOW_TASK_STARTED')).toHaveLength(0);

    const madeCurrent = await setCurrent(v1, visible.conflictToken);
    expect(Buffer.from(madeCurrent.conflictToken ?? [])).not.toEqual(Buffer.from(visible.conflictToken ?? []));
    await waitForEvent(first, 'WORKFLOW_TASK_COMPLETED');
    expect(await first.query(buildIdQuery)).toEqual({ buildId: '1.0', deploymentName: v1.deploymentName });

    // A token from before that change is refused: the deployment moved on since it was read.
    const stale = await rejectionOf(setCurrent(v2, visible.conflictToken));
    expect((stale as { code?: number }).code).toBe(grpcStatus.FAILED_PRECONDITION);

    await setCurrent(v2);
    const second = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('pinned-b') });
    await waitForEvent(second, 'WORKFLOW_TASK_COMPLETED');
    await first.signal(finishSignal);
    await second.signal(finishSignal);
    expect(await first.result()).toBe('1.0');
    expect(await second.result()).toBe('2.0');

    const firstInfo = (await first.describe()).raw.workflowExecutionInfo;
    expect(firstInfo?.versioningInfo?.behavior).toBe(Behavior.VERSIONING_BEHAVIOR_PINNED);
    expect(firstInfo?.versioningInfo?.deploymentVersion?.buildId).toBe('1.0');
    const deployment = (await describeDeployment(v1.deploymentName)).workerDeploymentInfo;
    expect(deployment?.routingConfig?.currentDeploymentVersion?.buildId).toBe('2.0');
    expect(deployment?.routingConfig?.currentVersion).toBe(toCanonicalString(v2));
    const statusOf = (buildId: string) =>
      deployment?.versionSummaries?.find((v) => v.deploymentVersion?.buildId === buildId)?.status;
    expect(statusOf('2.0')).toBe(Status.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT);
    expect(statusOf('1.0')).not.toBe(Status.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT);
  });
});

test('an auto-upgrade run moves to the new current version at its next workflow task', async () => {
  const taskQueue = unique('deploy-auto');
  const { v1, v2 } = versionsOf(unique('deploy-auto'));
  await withVersions(taskQueue, [v1, v2], 'AUTO_UPGRADE', async () => {
    await versionsVisible(v1.deploymentName, [v1, v2]);
    await setCurrent(v1);
    const handle = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('auto') });
    await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
    await setCurrent(v2);
    await handle.signal(finishSignal);
    expect(await handle.result()).toBe('2.0');
    const completed = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED')).map(
      (e) => e.workflowTaskCompletedEventAttributes,
    );
    expect(completed.map((a) => a?.deploymentVersion?.buildId)).toEqual(['1.0', '2.0']);
    expect(completed.map((a) => a?.versioningBehavior)).toEqual([
      Behavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
      Behavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
    ]);
    const info = (await handle.describe()).raw.workflowExecutionInfo;
    expect(info?.versioningInfo?.behavior).toBe(Behavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE);
    expect(info?.versioningInfo?.deploymentVersion?.buildId).toBe('2.0');
  });
});

test('a ramping version at 100 % takes every new run, at 0 % none; the routing config says so', async () => {
  const taskQueue = unique('deploy-ramp');
  const { v1, v2 } = versionsOf(unique('deploy-ramp'));
  await withVersions(taskQueue, [v1, v2], 'PINNED', async () => {
    await versionsVisible(v1.deploymentName, [v1, v2]);
    await setCurrent(v1);
    const runThree = async () => {
      const results: string[] = [];
      for (let i = 0; i < 3; i++) {
        const handle = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('ramp') });
        await handle.signal(finishSignal);
        results.push(await handle.result());
      }
      return results;
    };
    const ramped = await setRamping(v2, 100);
    expect(ramped.previousPercentage ?? 0).toBe(0);
    const routing = (await describeDeployment(v1.deploymentName)).workerDeploymentInfo?.routingConfig;
    expect(routing?.rampingDeploymentVersion?.buildId).toBe('2.0');
    expect(routing?.rampingVersionPercentage).toBe(100);
    expect(routing?.currentDeploymentVersion?.buildId).toBe('1.0');
    expect(await runThree()).toEqual(['2.0', '2.0', '2.0']);

    expect((await setRamping(v2, 0)).previousPercentage).toBe(100);
    expect(await runThree()).toEqual(['1.0', '1.0', '1.0']);
  });
});

test('a pinned versioning override on start puts the run on that version whatever is current', async () => {
  const taskQueue = unique('deploy-override');
  const { v1, v2 } = versionsOf(unique('deploy-override'));
  await withVersions(taskQueue, [v1, v2], 'AUTO_UPGRADE', async () => {
    await versionsVisible(v1.deploymentName, [v1, v2]);
    await setCurrent(v2);
    const handle = await env.client.workflow.start(reportBuildId, {
      taskQueue,
      workflowId: tracked('override'),
      versioningOverride: { pinnedTo: v1 },
    });
    await handle.signal(finishSignal);
    expect(await handle.result()).toBe('1.0');
    const [started] = await eventsOfType(handle, 'WORKFLOW_EXECUTION_STARTED');
    const override = started.workflowExecutionStartedEventAttributes?.versioningOverride;
    expect(override?.pinned?.version?.buildId ?? override?.pinnedVersion).toMatch(/1\.0$/);
    const info = (await handle.describe()).raw.workflowExecutionInfo;
    expect(info?.versioningInfo?.versioningOverride?.pinned?.version?.buildId).toBe('1.0');
  });
});

test('deployments are listed, and a version is described with the task queues its workers poll', async () => {
  const taskQueue = unique('deploy-describe');
  const { v1 } = versionsOf(unique('deploy-describe'));
  await withVersions(taskQueue, [v1], 'PINNED', async () => {
    await versionsVisible(v1.deploymentName, [v1]);
    await setCurrent(v1);
    const listed = await eventually(async () => {
      const res = await service().listWorkerDeployments({ namespace: namespace() });
      const mine = res.workerDeployments?.find((d) => d.name === v1.deploymentName);
      expect(mine).toBeDefined();
      return mine!;
    });
    expect(listed.routingConfig?.currentDeploymentVersion?.buildId).toBe('1.0');
    expect(listed.currentVersionSummary?.deploymentVersion?.buildId).toBe('1.0');
    const described = await service().describeWorkerDeploymentVersion({
      namespace: namespace(),
      deploymentVersion: v1,
    });
    const info = described.workerDeploymentVersionInfo;
    expect(info?.deploymentVersion).toMatchObject(v1);
    expect(info?.status).toBe(Status.WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT);
    expect(info?.taskQueueInfos).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: taskQueue,
          type: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      ]),
    );
  });
  const unknown = await rejectionOf(describeDeployment(unique('no-such-deployment')));
  expect((unknown as { code?: number }).code).toBe(grpcStatus.NOT_FOUND);
});

test('a version whose workers poll (or polled within the last five minutes) cannot be deleted: FAILED_PRECONDITION, the version stays', async () => {
  const taskQueue = unique('deploy-delete');
  const { v1 } = versionsOf(unique('deploy-delete'));
  const deleteV1 = () =>
    service().deleteWorkerDeploymentVersion({ namespace: namespace(), deploymentVersion: v1, skipDrainage: true });
  await withVersions(taskQueue, [v1], 'PINNED', async () => {
    await versionsVisible(v1.deploymentName, [v1]);
    // Not current nor ramping (nothing is): only its live pollers keep it.
    const refused = await rejectionOf(deleteV1());
    expect((refused as { code?: number }).code).toBe(grpcStatus.FAILED_PRECONDITION);
    expect((refused as Error).message).toMatch(/active pollers/);
  });
  // The worker has shut down, but a real server remembers its pollers for five minutes.
  const afterShutdown = await rejectionOf(deleteV1());
  expect((afterShutdown as { code?: number }).code).toBe(grpcStatus.FAILED_PRECONDITION);
  const described = await service().describeWorkerDeploymentVersion({ namespace: namespace(), deploymentVersion: v1 });
  expect(described.workerDeploymentVersionInfo?.deploymentVersion).toMatchObject(v1);
});

test('a version that stops being current is DRAINING while runs are pinned to it, and is not deleted without skipDrainage', async () => {
  const taskQueue = unique('deploy-drain');
  const { v1, v2 } = versionsOf(unique('deploy-drain'));
  const deleteV1 = (skipDrainage: boolean) =>
    service().deleteWorkerDeploymentVersion({ namespace: namespace(), deploymentVersion: v1, skipDrainage });
  await withVersions(taskQueue, [v1, v2], 'PINNED', async () => {
    await versionsVisible(v1.deploymentName, [v1, v2]);
    await setCurrent(v1);
    const pinned = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('drain') });
    await waitForEvent(pinned, 'WORKFLOW_TASK_COMPLETED');
    await setCurrent(v2);

    const info = await eventually(async () => {
      const res = await service().describeWorkerDeploymentVersion({ namespace: namespace(), deploymentVersion: v1 });
      expect(res.workerDeploymentVersionInfo?.status).toBe(Status.WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING);
      return res.workerDeploymentVersionInfo;
    });
    expect(info?.drainageInfo?.status).toBe(
      temporal.api.enums.v1.VersionDrainageStatus.VERSION_DRAINAGE_STATUS_DRAINING,
    );
    expect(info?.lastDeactivationTime).toBeTruthy();

    // Drainage is checked first; with skipDrainage the next check (its live pollers) refuses it.
    const draining = await rejectionOf(deleteV1(false));
    expect((draining as { code?: number }).code).toBe(grpcStatus.FAILED_PRECONDITION);
    expect((draining as Error).message).toMatch(/cannot be deleted since it is draining/);
    const polled = await rejectionOf(deleteV1(true));
    expect((polled as { code?: number }).code).toBe(grpcStatus.FAILED_PRECONDITION);
    expect((polled as Error).message).toMatch(/active pollers/);

    await pinned.signal(finishSignal);
    expect(await pinned.result()).toBe('1.0');
  });
});

test('DescribeTaskQueue lists the recent pollers with their identity, last access time and deployment options', async () => {
  const taskQueue = unique('deploy-pollers');
  const { v1, v2 } = versionsOf(unique('deploy-pollers'));
  const before = Date.now();
  await withVersions(taskQueue, [v1, v2], 'PINNED', async () => {
    const pollers = await eventually(async () => {
      const res = await service().describeTaskQueue({
        namespace: namespace(),
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const listed = res.pollers ?? [];
      expect(listed.map((p) => p.identity)).toEqual(expect.arrayContaining([`1.0@${taskQueue}`, `2.0@${taskQueue}`]));
      return listed;
    });
    for (const version of [v1, v2]) {
      const poller = pollers.find((p) => p.identity === `${version.buildId}@${taskQueue}`);
      expect(poller?.deploymentOptions).toMatchObject({
        deploymentName: version.deploymentName,
        buildId: version.buildId,
        workerVersioningMode: temporal.api.enums.v1.WorkerVersioningMode.WORKER_VERSIONING_MODE_VERSIONED,
      });
      const lastAccess = Number(poller?.lastAccessTime?.seconds ?? 0) * 1000;
      expect(lastAccess).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 5000);
      expect(lastAccess).toBeLessThanOrEqual(Date.now() + 5000);
    }
  });
});

test('UpdateWorkflowExecutionOptions moves a pinned run to another version: recorded in history, shown by describe, honoured at the next workflow task', async () => {
  const taskQueue = unique('deploy-options');
  const { v1, v2 } = versionsOf(unique('deploy-options'));
  await withVersions(taskQueue, [v1, v2], 'PINNED', async () => {
    await versionsVisible(v1.deploymentName, [v1, v2]);
    await setCurrent(v1);
    const handle = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('options') });
    await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
    const update = () =>
      service().updateWorkflowExecutionOptions({
        namespace: namespace(),
        workflowExecution: { workflowId: handle.workflowId },
        workflowExecutionOptions: {
          versioningOverride: {
            pinned: {
              behavior:
                temporal.api.workflow.v1.VersioningOverride.PinnedOverrideBehavior.PINNED_OVERRIDE_BEHAVIOR_PINNED,
              version: v2,
            },
          },
        },
        updateMask: { paths: ['versioning_override'] },
        identity: 'options-test',
      });
    const res = await update();
    expect(res.workflowExecutionOptions?.versioningOverride?.pinned?.version).toMatchObject(v2);
    // A pinned override without its behavior is refused (and writes nothing).
    const malformed = await rejectionOf(
      service().updateWorkflowExecutionOptions({
        namespace: namespace(),
        workflowExecution: { workflowId: handle.workflowId },
        workflowExecutionOptions: { versioningOverride: { pinned: { version: v1 } } },
        updateMask: { paths: ['versioning_override'] },
      }),
    );
    expect((malformed as { code?: number }).code).toBe(grpcStatus.INVALID_ARGUMENT);
    // The same options again change nothing: no second event.
    await update();
    const updated = await eventsOfType(handle, 'WORKFLOW_EXECUTION_OPTIONS_UPDATED');
    expect(updated).toHaveLength(1);
    const attrs = updated[0].workflowExecutionOptionsUpdatedEventAttributes;
    expect(attrs?.versioningOverride?.pinned?.version).toMatchObject(v2);
    expect(attrs?.identity).toBe('options-test');
    const info = (await handle.describe()).raw.workflowExecutionInfo;
    expect(info?.versioningInfo?.versioningOverride?.pinned?.version).toMatchObject(v2);

    await handle.signal(finishSignal);
    expect(await handle.result()).toBe('2.0');
    const completed = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED')).map(
      (e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId,
    );
    expect(completed[0]).toBe('1.0');
    expect(completed[completed.length - 1]).toBe('2.0');

    const closed = await rejectionOf(update());
    expect((closed as { code?: number }).code).toBe(grpcStatus.NOT_FOUND);
  });
});

test('a child and a continued run of a pinned run on the same task queue start on its version, not the new current one', async () => {
  const taskQueue = unique('deploy-inherit');
  const { v1, v2 } = versionsOf(unique('deploy-inherit'));
  await withVersions(taskQueue, [v1, v2], 'PINNED', async () => {
    await versionsVisible(v1.deploymentName, [v1, v2]);
    await setCurrent(v1);
    const parent = await env.client.workflow.start(parentOfReportBuildId, {
      taskQueue,
      workflowId: tracked('inherit-parent'),
    });
    log.track(`${parent.workflowId}-child`);
    const chain = await env.client.workflow.start(continueThenReportBuildId, {
      taskQueue,
      workflowId: tracked('inherit-continued'),
    });
    await waitForEvent(parent, 'WORKFLOW_TASK_COMPLETED');
    await waitForEvent(chain, 'WORKFLOW_TASK_COMPLETED');
    await setCurrent(v2);

    await parent.signal(finishSignal);
    await waitForEvent(parent, 'CHILD_WORKFLOW_EXECUTION_STARTED');
    const child = env.client.workflow.getHandle(`${parent.workflowId}-child`);
    await waitForEvent(child, 'WORKFLOW_TASK_COMPLETED');
    const [childStarted] = await eventsOfType(child, 'WORKFLOW_EXECUTION_STARTED');
    expect(childStarted.workflowExecutionStartedEventAttributes?.inheritedPinnedVersion).toMatchObject(v1);
    await child.signal(finishSignal);
    expect(await parent.result()).toEqual(['1.0', '1.0']);

    await chain.signal(finishSignal);
    const next = env.client.workflow.getHandle(chain.workflowId);
    await eventually(async () => {
      const [started] = await eventsOfType(next, 'WORKFLOW_EXECUTION_STARTED');
      expect(started.workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
      expect(started.workflowExecutionStartedEventAttributes?.inheritedPinnedVersion).toMatchObject(v1);
    });
    await waitForEvent(next, 'WORKFLOW_TASK_COMPLETED');
    await next.signal(finishSignal);
    expect(await next.result()).toBe('1.0');

    // A run started now, with no pinned parent, takes the current version.
    const fresh = await env.client.workflow.start(reportBuildId, { taskQueue, workflowId: tracked('inherit-fresh') });
    await fresh.signal(finishSignal);
    expect(await fresh.result()).toBe('2.0');
  });
});

test('every closed history of this file replays with the same workflow code', async () => {
  expect(await log.replayClosed(env.client, await workflowBundle())).toEqual({ replayed: 16, failures: [] });
});
