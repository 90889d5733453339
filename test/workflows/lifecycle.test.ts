/**
 * Through Temporal: BPMN errors (error end → boundary, activity BPMN error → error event
 * sub-process, uncaught → an incident; in versions deployed before semantics 2, the workflow fails), a non-interrupting message event sub-process,
 * continue-as-new with an open user task and timers, cancellation (signal and Temporal
 * cancel), and randomised generated graphs run to completion. Every closed history replays.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { QueryTypes } from 'sequelize';
import { bpmnError } from '../../activities/engine';
import {
  cancelInstanceSignal,
  completeUserTaskUpdate,
  correlateMessageSignal,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceResult,
} from '../../workflows/contract';
import type { CompiledGraph } from '../../bpmn/runtime';
import { DefinitionStore } from '../../records/definition-store';
import { randomGraph, randomStartVariables } from '../engine/random-graphs';
import { humanTaskRow, instanceRow, startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const DAY = 24 * 3600 * 1000;

let t: EngineTestEnv;

/** Deterministic "random" job results for generated graphs: derived from the job input. */
const pseudo = async (input: Record<string, unknown>) => {
  const h = createHash('sha256').update(JSON.stringify(input)).digest();
  return { [`v${h[0] % 4}`]: Math.round((h[1] / 255) * 10) / 10 };
};

beforeAll(async () => {
  t = await startEngineTestEnv(
    {
      'test.ask': async (input: { mode?: string }) => {
        if (input.mode === 'refuse') return { consent: false };
        if (input.mode === 'gone') throw bpmnError('CHILD_GONE', 'the child has moved abroad');
        if (input.mode === 'explode') throw bpmnError('UNEXPECTED', 'nobody catches this');
        if (input.mode === 'slow') await new Promise((r) => setTimeout(r, 1500));
        return { consent: true };
      },
      'test.remind': async () => ({}),
      'test.noop': async () => ({ gpTold: true }),
      alpha: pseudo,
      beta: pseudo,
      gamma: pseudo,
    },
    ['test.ask', 'test.remind', 'test.noop', 'alpha', 'beta', 'gamma'],
  );
  for (const f of ['errors.bpmn', 'transfer-acceptance.bpmn', 'gateways.bpmn']) await t.deploy(fixture(f));
}, 120_000);

afterAll(() => t?.close(), 180_000);

const pathOf = async (h: Parameters<EngineTestEnv['state']>[0]) =>
  (await t.state(h)).completed.filter((c) => c.state === 'completed').map((c) => c.elementId);

test('an error end event is caught by the boundary event of its sub-process', async () => {
  const h = await t.start('wf-errors', { variables: { nhsNumber: '1', mode: 'refuse' }, businessKey: '1' });
  expect((await t.result(h)).variables).toMatchObject({ consent: false, consentStatus: 'refused' });
  expect(await pathOf(h)).toEqual([
    'Start',
    'CheckStart',
    'Ask',
    'Consent',
    'NoConsent',
    'Refused',
    'Record',
    'End_Refused',
    'wf-errors',
  ]);
});

test('a BPMN error thrown by an activity starts the error event sub-process', async () => {
  const h = await t.start('wf-errors', { variables: { nhsNumber: '2', mode: 'gone' } });
  expect((await t.result(h)).status).toBe('completed');
  expect(await pathOf(h)).toEqual(['Start', 'CheckStart', 'GoneStart', 'GoneEnd', 'Gone', 'wf-errors']);
});

/** The stored graph as a version compiled before semantics 2 (CHIS's own semantics) was stored. */
async function legacyDefinition(key: string) {
  const d = (await new DefinitionStore(t.db.sequelize).withGraph(key))!;
  const graph = JSON.parse(JSON.stringify(d.graph), (k, v) => (k === 'semantics' ? undefined : v)) as CompiledGraph;
  return { id: d.id, key: d.key, version: d.version, graph };
}

test('an uncaught BPMN error is an incident on the task that threw it (Camunda 8)', async () => {
  const h = await t.start('wf-errors', { variables: { nhsNumber: '3', mode: 'explode' } });
  const state = await t.waitFor(h, (s) => s.incidents.length === 1, 'the incident');
  expect(state.incidents[0]).toMatchObject({ kind: 'unhandledError', elementId: 'Ask', resume: 'job' });
  expect(state.incidents[0].message).toMatch(/"UNEXPECTED" was thrown but nothing catches it/);
  await h.signal(cancelInstanceSignal, { reason: 'test over' });
  expect((await t.result(h)).status).toBe('cancelled');
});

test('an uncaught BPMN error fails the workflow of a version deployed before (legacy semantics)', async () => {
  const h = await t.startDefinition(await legacyDefinition('wf-errors'), {
    variables: { nhsNumber: '3', mode: 'explode' },
  });
  const err = await t.result(h).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as { type?: string; message?: string; details?: unknown[] };
  expect(cause).toMatchObject({ type: 'BpmnError', details: [{ errorCode: 'UNEXPECTED' }] });
  for (let i = 0; i < 100 && (await instanceRow(t.db, h.workflowId))?.status !== 'failed'; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('failed');
});

test('a non-interrupting message event sub-process runs while the main flow goes on', async () => {
  const h = await t.start('wf-errors', { variables: { nhsNumber: '4', mode: 'slow' } });
  await t.waitFor(h, (s) => s.active.some((a) => a.elementId === 'Ask'), 'the slow job');
  await h.signal(correlateMessageSignal, {
    name: 'caseNote',
    correlationKey: '4',
    variables: { text: 'family moved house' },
  });
  await t.waitFor(h, (s) => s.completed.some((c) => c.elementId === 'NoteEnd'), 'the note');
  const result = await t.result(h);
  expect(result.variables).toMatchObject({ consent: true, lastNote: 'family moved house' });
  expect(await pathOf(h)).toEqual(expect.arrayContaining(['NoteStart', 'NoteEnd', 'Notes', 'Ask', 'CheckEnd', 'End']));
});

test('parallel and inclusive gateways, receive task, escalation, message boundary, terminate end and a timer event sub-process', async () => {
  const h = await t.start('wf-gateways', { variables: { nhsNumber: '9', needsHearing: true, needsBloodspot: true } });
  await t.waitFor(h, (s) => s.active.some((a) => a.elementId === 'Hearing'), 'the receive task');
  await h.signal(correlateMessageSignal, {
    name: 'hearingResult',
    correlationKey: '9',
    variables: { hearing: 'pass' },
  });
  await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the review task');
  await t.env.sleep(2 * DAY + 3600 * 1000);
  await t.waitFor(h, (s) => s.completed.filter((c) => c.elementId === 'ChaseEnd').length >= 2, 'two daily chases');
  await h.signal(correlateMessageSignal, { name: 'withdrawn', correlationKey: '9' });
  const result = await t.result(h);
  // A terminate end event completes the instance, as in Camunda 8.
  expect(result.status).toBe('completed');
  expect(result.variables).toMatchObject({ hearing: 'pass', bloodspot: 'booked', gpTold: true, late: true });
  expect(result.variables.chases).toBeGreaterThanOrEqual(2);
  const path = await pathOf(h);
  for (const id of [
    'Fork',
    'NotifyGp',
    'Screens',
    'Hearing',
    'Bloodspot',
    'ScreensDone',
    'Join',
    'RaiseLate',
    'LateCaught',
    'FlagLate',
    'FollowUp',
    'Withdrawn',
    'Stop',
  ]) {
    expect({ id, times: path.filter((p) => p === id).length }).toEqual({ id, times: 1 });
  }
  expect(path).not.toContain('Nothing');
  expect(path).not.toContain('End');
  expect(path.indexOf('Join')).toBeGreaterThan(path.indexOf('ScreensDone'));
  for (let i = 0; i < 100 && (await instanceRow(t.db, h.workflowId))?.status === 'running'; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(await instanceRow(t.db, h.workflowId)).toMatchObject({ status: 'completed' });
});

test('a terminate end event leaves a version deployed before (legacy semantics) terminated', async () => {
  const h = await t.startDefinition(await legacyDefinition('wf-gateways'), {
    variables: { nhsNumber: '11', needsHearing: false, needsBloodspot: false },
  });
  await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the review task');
  await h.signal(correlateMessageSignal, { name: 'withdrawn', correlationKey: '11' });
  expect((await t.result(h)).status).toBe('terminated');
});

test('the inclusive gateway takes its default flow when no screen is needed', async () => {
  const h = await t.start('wf-gateways', {
    variables: { nhsNumber: '10', needsHearing: false, needsBloodspot: false },
  });
  const task = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the review task')).openUserTasks[0];
  await h.executeUpdate(completeUserTaskUpdate, { args: [{ taskId: task.taskId, data: {}, actor: 'amy' }] });
  const result = await t.result(h);
  expect(result.status).toBe('completed');
  const path = await pathOf(h);
  expect(path).toEqual(expect.arrayContaining(['Screens', 'Nothing', 'ScreensDone', 'Join', 'Review', 'End']));
  expect(path).not.toContain('Hearing');
  expect(path).not.toContain('Bloodspot');
});

test('continues as new with its open user task and timers, then completes on the new run', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '5' }, historyLimit: 30 });
  const firstRun = (await h.describe()).runId;
  const task = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task')).openUserTasks[0];
  await t.env.sleep(15 * DAY);
  let runId = firstRun;
  for (let i = 0; i < 200 && runId === firstRun; i++) {
    await new Promise((r) => setTimeout(r, 50));
    runId = (await h.describe()).runId;
  }
  expect(runId).not.toBe(firstRun);
  const view = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the task after continue-as-new');
  expect(view.openUserTasks[0].taskId).toBe(task.taskId);
  expect(view.completed.filter((c) => c.elementId === 'Weekly').length).toBeGreaterThanOrEqual(2);
  expect(view.historyLength).toBeLessThan(30);
  expect((await humanTaskRow(t.db, task.taskId))?.status).toBe('open');
  await h.executeUpdate(completeUserTaskUpdate, {
    args: [{ taskId: task.taskId, data: { decision: 'accept' }, actor: 'amy' }],
  });
  const result = await t.result(h);
  expect(result.status).toBe('completed');
  expect(await instanceRow(t.db, h.workflowId)).toMatchObject({ status: 'completed' });
});

test('a cancel signal ends the instance and cancels its open task', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '6' } });
  const task = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task')).openUserTasks[0];
  await h.signal(cancelInstanceSignal, { reason: 'duplicate referral', actor: 'admin' });
  expect((await t.result(h)).status).toBe('cancelled');
  for (let i = 0; i < 100 && (await humanTaskRow(t.db, task.taskId))?.status !== 'cancelled'; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect((await humanTaskRow(t.db, task.taskId))?.status).toBe('cancelled');
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('cancelled');
});

test('a Temporal cancellation also cancels the open task and records the status', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '7' } });
  const task = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task')).openUserTasks[0];
  await h.cancel();
  await expect(t.result(h)).rejects.toThrow(WorkflowFailedError);
  for (let i = 0; i < 100 && (await humanTaskRow(t.db, task.taskId))?.status !== 'cancelled'; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect((await humanTaskRow(t.db, task.taskId))?.status).toBe('cancelled');
  expect((await instanceRow(t.db, h.workflowId))?.status).toBe('cancelled');
});

test('generated graphs (gateways, parallel branches, timers, sub-processes) all complete through Temporal', async () => {
  const seeds = [3, 7, 11, 19, 23, 42, 57, 64];
  const handles = [];
  for (const seed of seeds) {
    const graph = randomGraph(seed, { messages: false });
    const [row] = await t.db.sequelize.query<{ id: number }>(
      `INSERT INTO process_definitions (key, version, name, xml, compiled, checksum) VALUES ($1, 1, $1, '<generated/>', $2::jsonb, $3) RETURNING id`,
      {
        type: QueryTypes.SELECT,
        bind: [graph.processId, JSON.stringify(graph), createHash('sha256').update(String(seed)).digest('hex')],
      },
    );
    handles.push(
      await t.env.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
        taskQueue: t.taskQueue,
        workflowId: `random-${seed}-${randomUUID()}`,
        args: [
          {
            definition: { id: row.id, key: graph.processId, version: 1, graph },
            variables: randomStartVariables(seed),
          },
        ],
      }),
    );
  }
  // One at a time: each result() call lets the time-skipping server jump to the next timer.
  const results: ProcessInstanceResult[] = [];
  for (const h of handles) results.push((await h.result()) as ProcessInstanceResult);
  expect(results.map((r) => r.status)).toEqual(seeds.map(() => 'completed'));
  for (const h of handles) expect((await t.state(h)).completed.map((c) => c.elementId)).toContain('end');
}, 120_000);
