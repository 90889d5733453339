import { ServiceError, WorkflowUpdateStage } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from './activities';
import { workflowBundle } from './support/bundle';
import { eventually, rejectionOf, startConformanceEnv, teardownEnv, unique, withWorker } from './support/env';
import { eventsOfType, eventTypes, ExecutionLog, waitForEvent } from './support/history';
import { ActivityProbe } from './support/probe';
import {
  addItemUpdate,
  finishSignal,
  buildIdQuery,
  itemsQuery,
  manyTimersAtOnce,
  reportBuildId,
  requireItemsUpdate,
  shoppingList,
} from './workflows';

const probe = new ActivityProbe();
let env: TestWorkflowEnvironment;
const versions: Record<'v1' | 'v2' | 'v3' | 'v2-unpatched', { codePath: string }> = {} as never;

beforeAll(async () => {
  env = await startConformanceEnv();
  for (const v of ['v1', 'v2', 'v3', 'v2-unpatched'] as const)
    versions[v] = await workflowBundle(require.resolve(`./workflows/patching/${v}`));
}, 180_000); // four webpack bundles the first time (cached on disk afterwards)
afterAll(async () => {
  await teardownEnv(env);
});

describe('patched() and deprecatePatch()', () => {
  const taskQueue = unique('patching');
  const ids = { v1: unique('started-on-v1'), v2: unique('started-on-v2'), v3: unique('started-on-v3') };
  const onVersion = <T>(v: keyof typeof versions, fn: () => Promise<T>) =>
    withWorker(env, { taskQueue, workflowBundle: versions[v], activities: createActivities(probe) }, fn);
  const handleOf = (id: string) => env.client.workflow.getHandle(id);

  test('an execution started on old code keeps the old path after the patch is deployed; new ones take the new path', async () => {
    await onVersion('v1', async () => {
      const handle = await env.client.workflow.start('patchedWorkflow', { taskQueue, workflowId: ids.v1 });
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED', 2); // past the sleep that v2 replaces
    });
    await onVersion('v2', async () => {
      const fresh = await env.client.workflow.start('patchedWorkflow', { taskQueue, workflowId: ids.v2 });
      await waitForEvent(fresh, 'WORKFLOW_TASK_COMPLETED', 2);
      await handleOf(ids.v1).signal('proceed');
      await fresh.signal('proceed');
      expect(await handleOf(ids.v1).result()).toBe('old path');
      expect(await fresh.result()).toBe('Hello, new path');
    });
    expect(await eventsOfType(handleOf(ids.v1), 'MARKER_RECORDED')).toHaveLength(0);
    const markers = await eventsOfType(handleOf(ids.v2), 'MARKER_RECORDED');
    expect(markers).toHaveLength(1);
    expect(markers[0].markerRecordedEventAttributes?.markerName).toBe('core_patch');
  });

  test('after deprecatePatch() new executions run without the old branch and patched histories still replay', async () => {
    await onVersion('v3', async () => {
      const handle = await env.client.workflow.start('patchedWorkflow', { taskQueue, workflowId: ids.v3 });
      await handle.signal('proceed');
      expect(await handle.result()).toBe('Hello, new path');
    });
    const log = new ExecutionLog();
    log.track(ids.v2);
    log.track(ids.v3);
    expect(await log.replayClosed(env.client, versions.v3)).toEqual({ replayed: 2, failures: [] });
  });

  test('the v1 execution replays with both v1 and v2 code', async () => {
    const log = new ExecutionLog();
    log.track(ids.v1);
    expect(await log.replayClosed(env.client, versions.v1)).toEqual({ replayed: 1, failures: [] });
    expect(await log.replayClosed(env.client, versions.v2)).toEqual({ replayed: 1, failures: [] });
  });
});

describe('a deploy that breaks determinism', () => {
  const taskQueue = unique('nondeterminism');
  const workflowId = unique('broken-by-deploy');
  const onVersion = <T>(v: keyof typeof versions, fn: () => Promise<T>) =>
    withWorker(env, { taskQueue, workflowBundle: versions[v], activities: createActivities(probe) }, fn);
  const handle = () => env.client.workflow.getHandle(workflowId);

  test('is reported as a workflow task failure with its cause, once; the retries write nothing', async () => {
    await onVersion('v1', async () => {
      const started = await env.client.workflow.start('patchedWorkflow', {
        taskQueue,
        workflowId,
        workflowTaskTimeout: '3s', // the unreported retries time out soon (and a loaded machine still reports attempt 1)
      });
      await waitForEvent(started, 'WORKFLOW_TASK_COMPLETED', 2); // past the sleep the unpatched v2 replaced
    });
    await onVersion('v2-unpatched', async () => {
      await handle().signal('proceed');
      await waitForEvent(handle(), 'WORKFLOW_TASK_FAILED');
      // The worker reports only a first attempt; later attempts time out and a real server writes nothing for them.
      await eventually(
        async () => expect((await handle().describe()).raw.pendingWorkflowTask?.attempt).toBeGreaterThanOrEqual(3),
        {
          timeoutMs: 40_000,
        },
      );
      const length = (await handle().describe()).historyLength;
      await new Promise((resolve) => setTimeout(resolve, 3500)); // another attempt times out
      expect((await handle().describe()).historyLength).toBe(length);
    });
    const failed = await eventsOfType(handle(), 'WORKFLOW_TASK_FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0].workflowTaskFailedEventAttributes?.cause).toBe(
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
    );
    expect(failed[0].workflowTaskFailedEventAttributes?.failure?.message).toMatch(/nondetermin/i);
    expect(await eventsOfType(handle(), 'WORKFLOW_TASK_TIMED_OUT')).toHaveLength(0);
  });

  test('queries and updates to it are refused at once while its task keeps failing', async () => {
    const refusedQuickly = async (promise: Promise<unknown>) => {
      const started = Date.now();
      const err = await rejectionOf(promise);
      expect(Date.now() - started).toBeLessThan(5000); // not a timeout
      expect(err).toBeInstanceOf(ServiceError);
      expect(String((err as ServiceError).cause)).toMatch(/Workflow Task in failed state/);
    };
    await refusedQuickly(handle().query('anything'));
    await refusedQuickly(
      env.client.workflow.getHandle<typeof shoppingList>(workflowId).executeUpdate(addItemUpdate, { args: ['milk'] }),
    );
  });

  test('redeploying the old code lets the next attempt complete; the history replays', async () => {
    await onVersion('v1', async () => {
      expect(await handle().result()).toBe('old path');
    });
    const types = await eventTypes(handle());
    expect(types.filter((t) => t === 'WORKFLOW_TASK_FAILED')).toHaveLength(1);
    // The attempt that completed was written with its scheduled and started events.
    const scheduled = await eventsOfType(handle(), 'WORKFLOW_TASK_SCHEDULED');
    expect(scheduled[scheduled.length - 1].workflowTaskScheduledEventAttributes?.attempt).toBeGreaterThanOrEqual(2);
    const log = new ExecutionLog();
    log.track(workflowId);
    expect(await log.replayClosed(env.client, versions.v1)).toEqual({ replayed: 1, failures: [] });
  });
});

describe('updates and the signals before them', () => {
  test("an update's validator sees every signal recorded before the workflow task that delivers it", async () => {
    const taskQueue = unique('update-order');
    const workflowId = unique('update-order');
    const worker = <T>(fn: () => Promise<T>) => withWorker(env, { taskQueue, activities: createActivities(probe) }, fn);
    await worker(async () => {
      const handle = await env.client.workflow.start(shoppingList, { taskQueue, workflowId });
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
    });
    // No worker: the first signal schedules a task, the second is recorded after it, before it starts.
    const handle = env.client.workflow.getHandle<typeof shoppingList>(workflowId);
    await handle.signal('add', 'A');
    await handle.signal('add', 'B');
    const update = handle.startUpdate(requireItemsUpdate, {
      args: [['A', 'B']],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the update is admitted before a worker comes
    await worker(async () => {
      expect(await (await update).result()).toEqual(['A', 'B']);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['A', 'B']);
    });
    const log = new ExecutionLog();
    log.track(workflowId);
    expect(await log.replayClosed(env.client, await workflowBundle())).toEqual({ replayed: 1, failures: [] });
  });
});

describe('sticky task queues', () => {
  const log = new ExecutionLog();

  test('a workflow cached by a worker that shut down is finished by a new worker', async () => {
    const taskQueue = unique('sticky');
    const workflowId = unique('sticky');
    log.track(workflowId);
    await withWorker(env, { taskQueue, activities: createActivities(probe) }, async () => {
      const handle = await env.client.workflow.start(shoppingList, { taskQueue, workflowId });
      expect(await handle.executeUpdate(addItemUpdate, { args: ['milk'] })).toBe(1);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['eggs'] })).toBe(2);
    });
    await withWorker(env, { taskQueue, activities: createActivities(probe) }, async () => {
      const handle = env.client.workflow.getHandle<typeof shoppingList>(workflowId);
      expect(await handle.executeUpdate(addItemUpdate, { args: ['flour'] })).toBe(3);
      expect(await handle.query(itemsQuery)).toEqual(['milk', 'eggs', 'flour']);
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['milk', 'eggs', 'flour']);
    });
  });

  test('a worker without a workflow cache gets full histories and finishes the same workflow', async () => {
    const taskQueue = unique('uncached');
    const workflowId = unique('uncached');
    log.track(workflowId);
    await withWorker(env, { taskQueue, maxCachedWorkflows: 0, activities: createActivities(probe) }, async () => {
      const handle = await env.client.workflow.start(shoppingList, { taskQueue, workflowId });
      for (const item of ['a', 'b', 'c']) await handle.executeUpdate(addItemUpdate, { args: [item] });
      await handle.signal(finishSignal);
      expect(await handle.result()).toEqual(['a', 'b', 'c']);
    });
  });

  test('a history longer than a page (> 1000 events) reaches a cacheless worker and the client whole', async () => {
    const taskQueue = unique('long-history');
    const workflowId = unique('long-history');
    log.track(workflowId);
    await withWorker(env, { taskQueue, maxCachedWorkflows: 0, activities: createActivities(probe) }, async () => {
      expect(await env.client.workflow.execute(manyTimersAtOnce, { taskQueue, workflowId, args: [520] })).toBe(520);
    });
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    expect(events.length).toBeGreaterThan(1040);
    expect(events.map((e) => Number(e.eventId))).toEqual(events.map((_, i) => i + 1));
  });

  test('every closed history of this describe replays', async () => {
    expect(await log.replayClosed(env.client, await workflowBundle())).toEqual({ replayed: 3, failures: [] });
  });
});

describe('build ids and worker deployments', () => {
  test("each completed workflow task records its worker's build id and deployment; a new worker replaying sees them", async () => {
    const taskQueue = unique('build-ids');
    const workflowId = unique('build-ids');
    // Unversioned deployment workers: any server hands them tasks without a current version being set.
    const onBuild = <T>(buildId: string, fn: () => Promise<T>) =>
      withWorker(
        env,
        {
          taskQueue,
          activities: createActivities(probe),
          workerDeploymentOptions: { version: { deploymentName: 'conformance', buildId }, useWorkerVersioning: false },
        },
        fn,
      );
    const handle = env.client.workflow.getHandle<typeof reportBuildId>(workflowId);
    await onBuild('build-a', async () => {
      await env.client.workflow.start(reportBuildId, { taskQueue, workflowId });
      await waitForEvent(handle, 'WORKFLOW_TASK_COMPLETED');
    });
    await onBuild('build-b', async () => {
      // The new worker rebuilds the run from history: the task it replays was completed by build-a.
      expect(await handle.query(buildIdQuery)).toEqual({ buildId: 'build-a', deploymentName: 'conformance' });
      await handle.signal(finishSignal);
      expect(await handle.result()).toBe('build-b');
    });
    const completed = (await eventsOfType(handle, 'WORKFLOW_TASK_COMPLETED')).map(
      (e) => e.workflowTaskCompletedEventAttributes,
    );
    expect(completed.map((a) => a?.workerVersion?.buildId)).toEqual(['build-a', 'build-b']);
    expect(completed.map((a) => a?.workerDeploymentName)).toEqual(['conformance', 'conformance']);
    // An unversioned worker has no deployment version and no versioning behavior on the run.
    expect(completed.map((a) => a?.deploymentVersion ?? null)).toEqual([null, null]);
    const info = (await handle.describe()).raw.workflowExecutionInfo;
    expect(info?.mostRecentWorkerVersionStamp?.buildId).toBe('build-b');
    expect(info?.workerDeploymentName).toBe('conformance');
    expect(info?.versioningInfo ?? null).toBeNull();
    // BuildIds lists every build id that completed a task ("unversioned:<id>" for workers not using versioning).
    for (const buildId of ['build-a', 'build-b'])
      await eventually(async () => {
        const found: string[] = [];
        for await (const w of env.client.workflow.list({ query: `BuildIds = "unversioned:${buildId}"` }))
          found.push(w.workflowId);
        expect(found).toContain(workflowId);
      });
    const log = new ExecutionLog();
    log.track(workflowId);
    expect(await log.replayClosed(env.client, await workflowBundle())).toEqual({ replayed: 1, failures: [] });
  });
});
