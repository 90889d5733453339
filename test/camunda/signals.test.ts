/**
 * Signals through the Camunda REST API (POST /v2/signals/broadcast) and from signal throw events,
 * with Camunda 8's semantics (every waiting subscription, one start per process with a signal
 * start event) under CHIS Flow's security: only service managers and administrators broadcast,
 * the variables never set who a process is about, every child whose instance a broadcast
 * reaches needs a legitimate relationship (or break glass, with a reason), and the audit row
 * naming the instances and starts is written before anything is delivered.
 */
import {
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  instanceStateQuery,
  type ProcessInstanceInput,
} from '../../workflows/contract';
import { select, selectOne } from '../../records/sql';
import type { StaffPrincipal } from '../../records/staff';
import type { CompiledGraph } from '../../bpmn/runtime';
import { COVENTRY, makeChild, makeStaff, PASSWORD } from '../api/support/case-work';
import { startCamundaStack, type CamundaStack } from './support/camunda-stack';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';
const diagram = (id: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D_${id}" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="${id}" isExecutable="true">${body}</bpmn:process><bpmn:signal id="Sig" name="recall" /></bpmn:definitions>`;
const RECALL = '<bpmn:signalEventDefinition signalRef="Sig" />';

/** Waits at a signal catch event, then ends. */
const WAITER = diagram(
  'recall-waiter',
  `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Wait" />
   <bpmn:intermediateCatchEvent id="Wait">${RECALL}</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="E" /><bpmn:endEvent id="E" />`,
);
/** Started by the signal. */
const STARTED = diagram(
  'recall-started',
  `<bpmn:startEvent id="OnRecall">${RECALL}</bpmn:startEvent><bpmn:sequenceFlow id="f1" sourceRef="OnRecall" targetRef="Note" />
   <bpmn:userTask id="Note"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask><bpmn:sequenceFlow id="f2" sourceRef="Note" targetRef="E" /><bpmn:endEvent id="E" />`,
);
/** Throws the signal with one input-mapped variable. */
const THROWER = diagram(
  'recall-thrower',
  `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="Throw" />
   <bpmn:intermediateThrowEvent id="Throw"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=batch" target="batch" /></zeebe:ioMapping></bpmn:extensionElements>${RECALL}</bpmn:intermediateThrowEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="Throw" targetRef="E" /><bpmn:endEvent id="E" />`,
);

let stack: CamundaStack;

beforeAll(async () => {
  stack = await startCamundaStack();
  for (const [name, xml] of [
    ['waiter.bpmn', WAITER],
    ['started.bpmn', STARTED],
    ['thrower.bpmn', THROWER],
  ])
    await deploy(name, xml);
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const auth = (user: StaffPrincipal) => `Basic ${Buffer.from(`${user.username}:${PASSWORD}`).toString('base64')}`;

async function call(
  user: StaffPrincipal,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.address}/v2${path}`, {
    method: 'POST',
    headers: { authorization: auth(user), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function deploy(name: string, xml: string): Promise<void> {
  const form = new FormData();
  form.append('resources', new File([xml], name, { type: 'application/xml' }));
  const res = await fetch(`${stack.address}/v2/deployments`, {
    method: 'POST',
    headers: { authorization: auth(stack.admin) },
    body: form,
  });
  if (res.status !== 200) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
}

/** Starts a waiter about `businessKey` (a child's NHS number, or none) and waits for its subscription. */
async function startWaiter(businessKey: string | null): Promise<string> {
  const d = await selectOne<{ id: number; key: string; version: number; graph: CompiledGraph }>(
    stack.db,
    `SELECT id, key, version, compiled AS graph FROM process_definitions WHERE key = 'recall-waiter' ORDER BY version DESC LIMIT 1`,
  );
  const input: ProcessInstanceInput = { definition: d!, businessKey, variables: {} };
  const id = `recall-waiter-${Date.now()}-${Math.random().toString(16).slice(2)}`;
  await stack.engine.env.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
    taskQueue: stack.engine.taskQueue,
    workflowId: id,
    args: [input],
  });
  await until(async () => (await subscriptions(id)) === 1);
  return id;
}

const subscriptions = async (instanceId: string) =>
  Number(
    (await selectOne<{ n: string }>(
      stack.db,
      `SELECT count(*) AS n FROM event_subscriptions WHERE process_instance_id = $1 AND kind = 'signal'`,
      [instanceId],
    ))!.n,
  );

const statusOf = async (instanceId: string) =>
  (await stack.engine.env.client.workflow.getHandle(instanceId).query(instanceStateQuery)).status;

const startedCount = async () =>
  Number(
    (await selectOne<{ n: string }>(
      stack.db,
      `SELECT count(*) AS n FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = 'recall-started'`,
    ))!.n,
  );

const broadcastAudits = () =>
  select<{ actorUsername: string; detail: Record<string, unknown> }>(
    stack.db,
    `SELECT actor_username, detail FROM audit_events WHERE action = 'signal.broadcast' ORDER BY id`,
  );

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('only service managers and administrators broadcast; a signal never sets who a process is about', async () => {
  for (const user of [stack.worker, stack.caseworker]) {
    const res = await call(user, '/signals/broadcast', { signalName: 'recall' });
    expect(res.status).toBe(403);
  }
  const forged = await call(stack.manager, '/signals/broadcast', {
    signalName: 'recall',
    variables: { nhsNumber: '9990000018' },
  });
  expect(forged.status).toBe(422);
  expect(forged.body.detail).toMatch(/body\.variables\.nhsNumber/);
  const empty = await call(stack.manager, '/signals/broadcast', { signalName: '' });
  expect(empty.status).toBe(400);
  expect(await startedCount()).toBe(0);
  expect(await broadcastAudits()).toEqual([]);
});

test("a broadcast reaching a child's instance needs a relationship with the child or break glass; audited before delivery", async () => {
  const child = await makeChild(stack.db, COVENTRY);
  const aboutChild = await startWaiter(child.nhsNumber);
  const aboutNobody = await startWaiter(null);
  // The service manager works in Birmingham: no relationship with a Coventry child.
  const manager = await makeStaff(stack.db, 'service_manager');
  const refused = await call(manager, '/signals/broadcast', { signalName: 'recall', variables: { batch: 'A1' } });
  expect(refused.status).toBe(403);
  await new Promise((r) => setTimeout(r, 500));
  // Nothing was delivered, nothing started, nothing audited as broadcast.
  expect(await statusOf(aboutChild)).toBe('running');
  expect(await statusOf(aboutNobody)).toBe('running');
  expect(await startedCount()).toBe(0);
  expect(await broadcastAudits()).toEqual([]);

  const ok = await call(
    manager,
    '/signals/broadcast',
    { signalName: 'recall', variables: { batch: 'A1' } },
    { 'x-access-reason': 'Recall of vaccine batch A1 across the region' },
  );
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ tenantId: '<default>', signalKey: expect.stringMatching(/^\d+$/) });
  await until(
    async () => (await statusOf(aboutChild)) === 'completed' && (await statusOf(aboutNobody)) === 'completed',
  );
  expect(await startedCount()).toBe(1);
  const [row] = await broadcastAudits();
  expect(row).toMatchObject({
    actorUsername: manager.username,
    detail: {
      signalKey: ok.body.signalKey,
      variables: ['batch'],
      instances: expect.arrayContaining([aboutChild, aboutNobody]),
      starts: ['recall-started:1'],
      brokeGlass: true,
      api: 'v2',
    },
  });
  const glass = await select(
    stack.db,
    `SELECT 1 FROM audit_events WHERE child_id = $1 AND action = 'child.break_glass'`,
    [child.id],
  );
  expect(glass).toHaveLength(1);
  // The signal's variables reached the waiting instance.
  const view = await stack.engine.env.client.workflow.getHandle(aboutNobody).query(instanceStateQuery);
  expect(view.variables).toMatchObject({ batch: 'A1' });
});

test('a signal throw event broadcasts its input-mapped variables to every waiting instance and signal start', async () => {
  const waiter = await startWaiter(null);
  const before = await startedCount();
  const created = await call(stack.admin, '/process-instances', {
    processDefinitionId: 'recall-thrower',
    variables: { batch: 'B7', unrelated: 'not sent' },
  });
  expect(created.status).toBe(200);
  await until(async () => (await statusOf(waiter)) === 'completed' && (await startedCount()) === before + 1);
  const view = await stack.engine.env.client.workflow.getHandle(waiter).query(instanceStateQuery);
  expect(view.variables).toEqual({ batch: 'B7' });
});
