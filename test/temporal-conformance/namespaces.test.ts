import { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowBundle } from './support/bundle';
import { rejectionOf, startConformanceEnv, teardownEnv, unique, withWorker } from './support/env';
import { ExecutionLog } from './support/history';
import { succeed } from './workflows';

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
