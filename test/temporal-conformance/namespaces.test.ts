import { randomUUID } from 'node:crypto';
import { ActivityCompletionError, ActivityNotFoundError, Client } from '@temporalio/client';
import { NamespaceNotFoundError, WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowBundle } from './support/bundle';
import { eventually, rejectionOf, startConformanceEnv, teardownEnv, unique, withWorker } from './support/env';
import { ExecutionLog } from './support/history';
import { blockForever, greetWithLargeInput, succeed } from './workflows';
import { createActivities } from './activities';
import { ActivityProbe } from './support/probe';
import { temporal } from '@temporalio/proto';
import { eventsOfType, eventTypes } from './support/history';

const EXTRA = 'conformance-extra';
const logs = { default: new ExecutionLog(), extra: new ExecutionLog() };
let env: TestWorkflowEnvironment;
let clients: { default: Client; extra: Client };

beforeAll(async () => {
  env = await startConformanceEnv({ namespace: EXTRA });
  clients = {
    default: new Client({ connection: env.connection, namespace: 'default' }),
    extra: new Client({ connection: env.connection, namespace: EXTRA }),
  };
});
afterAll(async () => {
  await teardownEnv(env);
});

test('both the default and the registered namespace are described', async () => {
  for (const namespace of ['default', EXTRA]) {
    const described = await env.connection.workflowService.describeNamespace({ namespace });
    expect(described.namespaceInfo?.name).toBe(namespace);
  }
  const err = await rejectionOf(
    env.connection.workflowService.describeNamespace({ namespace: unique('no-such-namespace') }),
  );
  expect((err as { code?: number }).code).toBe(5); // NOT_FOUND
});

/**
 * An activity task token as a real server writes it (temporal.server.api.token.v1.Task: 1 namespace
 * id, 2 workflow id, 3 run id, 4 scheduled event id, 5 attempt, 6 activity id), naming a run that
 * does not exist.
 */
function serverFormatToken(namespaceId: string): Uint8Array {
  const text = (field: number, value: string) => {
    const bytes = Buffer.from(value);
    return [field * 8 + 2, bytes.length, ...bytes];
  };
  return new Uint8Array([
    ...text(1, namespaceId),
    ...text(2, randomUUID()),
    ...text(3, randomUUID()),
    4 * 8,
    5, // scheduled event id 5
    5 * 8,
    1, // attempt 1
    ...text(6, '1'),
  ]);
}

test('a task token for a task that does not exist is NotFound; one of another namespace is refused', async () => {
  const idOf = async (namespace: string) =>
    (await env.connection.workflowService.describeNamespace({ namespace })).namespaceInfo?.id ?? '';
  const ownToken = serverFormatToken(await idOf('default'));
  expect(await rejectionOf(clients.default.activity.complete(ownToken, 'done'))).toBeInstanceOf(ActivityNotFoundError);
  expect(await rejectionOf(clients.default.activity.heartbeat(ownToken))).toBeInstanceOf(ActivityNotFoundError);
  const extraToken = serverFormatToken(await idOf(EXTRA));
  expect(await rejectionOf(clients.extra.activity.fail(extraToken, new Error('x')))).toBeInstanceOf(
    ActivityNotFoundError,
  );
  const crossed = await rejectionOf(clients.default.activity.complete(extraToken, 'done'));
  expect(crossed).toBeInstanceOf(ActivityCompletionError);
  expect(crossed.message).toBe('Operation requested with a token from a different namespace.');
  const unknownNamespace = serverFormatToken(randomUUID());
  expect(await rejectionOf(clients.default.activity.complete(unknownNamespace, 'done'))).toBeInstanceOf(
    NamespaceNotFoundError,
  );
});

test('payloads and memos over the limits the namespace advertises are refused at the door', async () => {
  const described = await env.connection.workflowService.describeNamespace({ namespace: 'default' });
  const blobLimit = Number(described.namespaceInfo?.limits?.blobSizeLimitError ?? 0);
  const memoLimit = Number(described.namespaceInfo?.limits?.memoSizeLimitError ?? 0);
  expect(blobLimit).toBeGreaterThan(0);
  expect(memoLimit).toBeGreaterThan(0);
  const taskQueue = unique('limits');
  const causeOf = async (call: Promise<unknown>) => {
    const err = await rejectionOf(call);
    return err.cause as { code?: number; details?: string };
  };
  const tooBig = 'x'.repeat(blobLimit + 1024);
  const start = await causeOf(
    clients.default.workflow.start(succeed, { taskQueue, workflowId: unique('too-big'), args: [tooBig] }),
  );
  expect(start).toEqual(expect.objectContaining({ code: 3, details: 'Blob data size exceeds limit.' }));
  const memo = await causeOf(
    clients.default.workflow.start(succeed, {
      taskQueue,
      workflowId: unique('big-memo'),
      args: ['small'],
      memo: { notes: 'm'.repeat(memoLimit + 1024) },
    }),
  );
  expect(memo).toEqual(expect.objectContaining({ code: 3, details: 'Memo size exceeds limit.' }));
  // A signal is checked the same way; the workflow it was meant for carries on.
  const workflowId = unique('big-signal');
  const handle = await clients.default.workflow.start(blockForever, { taskQueue, workflowId });
  const signal = await causeOf(handle.signal('anything', tooBig));
  expect(signal).toEqual(expect.objectContaining({ code: 3, details: 'Blob data size exceeds limit.' }));
  expect(await eventTypes(handle)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED']);
  await handle.terminate('test over');
});

test('an activity input over the advertised limit fails the workflow task (PAYLOADS_TOO_LARGE); the workflow stays open', async () => {
  const described = await env.connection.workflowService.describeNamespace({ namespace: 'default' });
  const blobLimit = Number(described.namespaceInfo?.limits?.blobSizeLimitError ?? 0);
  const taskQueue = unique('payload-limit');
  await withWorker(
    env,
    { taskQueue, namespace: 'default', activities: createActivities(new ActivityProbe()) },
    async () => {
      const handle = await clients.default.workflow.start(greetWithLargeInput, {
        taskQueue,
        workflowId: unique('large-input'),
        args: [blobLimit + 1024],
      });
      const failed = await eventually(async () => {
        const [event] = await eventsOfType(handle, 'WORKFLOW_TASK_FAILED');
        expect(event).toBeDefined();
        return event.workflowTaskFailedEventAttributes;
      });
      expect(failed?.cause).toBe(
        temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE,
      );
      expect(await eventsOfType(handle, 'ACTIVITY_TASK_SCHEDULED')).toHaveLength(0);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('test over');
    },
  );
});

test('GetSystemInfo answers with the server capabilities', async () => {
  const info = await env.connection.workflowService.getSystemInfo({});
  expect(info.capabilities).toBeTruthy();
  expect(info.capabilities?.signalAndQueryHeader).toBe(true);
});

test('the same workflow id runs independently in each namespace', async () => {
  const taskQueue = unique('namespaces');
  const workflowId = unique('same-id');
  await withWorker(env, { taskQueue, namespace: 'default' }, () =>
    withWorker(env, { taskQueue, namespace: EXTRA }, async () => {
      expect(await clients.default.workflow.execute(succeed, { taskQueue, workflowId, args: ['in default'] })).toBe(
        'in default',
      );
      expect(await clients.extra.workflow.execute(succeed, { taskQueue, workflowId, args: ['in extra'] })).toBe(
        'in extra',
      );
    }),
  );
  logs.default.track(workflowId);
  logs.extra.track(workflowId);
  expect((await clients.extra.workflow.getHandle(workflowId).describe()).status.name).toBe('COMPLETED');
  expect(await clients.extra.workflow.getHandle(workflowId).result()).toBe('in extra');
  expect(await clients.default.workflow.getHandle(workflowId).result()).toBe('in default');
});

test('a workflow started in one namespace is not found in the other', async () => {
  const taskQueue = unique('namespaces');
  const workflowId = unique('extra-only');
  await withWorker(env, { taskQueue, namespace: EXTRA }, async () => {
    expect(await clients.extra.workflow.execute(succeed, { taskQueue, workflowId, args: ['only here'] })).toBe(
      'only here',
    );
  });
  logs.extra.track(workflowId);
  expect(await rejectionOf(clients.default.workflow.getHandle(workflowId).describe())).toBeInstanceOf(
    WorkflowNotFoundError,
  );
});

test('every closed history of this file replays with the same workflow code', async () => {
  const bundle = await workflowBundle();
  const fromDefault = await logs.default.replayClosed(clients.default, bundle);
  const fromExtra = await logs.extra.replayClosed(clients.extra, bundle);
  expect([...fromDefault.failures, ...fromExtra.failures]).toEqual([]);
  expect(fromDefault.replayed + fromExtra.replayed).toBe(3);
});
