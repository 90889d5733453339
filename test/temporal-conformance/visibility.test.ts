import type { WorkflowExecutionInfo, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { workflowBundle } from './support/bundle';
import { createWorker, eventually, rejectionOf, startConformanceEnv, unique } from './support/env';
import { ExecutionLog, waitForEvent } from './support/history';
import { ActivityProbe } from './support/probe';
import {
  blockForever,
  childWithUndefinedAttribute,
  customerTierKey,
  failWith,
  succeed,
  summarisedTimer,
  upsertTier,
  upsertUndefinedAttribute,
} from './workflows';

const runKey = defineSearchAttributeKey('ConformanceRun', SearchAttributeType.KEYWORD);
const reviewDueKey = defineSearchAttributeKey('ReviewDue', SearchAttributeType.DATETIME);
const programmesKey = defineSearchAttributeKey('Programmes', SearchAttributeType.KEYWORD_LIST);
const log = new ExecutionLog();
const runTag = unique('run');
const taskQueue = unique('visibility');
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

/** The executions every query below is checked against, all tagged with this file's runTag. */
const ids = { gold: unique('gold'), silver: unique('silver'), failed: unique('failed'), upserted: unique('upserted') };
let boundary: string;
let blocked: WorkflowHandle;

beforeAll(async () => {
  env = await startConformanceEnv({ searchAttributes: [runKey, customerTierKey, reviewDueKey, programmesKey] });
  worker = await createWorker(env, { taskQueue, activities: createActivities(new ActivityProbe()) });
  running = worker.run();
  const tags = (tier?: string) => [
    { key: runKey, value: runTag },
    ...(tier ? [{ key: customerTierKey, value: tier }] : []),
  ];
  await env.client.workflow.execute(succeed, {
    taskQueue,
    workflowId: ids.gold,
    args: ['gold'],
    typedSearchAttributes: tags('gold'),
    memo: { owner: 'screening team' },
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  boundary = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 300));
  blocked = await env.client.workflow.start(blockForever, {
    taskQueue,
    workflowId: ids.silver,
    typedSearchAttributes: tags('silver'),
    memo: { owner: 'health visiting' },
  });
  const failed = await env.client.workflow.start(failWith, {
    taskQueue,
    workflowId: ids.failed,
    args: ['nope'],
    typedSearchAttributes: tags(),
  });
  await rejectionOf(failed.result());
  await env.client.workflow.execute(upsertTier, {
    taskQueue,
    workflowId: ids.upserted,
    args: ['platinum', 10],
    typedSearchAttributes: tags('bronze'),
  });
  await waitForEvent(blocked, 'WORKFLOW_TASK_COMPLETED');
  for (const id of Object.values(ids)) log.track(id);
});

afterAll(async () => {
  if (worker) {
    worker.shutdown();
    await running;
  }
  await env?.teardown();
});

async function idsFor(query: string): Promise<string[]> {
  const found: string[] = [];
  for await (const info of env.client.workflow.list({ query: `ConformanceRun = '${runTag}' AND ${query}` }))
    found.push(info.workflowId);
  return found.sort();
}

/** Lists until the expected ids appear: a real server's visibility store lags behind a little. */
async function expectList(query: string, expected: string[]): Promise<void> {
  await eventually(async () => expect(await idsFor(query)).toEqual([...expected].sort()));
}

test('describe reports type, status, task queue, memo, search attributes and times', async () => {
  const open = await blocked.describe();
  expect(open.type).toBe('blockForever');
  expect(open.status.name).toBe('RUNNING');
  expect(open.taskQueue).toBe(taskQueue);
  expect(await open.memo).toEqual({ owner: 'health visiting' });
  expect(open.typedSearchAttributes.get(customerTierKey)).toBe('silver');
  expect(open.typedSearchAttributes.get(runKey)).toBe(runTag);
  expect(open.startTime).toBeInstanceOf(Date);
  expect(open.closeTime).toBeUndefined();
  expect(open.historyLength).toBeGreaterThanOrEqual(3);

  const closed = await env.client.workflow.getHandle(ids.gold).describe();
  expect(closed.status.name).toBe('COMPLETED');
  expect(closed.closeTime!.getTime()).toBeGreaterThanOrEqual(closed.startTime.getTime());
  expect(closed.closeTime!.toISOString() < boundary).toBe(true);
});

test('list by WorkflowType and WorkflowId', async () => {
  await expectList(`WorkflowType = 'blockForever'`, [ids.silver]);
  await expectList(`WorkflowId = '${ids.gold}'`, [ids.gold]);
  await expectList(`WorkflowType = 'noSuchType'`, []);
});

test('list by ExecutionStatus', async () => {
  await expectList(`ExecutionStatus = 'Running'`, [ids.silver]);
  await expectList(`ExecutionStatus = 'Completed'`, [ids.gold, ids.upserted]);
  await expectList(`ExecutionStatus = 'Failed'`, [ids.failed]);
});

test('list by StartTime and CloseTime ranges', async () => {
  await expectList(`StartTime < '${boundary}'`, [ids.gold]);
  await expectList(`StartTime >= '${boundary}'`, [ids.silver, ids.failed, ids.upserted]);
  await expectList(`CloseTime < '${boundary}'`, [ids.gold]);
  await expectList(`CloseTime >= '${boundary}'`, [ids.failed, ids.upserted]);
  await expectList(`StartTime BETWEEN '2000-01-01T00:00:00Z' AND '${boundary}'`, [ids.gold]);
});

test('list by a custom keyword search attribute, including a value upserted by the workflow', async () => {
  await expectList(`CustomerTier = 'silver'`, [ids.silver]);
  await expectList(`CustomerTier = 'platinum'`, [ids.upserted]);
  await expectList(`CustomerTier = 'bronze'`, []);
  await expectList(`(CustomerTier = 'gold' OR CustomerTier = 'silver')`, [ids.gold, ids.silver]);
});

test('list results carry the execution details', async () => {
  const infos: WorkflowExecutionInfo[] = await eventually(async () => {
    const found: WorkflowExecutionInfo[] = [];
    for await (const info of env.client.workflow.list({
      query: `ConformanceRun = '${runTag}' AND WorkflowId = '${ids.gold}'`,
    }))
      found.push(info);
    expect(found).toHaveLength(1);
    return found;
  });
  expect(infos[0].type).toBe('succeed');
  expect(infos[0].status.name).toBe('COMPLETED');
  expect(infos[0].taskQueue).toBe(taskQueue);
  expect(infos[0].typedSearchAttributes.get(customerTierKey)).toBe('gold');
});

test('count matches the listed executions', async () => {
  await eventually(async () => expect((await env.client.workflow.count(`ConformanceRun = '${runTag}'`)).count).toBe(4));
  await eventually(async () =>
    expect(
      (await env.client.workflow.count(`ConformanceRun = '${runTag}' AND ExecutionStatus = 'Running'`)).count,
    ).toBe(1),
  );
});

test('a query naming an unknown search attribute is refused', async () => {
  const err = await rejectionOf(idsFor(`NoSuchAttribute = 'x'`));
  expect(err).toBeInstanceOf(Error);
});

test('search attributes set without a type (the SDK untyped form) come back typed: a Datetime as a Date, a keyword list as a list', async () => {
  const workflowId = unique('typed');
  const due = new Date('2027-01-15T09:30:00.000Z');
  await env.client.workflow.execute(succeed, {
    taskQueue,
    workflowId,
    args: ['typed'],
    searchAttributes: { ReviewDue: [due], Programmes: ['NIPE', 'NBS'] },
  });
  log.track(workflowId);
  const described = await env.client.workflow.getHandle(workflowId).describe();
  expect(described.typedSearchAttributes.get(reviewDueKey)).toEqual(due);
  expect(described.typedSearchAttributes.get(programmesKey)).toEqual(['NIPE', 'NBS']);
  expect(described.searchAttributes.ReviewDue).toEqual([due]);
  const listed = await eventually(async () => {
    const found: WorkflowExecutionInfo[] = [];
    const query = `WorkflowId = '${workflowId}' AND ReviewDue > '2027-01-01T00:00:00Z' AND Programmes = 'NBS'`;
    for await (const info of env.client.workflow.list({ query })) found.push(info);
    expect(found).toHaveLength(1);
    return found[0];
  });
  expect(listed.typedSearchAttributes.get(reviewDueKey)).toEqual(due);
  expect(listed.typedSearchAttributes.get(programmesKey)).toEqual(['NIPE', 'NBS']);
  await expectList(`ReviewDue < '2027-01-01T00:00:00Z' AND WorkflowId = '${workflowId}'`, []);
  // The started event carries the types too, which is what workflowInfo().typedSearchAttributes reads.
  const [started] = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const fields = started.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {};
  expect(Buffer.from(fields.ReviewDue?.metadata?.type ?? []).toString()).toBe('Datetime');
  expect(Buffer.from(fields.Programmes?.metadata?.type ?? []).toString()).toBe('KeywordList');
});

test('a start naming an unknown or built-in search attribute, or a value its type cannot hold, is refused as a real server refuses it', async () => {
  const causeOf = async (call: Promise<unknown>) =>
    (await rejectionOf(call)).cause as { code?: number; details?: string };
  const refused: [Record<string, unknown[]>, string][] = [
    [{ NoSuchAttribute: ['x'] }, 'search attribute NoSuchAttribute is not defined'],
    [{ WorkflowId: ['x'] }, "WorkflowId attribute can't be set in SearchAttributes"],
    [{ ReviewDue: ['next Tuesday'] }, 'invalid value for search attribute ReviewDue of type Datetime: [next Tuesday]'],
    [{ Programmes: [42] }, 'invalid value for search attribute Programmes of type KeywordList: [42]'],
  ];
  for (const [searchAttributes, details] of refused) {
    const workflowId = unique('bad-attribute');
    const start = await causeOf(
      env.client.workflow.start(succeed, {
        taskQueue,
        workflowId,
        args: ['never'],
        searchAttributes: searchAttributes as Record<string, string[]>,
      }),
    );
    expect(start).toEqual(expect.objectContaining({ code: 3, details }));
    // Nothing was started.
    const described = await rejectionOf(env.client.workflow.getHandle(workflowId).describe());
    expect(described.name).toBe('WorkflowNotFoundError');
  }
  // Signal-with-start is checked the same way.
  const withSignal = await causeOf(
    env.client.workflow.signalWithStart(blockForever, {
      taskQueue,
      workflowId: unique('bad-attribute'),
      signal: 'anything',
      searchAttributes: { NoSuchAttribute: ['x'] },
    }),
  );
  expect(withSignal).toEqual(
    expect.objectContaining({ code: 3, details: 'search attribute NoSuchAttribute is not defined' }),
  );
});

test('an upsert (or a child start) with an undefined search attribute fails the workflow task with BAD_SEARCH_ATTRIBUTES; the workflow stays open', async () => {
  const workflowId = unique('bad-upsert');
  const handle = await env.client.workflow.start(upsertUndefinedAttribute, { taskQueue, workflowId });
  await waitForEvent(handle, 'WORKFLOW_TASK_FAILED');
  const [failed] = (await handle.fetchHistory()).events!.filter((e) => e.workflowTaskFailedEventAttributes);
  expect(failed.workflowTaskFailedEventAttributes?.cause).toBe(
    temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
  );
  expect(failed.workflowTaskFailedEventAttributes?.failure?.message).toBe(
    'BadSearchAttributes: search attribute NoSuchAttribute is not defined',
  );
  expect((await handle.describe()).status.name).toBe('RUNNING');
  expect((await handle.describe()).searchAttributes.NoSuchAttribute).toBeUndefined();
  await handle.terminate('the upsert can never succeed');
  // A child started with one: the same, and no child.
  const parent = await env.client.workflow.start(childWithUndefinedAttribute, {
    taskQueue,
    workflowId: unique('bad-child'),
  });
  await waitForEvent(parent, 'WORKFLOW_TASK_FAILED');
  const events = (await parent.fetchHistory()).events!;
  const [parentFailed] = events.filter((e) => e.workflowTaskFailedEventAttributes);
  expect(parentFailed.workflowTaskFailedEventAttributes?.failure?.message).toBe(
    'BadSearchAttributes: search attribute NoSuchAttribute is not defined',
  );
  expect(events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
  await parent.terminate('the child can never start');
});

test('describe shows the static summary and details given at start, and the run as its own root', async () => {
  const workflowId = unique('metadata');
  const handle = await env.client.workflow.start(succeed, {
    taskQueue,
    workflowId,
    args: ['summarised'],
    staticSummary: 'Newborn hearing screen follow-up',
    staticDetails: 'Referred by the maternity unit; **two** attempts so far',
  });
  log.track(workflowId);
  await handle.result();
  const described = await handle.describe();
  expect(await described.staticSummary()).toBe('Newborn hearing screen follow-up');
  expect(await described.staticDetails()).toBe('Referred by the maternity unit; **two** attempts so far');
  expect(described.rootExecution).toEqual({ workflowId, runId: handle.firstExecutionRunId });
});

test("a timer's summary is kept on its TIMER_STARTED event", async () => {
  const workflowId = unique('timer-summary');
  await env.client.workflow.execute(summarisedTimer, { taskQueue, workflowId });
  log.track(workflowId);
  const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const started = events.find((e) => e.timerStartedEventAttributes);
  const summary = started?.userMetadata?.summary;
  expect(summary && defaultPayloadConverter.fromPayload(summary)).toBe('wait for the clinic letter');
});

test('every closed history of this file replays with the same workflow code', async () => {
  await blocked.terminate('test over');
  const { replayed, failures } = await log.replayClosed(env.client, await workflowBundle());
  expect(failures).toEqual([]);
  expect(replayed).toBe(7);
});
