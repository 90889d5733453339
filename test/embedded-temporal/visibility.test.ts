import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTestTemporalEnv } from '../support/temporal-env';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTestTemporalEnv();
});
afterAll(async () => {
  await env?.teardown();
});

async function ids(query: string): Promise<string[]> {
  const out: string[] = [];
  for await (const w of env.client.workflow.list({ query, pageSize: 2 })) out.push(w.workflowId);
  return out.sort();
}

test('list and count filter by type, id, status, time and custom keyword attributes, with paging', async () => {
  const c = env.client.workflow;
  const t0 = new Date(Date.now() - 1000).toISOString();
  // Nobody polls this queue: the runs stay RUNNING until terminated.
  await c.start('counter', {
    taskQueue: 'idle',
    workflowId: 'vis-a',
    searchAttributes: { CustomKeywordField: ['red'] },
  });
  await c.start('counter', {
    taskQueue: 'idle',
    workflowId: 'vis-b',
    searchAttributes: { CustomKeywordField: ['blue'] },
  });
  await c.start('sleeper', { taskQueue: 'idle', workflowId: 'vis-c', args: [1] });
  await c.getHandle('vis-b').terminate('done');

  expect(await ids(`WorkflowType = 'counter'`)).toEqual(['vis-a', 'vis-b']);
  expect(await ids(`ExecutionStatus = 'Running'`)).toEqual(['vis-a', 'vis-c']);
  expect(await ids(`ExecutionStatus = 'Terminated' AND WorkflowId = 'vis-b'`)).toEqual(['vis-b']);
  expect(await ids(`CustomKeywordField = 'red'`)).toEqual(['vis-a']);
  expect(await ids(`StartTime > '${t0}' AND WorkflowId IN ('vis-a', 'vis-c')`)).toEqual(['vis-a', 'vis-c']);
  expect(await ids(`CloseTime IS NOT NULL`)).toEqual(['vis-b']);
  expect(await ids('')).toEqual(['vis-a', 'vis-b', 'vis-c']);
  expect((await c.count(`WorkflowType = 'counter'`)).count).toBe(2);
  const grouped = await c.count('GROUP BY ExecutionStatus');
  expect(grouped.count).toBe(3);
  // The SDK decodes group values with its legacy search-attribute converter, which yields lists.
  expect(grouped.groups.map((g) => [g.groupValues[0], g.count]).sort()).toEqual([
    [['Running'], 2],
    [['Terminated'], 1],
  ]);
  await expect(ids(`Bogus = 1`)).rejects.toMatchObject({
    cause: { details: 'invalid query: unknown search attribute Bogus' },
  });
});
