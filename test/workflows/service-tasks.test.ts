/**
 * Interpreter on the embedded server: service tasks run catalogue activities; a task that
 * still fails after its retries raises an incident an administrator retries through the update.
 * Jobs of types deployed as local run as Temporal local activities (a marker in the history,
 * no activity task), others on the task queue; a graph stored without the flag runs queued.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context, CancelledFailure } from '@temporalio/activity';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bpmnError } from '../../activities/engine';
import type { CompiledGraph, ServiceTaskNode } from '../../bpmn/graph';
import { DefinitionStore } from '../../records/definition-store';
import { retryIncidentUpdate } from '../../workflows/contract';
import { instanceRow, startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

let t: EngineTestEnv;
let localityFailures = 0;
let flakyFailures = 0;
const calls: string[] = [];
/** Where each test job ran: `Context.current().info.isLocal`. */
const ranLocally: Record<string, boolean[]> = {};
let slowCancelled = 0;

function ran(type: string): void {
  (ranLocally[type] ??= []).push(Context.current().info.isLocal);
}

const EventType = temporal.api.enums.v1.EventType;

/** The activity type a local-activity marker records (SDK core writes its metadata as JSON under `data`). */
function localActivityType(details: Record<string, temporal.api.common.v1.IPayloads> | null | undefined): string {
  const raw = details?.data?.payloads?.[0]?.data;
  const meta = raw
    ? (JSON.parse(Buffer.from(raw).toString('utf8')) as { activity_type?: string; activityType?: string })
    : {};
  return meta.activity_type ?? meta.activityType ?? '';
}

/**
 * Job activity types scheduled on the task queue and run locally (markers) in a closed history;
 * the engine's own database writes (engine*, local since LOCAL_ENGINE_DB_PATCH) are left out.
 */
async function jobEvents(h: WorkflowHandle): Promise<{ scheduled: string[]; local: string[] }> {
  const { events } = await h.fetchHistory();
  const list = events ?? [];
  const isJob = (type: string) => !type.startsWith('engine');
  return {
    scheduled: list
      .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? '')
      .filter(isJob),
    local: list
      .filter(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
          e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      )
      .map((e) => localActivityType(e.markerRecordedEventAttributes?.details))
      .filter(isJob),
  };
}

beforeAll(async () => {
  t = await startEngineTestEnv(
    {
      'pds.lookupPatient': async (input: { nhsNumber: string }) => {
        calls.push(`pds:${input.nhsNumber}`);
        return input.nhsNumber === '0000000000'
          ? { found: false }
          : { found: true, address: { lines: ['1 High St'], postcode: 'CV1 2AB' } };
      },
      'child.deriveLocality': async (input: { postcode: string }) => {
        calls.push(`locality:${input.postcode}`);
        if (localityFailures > 0) {
          localityFailures--;
          throw new Error('gazetteer unavailable');
        }
        return { locality: 'Coventry', inRegion: true };
      },
      'test.local.count': async (input: { n?: number }) => {
        ran('test.local.count');
        return { count: (input.n ?? 0) + 1 };
      },
      'test.queued.double': async (input: { count: number }) => {
        ran('test.queued.double');
        return { doubled: input.count * 2 };
      },
      'test.local.flaky': async () => {
        ran('test.local.flaky');
        if (flakyFailures > 0) {
          flakyFailures--;
          throw new Error('register locked');
        }
        return { flaky: 'ok' };
      },
      'test.local.refuse': async () => {
        ran('test.local.refuse');
        throw bpmnError('REFUSED', 'not for this child', { why: 'test' });
      },
      'test.local.slow': async () => {
        ran('test.local.slow');
        try {
          await Context.current().sleep(50_000);
        } catch (err) {
          if (err instanceof CancelledFailure) slowCancelled++;
          throw err;
        }
        return { slow: 'done' };
      },
    },
    ['test.local.count', 'test.queued.double', 'test.local.flaky', 'test.local.refuse', 'test.local.slow'],
    {
      localActivityTypes: ['test.local.count', 'test.local.flaky', 'test.local.refuse', 'test.local.slow'],
    },
  );
  await t.deploy(fixture('service-tasks.bpmn'));
  await t.deploy(fixture('local-jobs.bpmn'));
}, 120_000);

afterAll(() => t?.close(), 120_000);

test('runs the activities in order and takes the gateway branch the results choose', async () => {
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '9434765919' }, businessKey: '9434765919' });
  const result = await t.result(h);
  expect(result).toEqual({
    status: 'completed',
    variables: { nhsNumber: '9434765919', onPds: true, postcode: 'CV1 2AB', locality: 'Coventry', inRegion: true },
  });
  const view = await t.state(h);
  expect(view.completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Lookup',
    'Found',
    'Locality',
    'End_Placed',
    'wf-service-tasks',
  ]);
  expect(await instanceRow(t.db, h.workflowId)).toMatchObject({
    status: 'completed',
    business_key: '9434765919',
    ended_at: expect.any(Date),
  });
});

test('a catalogue type declared local runs as a local activity; PDS stays on the task queue', async () => {
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '9434765919' } });
  await t.result(h);
  const { scheduled, local } = await jobEvents(h);
  expect(scheduled).toEqual(['pds.lookupPatient']);
  expect(local).toEqual(['child.deriveLocality']);
});

test('takes the default flow when the child is not on PDS', async () => {
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '0000000000' } });
  await t.result(h);
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Lookup',
    'Found',
    'End_NotFound',
    'wf-service-tasks',
  ]);
});

test('a failing task becomes an incident, visible in the query and the table, and a retry completes it', async () => {
  localityFailures = 1;
  const h = await t.start('wf-service-tasks', { variables: { nhsNumber: '9434765919' } });
  const view = await t.waitFor(h, (s) => s.incidents.length > 0, 'the incident');
  expect(view.incidents[0]).toMatchObject({
    kind: 'jobFailed',
    elementId: 'Locality',
    message: 'gazetteer unavailable',
  });
  expect(view.status).toBe('running');
  for (let i = 0; i < 100 && (await instanceRow(t.db, h.workflowId))?.status !== 'incident'; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('incident');

  await expect(h.executeUpdate(retryIncidentUpdate, { args: [{ incidentId: 'incident-999' }] })).rejects.toThrow(
    WorkflowUpdateFailedError,
  );
  await h.executeUpdate(retryIncidentUpdate, { args: [{ incidentId: view.incidents[0].id, actor: 'admin' }] });
  const result = await t.result(h);
  expect(result.status).toBe('completed');
  expect((await t.state(h)).incidents).toEqual([]);
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('completed');
});

test('a local type runs in the workflow worker (a marker, no activity task); a queued type is scheduled on the task queue', async () => {
  for (const k of Object.keys(ranLocally)) delete ranLocally[k];
  const h = await t.start('wf-local-jobs', { variables: { n: 20 } });
  expect(await t.result(h)).toEqual({ status: 'completed', variables: { n: 20, count: 21, doubled: 42 } });
  expect(ranLocally).toEqual({ 'test.local.count': [true], 'test.queued.double': [false] });
  const { scheduled, local } = await jobEvents(h);
  expect(scheduled).toEqual(['test.queued.double']);
  expect(local).toEqual(['test.local.count']);
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Mode',
    'Count',
    'Double',
    'End',
    'wf-local-jobs',
  ]);
});

test('a local job that still fails after its retries raises an incident; retrying it completes the instance', async () => {
  for (const k of Object.keys(ranLocally)) delete ranLocally[k];
  flakyFailures = 2;
  const h = await t.start('wf-local-jobs', { variables: { mode: 'fail' } });
  const view = await t.waitFor(h, (s) => s.incidents.length > 0, 'the incident');
  expect(view.incidents[0]).toMatchObject({ kind: 'jobFailed', elementId: 'Flaky', message: 'register locked' });
  // retries="2": two attempts, both in the worker.
  expect(ranLocally['test.local.flaky']).toEqual([true, true]);
  await h.executeUpdate(retryIncidentUpdate, { args: [{ incidentId: view.incidents[0].id, actor: 'admin' }] });
  expect(await t.result(h)).toEqual({ status: 'completed', variables: { mode: 'fail', flaky: 'ok' } });
  expect(ranLocally['test.local.flaky']).toEqual([true, true, true]);
  expect((await jobEvents(h)).scheduled).not.toContain('test.local.flaky');
});

test("a local job's BPMN error is caught by its error boundary event", async () => {
  const h = await t.start('wf-local-jobs', { variables: { mode: 'refuse' } });
  expect(await t.result(h)).toEqual({
    status: 'completed',
    variables: { mode: 'refuse', errorCode: 'REFUSED', errorMessage: 'not for this child', why: 'test' },
  });
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Mode',
    'Check',
    'Refused',
    'End_Refused',
    'wf-local-jobs',
  ]);
});

test('an interrupting boundary timer cancels a long local job', async () => {
  slowCancelled = 0;
  // The worker holds the workflow task while its local activity runs and only reports the
  // boundary timer when it heartbeats the task (at 80 % of the task timeout): keep that short.
  const h = await t.start('wf-local-jobs', { variables: { mode: 'slow' }, workflowTaskTimeout: '2s' });
  expect(await t.result(h)).toEqual({ status: 'completed', variables: { mode: 'slow' } });
  const view = await t.state(h);
  expect(view.completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Mode',
    'Slow',
    'TooSlow',
    'End_TooSlow',
    'wf-local-jobs',
  ]);
  expect(view.completed.find((c) => c.elementId === 'Slow')?.state).toBe('terminated');
  expect(slowCancelled).toBe(1);
});

test('a graph stored without the flag (deployed before local activities) runs its jobs queued', async () => {
  for (const k of Object.keys(ranLocally)) delete ranLocally[k];
  const d = (await new DefinitionStore(t.db.sequelize).withGraph('wf-local-jobs'))!;
  const count = d.graph.nodes.Count as ServiceTaskNode;
  expect(count.activity.local).toBe(true);
  // As an older version was stored: the same graph, no `local` on any job.
  const old = JSON.parse(JSON.stringify(d.graph), (key, value) =>
    key === 'local' ? undefined : value,
  ) as CompiledGraph;
  const h = await t.startDefinition({ id: d.id, key: d.key, version: d.version, graph: old }, { variables: { n: 1 } });
  expect(await t.result(h)).toEqual({ status: 'completed', variables: { n: 1, count: 2, doubled: 4 } });
  expect(ranLocally).toEqual({ 'test.local.count': [false], 'test.queued.double': [false] });
  const { scheduled, local } = await jobEvents(h);
  expect(scheduled).toEqual(['test.local.count', 'test.queued.double']);
  expect(local).toEqual([]);
});
