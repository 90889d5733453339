/**
 * Through Temporal: messages correlated by name and business key (signal from outside, and
 * published by another instance), the event-based gateway, call activities as child
 * workflows (latest version), versioning (v1 instances finish on v1 after v2 is deployed),
 * and multi-instance (parallel and sequential).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { publishMessage } from '../../activities/engine';
import { completeUserTaskUpdate, correlateMessageSignal, instanceStateQuery } from '../../workflows/contract';
import { startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

let t: EngineTestEnv;
const logged: string[] = [];

beforeAll(async () => {
  t = await startEngineTestEnv(
    {
      'test.invite': async (input: { contact: string }) => ({ reference: `ref-${input.contact}` }),
      'test.log': async (input: { invitation: string }) => {
        logged.push(input.invitation);
        return {};
      },
    },
    ['test.invite', 'test.log'],
  );
  for (const f of [
    'await-result.bpmn',
    'lab.bpmn',
    'call-parent.bpmn',
    'call-pinned.bpmn',
    'multi-instance.bpmn',
    'referral.bpmn',
  ])
    await t.deploy(fixture(f));
  await t.deploy(CHECK_THEN_AWAIT_XML);
}, 120_000);

afterAll(() => t?.close(), 120_000);

const today = () => new Date().toISOString().slice(0, 10);

/** A user task, then a wait for `bloodspotResult`: a message sent during the task arrives before anyone waits for it. */
const CHECK_THEN_AWAIT_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_CheckThenAwait" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="Message_Result" name="bloodspotResult">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=nhsNumber" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="wf-check-then-await" name="Check, then await the result" isExecutable="true">
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Check" />
    <bpmn:userTask id="Check" name="Check the sample was sent">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="caseworkers" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Check" targetRef="Result" />
    <bpmn:intermediateCatchEvent id="Result" name="Result received">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=outcome" target="bloodspotOutcome" /></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>
      <bpmn:messageEventDefinition id="MED_1" messageRef="Message_Result" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Result" targetRef="End" />
    <bpmn:endEvent id="End" name="Done"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;

test('a message signal correlates by name and key; others are ignored', async () => {
  const h = await t.start('wf-await-result', {
    variables: { nhsNumber: '1111111111', dateOfBirth: today() },
    businessKey: '1111111111',
  });
  await t.waitFor(h, (s) => s.active.some((a) => a.elementId === 'Race'), 'the race');
  await h.signal(correlateMessageSignal, {
    name: 'bloodspotResult',
    correlationKey: '9999999999',
    variables: { outcome: 'wrong child' },
  });
  await h.signal(correlateMessageSignal, {
    name: 'otherMessage',
    correlationKey: '1111111111',
    variables: { outcome: 'wrong message' },
  });
  await h.signal(correlateMessageSignal, {
    name: 'bloodspotResult',
    correlationKey: '1111111111',
    variables: { outcome: 'normal' },
  });
  const result = await t.result(h);
  expect(result.variables).toEqual({ nhsNumber: '1111111111', dateOfBirth: today(), bloodspotOutcome: 'normal' });
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Race',
    'Result',
    'End_Result',
    'wf-await-result',
  ]);
});

test('without a result the day-17 timer wins the race', async () => {
  const h = await t.start('wf-await-result', {
    variables: { nhsNumber: '2222222222', dateOfBirth: today() },
    businessKey: '2222222222',
  });
  await t.result(h);
  const view = await t.state(h);
  expect(view.completed.map((c) => c.elementId)).toEqual(['Start', 'Race', 'Day17', 'End_Chase', 'wf-await-result']);
  const fired = view.completed.find((c) => c.elementId === 'Day17')!;
  expect(fired.endedAt - Date.parse(`${today()}T00:00:00Z`)).toBeGreaterThanOrEqual(17 * 24 * 3600 * 1000);
});

test('a message end event in one instance reaches the instance with that business key', async () => {
  const waiting = await t.start('wf-await-result', {
    variables: { nhsNumber: '3333333333', dateOfBirth: today() },
    businessKey: '3333333333',
  });
  await t.waitFor(waiting, (s) => s.active.some((a) => a.elementId === 'Race'), 'the race');
  for (let i = 0; i < 100; i++) {
    const rows = await t.db.sequelize.query('SELECT 1 FROM process_instances WHERE id = $1', {
      type: QueryTypes.SELECT,
      bind: [waiting.workflowId],
    });
    if (rows.length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const lab = await t.start('wf-lab', { variables: { nhsNumber: '3333333333', labOutcome: 'screen positive' } });
  // Queries, not result(): awaiting a result lets the time-skipping server jump to the day-17 timer.
  await t.waitFor(lab, (s) => s.status === 'completed', 'the lab instance');
  await t.waitFor(waiting, (s) => s.status === 'completed', 'the message to arrive');
  expect((await t.result(lab)).status).toBe('completed');
  const result = await t.result(waiting);
  expect(result.variables.bloodspotOutcome).toBe('screen positive');
  expect((await t.state(waiting)).completed.map((c) => c.elementId)).toContain('Result');
});

async function openTaskOf(instanceId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const rows = await t.db.sequelize.query<{ id: string }>(
      "SELECT id FROM human_tasks WHERE process_instance_id = $1 AND status = 'open'",
      {
        type: QueryTypes.SELECT,
        bind: [instanceId],
      },
    );
    if (rows[0]) return rows[0].id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no open task for ${instanceId}`);
}

test('versioning: v1 instances finish on v1 after v2 is deployed; calls and new instances take the latest', async () => {
  const v1 = await t.deploy(fixture('child-v1.bpmn'));
  const onV1 = await t.start('wf-child', { variables: { nhsNumber: '4444444444' } });
  const taskV1 = await openTaskOf(onV1.workflowId);

  const v2 = await t.deploy(fixture('child-v2.bpmn'));
  expect([v1.version, v2.version]).toEqual([1, 2]);
  const onV2 = await t.start('wf-child', { variables: { nhsNumber: '5555555555' } });
  const parent = await t.start('wf-parent', { variables: { nhsNumber: '6666666666' } });
  const parentState = await t.waitFor(parent, (s) => s.active.some((a) => a.elementId === 'Screen'), 'the call');
  expect(parentState.active.find((a) => a.elementId === 'Screen')).toBeDefined();

  // The child is a workflow of the same type, id <parent>/<call id>.
  const childRows = await t.db.sequelize.query<{ id: string; definition_id: number }>(
    'SELECT id, definition_id FROM process_instances WHERE id LIKE $1',
    {
      type: QueryTypes.SELECT,
      bind: [`${parent.workflowId}~%`],
    },
  );
  for (let i = 0; i < 100 && childRows.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    childRows.push(
      ...(await t.db.sequelize.query<{ id: string; definition_id: number }>(
        'SELECT id, definition_id FROM process_instances WHERE id LIKE $1',
        { type: QueryTypes.SELECT, bind: [`${parent.workflowId}~%`] },
      )),
    );
  }
  expect(childRows).toEqual([{ id: expect.stringMatching(/~call-\d+$/), definition_id: v2.id }]);
  const child = t.env.client.workflow.getHandle(childRows[0].id);

  for (const [h, taskId] of [
    [onV2, await openTaskOf(onV2.workflowId)],
    [child, await openTaskOf(child.workflowId)],
    [onV1, taskV1],
  ] as const) {
    await h.executeUpdate(completeUserTaskUpdate, { args: [{ taskId, data: { hearing: 'pass' }, actor: 'hv1' }] });
  }

  const r1 = await t.result(onV1);
  expect(r1.variables).toMatchObject({ ranOn: 'v1', hearing: 'pass' });
  const s1 = await onV1.query(instanceStateQuery);
  expect(s1.definition).toEqual({ id: v1.id, key: 'wf-child', version: 1 });
  expect(s1.completed.map((c) => c.elementId)).toEqual(['Start', 'Screen', 'Mark', 'End', 'wf-child']);

  expect((await t.result(onV2)).variables.ranOn).toBe('v2');
  expect((await onV2.query(instanceStateQuery)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Screen',
    'Mark',
    'Extra',
    'End',
    'wf-child',
  ]);

  const rp = await t.result(parent);
  expect(rp.variables).toEqual({ nhsNumber: '6666666666', hearing: 'pass', ranOn: 'v2' });
});

test('a call activity pinned to version 1 starts the v1 child although v2 is the latest', async () => {
  const parent = await t.start('wf-parent-pinned', { variables: { nhsNumber: '7777777777' } });
  let child: { id: string; definition_id: number } | undefined;
  for (let i = 0; i < 200 && !child; i++) {
    [child] = await t.db.sequelize.query<{ id: string; definition_id: number }>(
      'SELECT id, definition_id FROM process_instances WHERE id LIKE $1',
      {
        type: QueryTypes.SELECT,
        bind: [`${parent.workflowId}~%`],
      },
    );
    if (!child) await new Promise((r) => setTimeout(r, 50));
  }
  const [v1] = await t.db.sequelize.query<{ id: number }>(
    "SELECT id FROM process_definitions WHERE key = 'wf-child' AND version = 1",
    { type: QueryTypes.SELECT },
  );
  expect(child?.definition_id).toBe(v1.id);
  const handle = t.env.client.workflow.getHandle(child!.id);
  await handle.executeUpdate(completeUserTaskUpdate, {
    args: [{ taskId: await openTaskOf(child!.id), data: {}, actor: 'hv1' }],
  });
  expect((await t.result(parent)).variables.ranOn).toBe('v1');
});

test('a message published with a time to live waits in an instance that is not waiting for it yet; without one it is dropped', async () => {
  const deps = { sequelize: t.db.sequelize, client: t.env.client, taskQueue: t.taskQueue };
  const run = async (nhsNumber: string, timeToLiveMs?: number) => {
    const h = await t.start('wf-check-then-await', { variables: { nhsNumber }, businessKey: nhsNumber });
    const { openUserTasks } = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the check task');
    const message = {
      name: 'bloodspotResult',
      correlationKey: nhsNumber,
      variables: { outcome: 'normal' },
      sourceInstanceId: 'lab-feed',
      ...(timeToLiveMs ? { timeToLiveMs } : {}),
    };
    expect(await publishMessage(deps, message, `result-${nhsNumber}`)).toEqual({ delivered: 1, started: 0 });
    await h.executeUpdate(completeUserTaskUpdate, {
      args: [{ taskId: openUserTasks[0].taskId, data: {}, actor: 'cw1' }],
    });
    return h;
  };
  const kept = await run('4444444444', 3600_000);
  expect(await t.result(kept)).toEqual({
    status: 'completed',
    variables: { nhsNumber: '4444444444', bloodspotOutcome: 'normal' },
  });

  const dropped = await run('5555555555');
  const view = await t.waitFor(
    dropped,
    (s) => s.active.some((a) => a.elementId === 'Result'),
    'the wait for the result',
  );
  expect(view.status).toBe('running');
  await dropped.signal(correlateMessageSignal, {
    name: 'bloodspotResult',
    correlationKey: '5555555555',
    variables: { outcome: 'repeat' },
  });
  expect((await t.result(dropped)).variables).toEqual({ nhsNumber: '5555555555', bloodspotOutcome: 'repeat' });
});

test('publishing a message starts the processes with that message start event, once per idempotency key', async () => {
  const deps = { sequelize: t.db.sequelize, client: t.env.client, taskQueue: t.taskQueue };
  const message = {
    name: 'referralReceived',
    correlationKey: '8888888888',
    variables: { urgent: true },
    sourceInstanceId: 'api',
  };
  expect(await publishMessage(deps, message, 'request-1')).toEqual({ delivered: 0, started: 1 });
  // The retry starts nothing new. Whether it also reaches the instance the first publish started
  // depends on whether that instance has recorded its row yet (business-key correlation), so
  // only the starts are compared.
  expect(await publishMessage(deps, message, 'request-1')).toMatchObject({ started: 0 });
  let id: string | undefined;
  for (let i = 0; i < 200 && !id; i++) {
    [{ id } = { id: undefined }] = await t.db.sequelize.query<{ id: string }>(
      "SELECT id FROM process_instances WHERE business_key = '8888888888'",
      { type: QueryTypes.SELECT },
    );
    if (!id) await new Promise((r) => setTimeout(r, 50));
  }
  const h = t.env.client.workflow.getHandle(id!);
  expect(await h.result()).toEqual({ status: 'completed', variables: { urgent: true, priority: 'high' } });
  expect((await h.query(instanceStateQuery)).completed.map((c) => c.elementId)).toEqual([
    'Received',
    'Triage',
    'End',
    'wf-referral',
  ]);
});

test('multi-instance: parallel invitations collected in order, then a sequential review per reply', async () => {
  logged.length = 0;
  const h = await t.start('wf-multi', { variables: { contacts: ['mum', 'dad', 'gp'] } });
  const result = await t.result(h);
  expect(result.variables.invitations).toEqual(['ref-mum', 'ref-dad', 'ref-gp']);
  expect(result.variables.reviewed).toEqual(['REF-MUM', 'REF-DAD', 'REF-GP']);
  expect(logged).toEqual(['ref-mum', 'ref-dad', 'ref-gp']);
  const path = (await t.state(h)).completed.map((c) => c.elementId);
  expect(path.filter((p) => p === 'Invite')).toHaveLength(4); // three instances and the body
  expect(path.filter((p) => p === 'Log')).toHaveLength(3);
});
