/**
 * What a service/send task's activity receives besides the variables (its element id and
 * zeebe:taskHeaders, as the second argument), and what a caught BPMN error leaves in the
 * catching scope (errorCode, errorMessage and the error's variables), on the embedded server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { bpmnError } from '../../activities/engine';
import type { JobContext } from '../../workflows/contract';
import { engineWorkflowBundle } from '../../workers/workflow-bundle';
import { startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

let t: EngineTestEnv;
const jobs: Array<{ type: string; job: JobContext }> = [];

beforeAll(async () => {
  t = await startEngineTestEnv(
    {
      'test.lookup': async (input: { mode: string }, job: JobContext) => {
        jobs.push({ type: 'test.lookup', job });
        if (input.mode === 'missing') throw bpmnError('NOT_FOUND', 'no record on PDS', { searched: 'PDS' });
        if (input.mode === 'gone') throw bpmnError('CHILD_GONE', 'moved abroad', { movedTo: 'France' });
        return { found: true };
      },
      'test.notify': async (_input: unknown, job: JobContext) => {
        jobs.push({ type: 'test.notify', job });
        return { notified: job.headers.template };
      },
    },
    ['test.lookup', 'test.notify'],
  );
  await t.deploy(fixture('job-context.bpmn'));
}, 120_000);

afterAll(() => t?.close(), 120_000);

test('each service and send task activity gets its element id and task headers as the second argument', async () => {
  jobs.length = 0;
  const h = await t.start('wf-job-context', { variables: { mode: 'ok' } });
  expect(await t.result(h)).toEqual({ status: 'completed', variables: { mode: 'ok', found: true, notified: 'found' } });
  expect(jobs).toEqual([
    {
      type: 'test.lookup',
      job: {
        elementId: 'Lookup',
        elementInstanceId: expect.stringMatching(/^ei-\d+$/),
        headers: { template: 'gp-letter', channel: 'email' },
      },
    },
    {
      type: 'test.notify',
      job: {
        elementId: 'Notify',
        elementInstanceId: expect.stringMatching(/^ei-\d+$/),
        headers: { template: 'found' },
      },
    },
  ]);
  expect(jobs[0].job.elementInstanceId).not.toBe(jobs[1].job.elementInstanceId);
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Lookup',
    'Notify',
    'End',
    'wf-job-context',
  ]);
});

test('an instance recorded before jobs carried their element instance id replays on this code', async () => {
  // Recorded with the job context { elementId, headers }: the context is the activity's input,
  // which replay does not compare, so no patch gate is needed.
  const json: unknown = JSON.parse(fixture('histories/job-context-without-element-instance.json'));
  const history = temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
  const scheduled = history.events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [],
  );
  expect(scheduled.map((a) => a.activityType?.name)).toEqual(['test.lookup', 'test.notify']);
  const recordedJob = JSON.parse(Buffer.from(scheduled[0].input!.payloads![1].data!).toString('utf8')) as JobContext;
  expect(recordedJob).toEqual({ elementId: 'Lookup', headers: { template: 'gp-letter', channel: 'email' } });
  await Worker.runReplayHistory(
    { workflowBundle: await engineWorkflowBundle(), replayName: 'job-context-without-element-instance' },
    history,
  );
});

test("a caught error's code, message and variables are in the boundary event's scope", async () => {
  const h = await t.start('wf-job-context', { variables: { mode: 'missing' } });
  const result = await t.result(h);
  expect(result).toEqual({
    status: 'completed',
    variables: {
      mode: 'missing',
      errorCode: 'NOT_FOUND',
      errorMessage: 'no record on PDS',
      searched: 'PDS',
      explanation: 'NOT_FOUND: no record on PDS (searched PDS)',
    },
  });
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Lookup',
    'NotFound',
    'Explain',
    'End_NotFound',
    'wf-job-context',
  ]);
});

test('an error event sub-process start with an output mapping maps from the error variables', async () => {
  const h = await t.start('wf-job-context', { variables: { mode: 'gone' } });
  const result = await t.result(h);
  // The mapping decides what leaves the start event: no raw errorCode / errorMessage in the process.
  expect(result).toEqual({ status: 'completed', variables: { mode: 'gone', goneReason: 'moved abroad to France' } });
  const view = await t.state(h);
  expect(view.completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Lookup',
    'GoneStart',
    'GoneEnd',
    'Gone',
    'wf-job-context',
  ]);
  expect(view.completed.find((c) => c.elementId === 'Lookup')?.state).toBe('terminated');
});
