import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from './activities';
import { workflowBundle } from './support/bundle';
import { startConformanceEnv, teardownEnv, unique, withWorker } from './support/env';
import { eventsOfType, ExecutionLog, waitForEvent } from './support/history';
import { ActivityProbe } from './support/probe';
import { addItemUpdate, finishSignal, itemsQuery, manyTimersAtOnce, shoppingList } from './workflows';

const probe = new ActivityProbe();
let env: TestWorkflowEnvironment;
const versions: Record<'v1' | 'v2' | 'v3', { codePath: string }> = {} as never;

beforeAll(async () => {
  env = await startConformanceEnv();
  for (const v of ['v1', 'v2', 'v3'] as const)
    versions[v] = await workflowBundle(require.resolve(`./workflows/patching/${v}`));
});
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
