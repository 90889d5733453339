/**
 * What a service/send task's activity receives besides the variables (its element id and
 * zeebe:taskHeaders, as the second argument), and what a caught BPMN error leaves in the
 * catching scope (errorCode, errorMessage and the error's variables), on the embedded server.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpmnError } from '../../activities/engine';
import type { JobContext } from '../../workflows/messages';
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
    { type: 'test.lookup', job: { elementId: 'Lookup', headers: { template: 'gp-letter', channel: 'email' } } },
    { type: 'test.notify', job: { elementId: 'Notify', headers: { template: 'found' } } },
  ]);
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Lookup',
    'Notify',
    'End',
    'wf-job-context',
  ]);
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
