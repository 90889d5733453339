/**
 * User task listeners through the Camunda REST API (Camunda 8.8 semantics), on the real engine:
 * an assignment waits for its assigning listeners' jobs and takes their corrections; a completion
 * waits for its completing listeners, and one that denies it leaves the task open (409 naming the
 * reason) until a later completion passes; an update (PATCH) waits for its updating listeners; a
 * task interrupted by a message runs its canceling listeners, and the process completes once they
 * have. The listener jobs are TASK_LISTENER jobs with their listenerEventType. Claims, unclaims
 * and assignments through CHIS Flow's own /api (what the web UI calls) pass the same assigning
 * listeners, with their corrections written to the task, and a denial refuses them. A completing
 * listener's corrections are written to the completed task.
 */
import request from 'supertest';
import { select, selectOne } from '../../records/sql';
import type { StaffPrincipal } from '../../records/staff';
import { PASSWORD } from '../api/support/case-work';
import { startCamundaStack, type CamundaStack } from './support/camunda-stack';

let stack: CamundaStack;

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';
const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

/** Review (candidate group: the test team) with task listeners; a `withdrawn` message interrupts it. */
const REVIEWED = (team: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="listened-review" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
    <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:assignmentDefinition candidateGroups="${team}" />
      <zeebe:taskListeners>
        <zeebe:taskListener eventType="assigning" type="tl-assign" />
        <zeebe:taskListener eventType="updating" type="tl-update" />
        <zeebe:taskListener eventType="completing" type="tl-complete" />
        <zeebe:taskListener eventType="canceling" type="tl-cancel" />
      </zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
    ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />
    <bpmn:boundaryEvent id="Withdrawn" attachedToRef="Review"><bpmn:messageEventDefinition messageRef="M" /></bpmn:boundaryEvent>
    ${flow('f3', 'Withdrawn', 'E2')}<bpmn:endEvent id="E2" />
  </bpmn:process>
  <bpmn:message id="M" name="withdrawn"><bpmn:extensionElements><zeebe:subscription correlationKey="=case" /></bpmn:extensionElements></bpmn:message>
</bpmn:definitions>`;

beforeAll(async () => {
  stack = await startCamundaStack();
  const form = new FormData();
  form.append('resources', new File([REVIEWED(stack.team)], 'review.bpmn', { type: 'application/xml' }));
  const res = await fetch(`${stack.address}/v2/deployments`, {
    method: 'POST',
    headers: { authorization: auth(stack.admin) },
    body: form,
  });
  if (res.status !== 200) throw new Error(`deploy: ${res.status} ${await res.text()}`);
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const auth = (user: StaffPrincipal) => `Basic ${Buffer.from(`${user.username}:${PASSWORD}`).toString('base64')}`;

async function v2(user: StaffPrincipal, method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.address}/v2${path}`, {
    method,
    headers: { authorization: auth(user), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Activates the one job of `type` (polling), as a job worker would. */
async function activate(
  type: string,
): Promise<{ jobKey: string; kind: string; listenerEventType: string; customHeaders: Record<string, string> }> {
  for (let i = 0; i < 100; i++) {
    const res = await v2(stack.worker, 'POST', '/jobs/activation', {
      type,
      maxJobsToActivate: 1,
      timeout: 30_000,
      requestTimeout: 200,
    });
    const jobs = (res.body.jobs ?? []) as Array<{
      jobKey: string;
      kind: string;
      listenerEventType: string;
      customHeaders: Record<string, string>;
    }>;
    if (jobs.length > 0) return jobs[0];
  }
  throw new Error(`no ${type} job`);
}

const completeJob = (jobKey: string, result?: unknown) =>
  v2(stack.worker, 'POST', `/jobs/${jobKey}/completion`, result ? { result } : {});

async function startReview(caseId: string): Promise<{ instanceKey: string; taskKey: string }> {
  const created = await v2(stack.admin, 'POST', '/process-instances', {
    processDefinitionId: 'listened-review',
    variables: { case: caseId },
  });
  expect(created.status).toBe(200);
  const instanceKey = String(created.body.processInstanceKey);
  for (let i = 0; i < 100; i++) {
    const { body } = await v2(stack.admin, 'POST', '/user-tasks/search', {
      filter: { processInstanceKey: instanceKey, state: 'CREATED' },
    });
    const items = (body.items ?? []) as Array<{ userTaskKey: string }>;
    if (items.length > 0) return { instanceKey, taskKey: items[0].userTaskKey };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no review task');
}

const taskRow = (taskKey: string) =>
  selectOne<{ assignee: string | null; priority: number; status: string; dueAt: Date | null }>(
    stack.db,
    'SELECT assignee, priority, status, due_at FROM human_tasks WHERE key = $1',
    [taskKey],
  );

async function instanceState(instanceKey: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const { body } = await v2(stack.admin, 'GET', `/process-instances/${instanceKey}`);
    if (body.state !== 'ACTIVE') return String(body.state);
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'ACTIVE';
}

test('assigning, then completing: denied once with its reason, then completed; the requests wait for the listeners', async () => {
  const { instanceKey, taskKey } = await startReview('case-1');
  // The caseworker claims it: the assigning listener runs and corrects the priority.
  const claim = v2(stack.caseworker, 'POST', `/user-tasks/${taskKey}/assignment`, {
    assignee: stack.caseworker.username,
  });
  const assigning = await activate('tl-assign');
  expect(assigning).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'ASSIGNING' });
  expect((await taskRow(taskKey))?.assignee).toBeNull(); // not before the listener has completed
  expect((await completeJob(assigning.jobKey, { type: 'userTask', corrections: { priority: 80 } })).status).toBe(204);
  expect((await claim).status).toBe(204);
  expect(await taskRow(taskKey)).toMatchObject({
    assignee: stack.caseworker.username,
    priority: 80,
    status: 'claimed',
  });

  // The first completion is denied by the completing listener: 409 with the reason; the task stays open.
  const first = v2(stack.caseworker, 'POST', `/user-tasks/${taskKey}/completion`, { variables: { ok: false } });
  const denying = await activate('tl-complete');
  expect(denying.listenerEventType).toBe('COMPLETING');
  await completeJob(denying.jobKey, { type: 'userTask', denied: true, deniedReason: 'the outcome is missing' });
  const refused = await first;
  expect(refused.status).toBe(409);
  expect(String(refused.body.detail)).toMatch(/denied it: the outcome is missing/);
  expect(await taskRow(taskKey)).toMatchObject({ status: 'claimed' });

  // A creating or canceling listener may not deny; an assigning one may, not a variable-carrying completion.
  const second = v2(stack.caseworker, 'POST', `/user-tasks/${taskKey}/completion`, { variables: { ok: true } });
  const passing = await activate('tl-complete');
  expect(
    (await v2(stack.worker, 'POST', `/jobs/${passing.jobKey}/completion`, { variables: { sneaky: 1 } })).status,
  ).toBe(400);
  await completeJob(passing.jobKey);
  expect((await second).status).toBe(204);
  expect(await taskRow(taskKey)).toMatchObject({ status: 'completed' });
  expect(await instanceState(instanceKey)).toBe('COMPLETED');
  const { body } = await v2(stack.admin, 'POST', '/variables/search', { filter: { processInstanceKey: instanceKey } });
  expect((body.items as Array<{ name: string; value: string }>).find((v) => v.name === 'ok')?.value).toBe('true');
}, 120_000);

test('updating: a PATCH waits for the updating listener, which may deny it', async () => {
  const { taskKey } = await startReview('case-2');
  const denied = v2(stack.admin, 'PATCH', `/user-tasks/${taskKey}`, { changeset: { priority: 5 } });
  const vetting = await activate('tl-update');
  expect(vetting.listenerEventType).toBe('UPDATING');
  await completeJob(vetting.jobKey, { type: 'userTask', denied: true });
  expect((await denied).status).toBe(409);
  expect((await taskRow(taskKey))?.priority).toBe(50);

  const passed = v2(stack.admin, 'PATCH', `/user-tasks/${taskKey}`, {
    changeset: { priority: 5, dueDate: '2026-12-01T17:00:00Z' },
  });
  const update = await activate('tl-update');
  // The published schema wants the result's type.
  expect((await completeJob(update.jobKey, { corrections: { priority: 7 } })).status).toBe(400);
  expect((await completeJob(update.jobKey, { type: 'userTask', corrections: { priority: 7 } })).status).toBe(204);
  expect((await passed).status).toBe(204);
  expect(await taskRow(taskKey)).toMatchObject({ priority: 7, dueAt: new Date('2026-12-01T17:00:00Z') });
  const audit = await select<{ action: string }>(
    stack.db,
    `SELECT action FROM audit_events WHERE action = 'task.update' AND detail->>'userTaskKey' = $1`,
    [taskKey],
  );
  expect(audit).toHaveLength(1);
}, 120_000);

test('canceling: a task interrupted by a message runs its canceling listener; the process completes once it has', async () => {
  const { instanceKey, taskKey } = await startReview('case-3');
  const published = await v2(stack.manager, 'POST', '/messages/correlation', {
    name: 'withdrawn',
    correlationKey: 'case-3',
    variables: {},
  });
  expect(published.status).toBe(200);
  const canceling = await activate('tl-cancel');
  expect(canceling).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'CANCELING' });
  expect(await taskRow(taskKey)).toMatchObject({ status: 'cancelled' });
  expect((await v2(stack.admin, 'GET', `/process-instances/${instanceKey}`)).body.state).toBe('ACTIVE');
  // A canceling listener cannot deny the cancellation.
  expect((await completeJob(canceling.jobKey, { type: 'userTask', denied: true })).status).toBe(400);
  expect((await completeJob(canceling.jobKey)).status).toBe(204);
  expect(await instanceState(instanceKey)).toBe('COMPLETED');
}, 120_000);

/** Signs in to CHIS Flow's own API as the web UI does (session cookie, CSRF token). */
async function signIn(user: StaffPrincipal) {
  const agent = request.agent(stack.address);
  const res = await agent.post('/api/auth/login').send({ username: user.username, password: PASSWORD });
  expect(res.status).toBe(200);
  const csrf = String(res.body.csrfToken);
  // Sent at once (a supertest request starts only when awaited), answered when the listeners have run.
  return (path: string, body: object = {}) =>
    new Promise<request.Response>((resolve, reject) => {
      agent.post(`/api${path}`).set('x-csrf-token', csrf).send(body).then(resolve, reject);
    });
}

test("/api's claim, unclaim and assign (the web UI's) pass the assigning listeners: corrections written, a denial refused", async () => {
  const { taskKey } = await startReview('case-4');
  const row = await selectOne<{ id: string }>(stack.db, 'SELECT id FROM human_tasks WHERE key = $1', [taskKey]);
  const taskId = row!.id;
  const caseworker = await signIn(stack.caseworker);

  // The claim waits for the listener, which sees the claimant and corrects the priority.
  const claim = caseworker(`/tasks/${taskId}/claim`);
  const claiming = await activate('tl-assign');
  expect(claiming.customHeaders).toMatchObject({
    'io.camunda.zeebe:action': 'assign',
    'io.camunda.zeebe:assignee': stack.caseworker.username,
  });
  expect((await taskRow(taskKey))?.status).toBe('open');
  await completeJob(claiming.jobKey, { type: 'userTask', corrections: { priority: 70 } });
  const claimed = await claim;
  expect(claimed.status).toBe(200);
  expect(claimed.body).toMatchObject({ status: 'claimed', assignee: stack.caseworker.username, priority: 70 });
  expect(await taskRow(taskKey)).toMatchObject({
    status: 'claimed',
    assignee: stack.caseworker.username,
    priority: 70,
  });

  // An unclaim the listener denies: 409 with its reason, the task stays claimed.
  const unclaim = caseworker(`/tasks/${taskId}/unclaim`);
  const unclaiming = await activate('tl-assign');
  await completeJob(unclaiming.jobKey, { type: 'userTask', denied: true, deniedReason: 'hand it over first' });
  const refused = await unclaim;
  expect(refused.status).toBe(409);
  expect(String(refused.body.detail)).toMatch(/hand it over first/);
  expect(await taskRow(taskKey)).toMatchObject({ status: 'claimed', assignee: stack.caseworker.username });

  // An administrator's reassignment back to the queue, corrected by the listener to a due date.
  const admin = await signIn(stack.admin);
  const assign = admin(`/tasks/${taskId}/assign`, { assignee: null });
  const assigning = await activate('tl-assign');
  await completeJob(assigning.jobKey, { type: 'userTask', corrections: { dueDate: '2026-12-24T12:00:00Z' } });
  expect((await assign).status).toBe(200);
  expect(await taskRow(taskKey)).toMatchObject({
    status: 'open',
    assignee: null,
    dueAt: new Date('2026-12-24T12:00:00Z'),
  });
}, 120_000);

test("completing: the listener's corrections are written to the completed task, as /v2's search and /api show it", async () => {
  const { taskKey } = await startReview('case-5');
  const claim = v2(stack.caseworker, 'POST', `/user-tasks/${taskKey}/assignment`, {
    assignee: stack.caseworker.username,
  });
  await completeJob((await activate('tl-assign')).jobKey);
  expect((await claim).status).toBe(204);

  const completion = v2(stack.caseworker, 'POST', `/user-tasks/${taskKey}/completion`, { variables: { ok: true } });
  const completing = await activate('tl-complete');
  await completeJob(completing.jobKey, {
    type: 'userTask',
    corrections: { priority: 95, followUpDate: '2027-01-04T09:00:00Z', candidateGroups: ['audit-team'] },
  });
  expect((await completion).status).toBe(204);
  expect(await taskRow(taskKey)).toMatchObject({ status: 'completed', priority: 95 });

  const { body } = await v2(stack.admin, 'POST', '/user-tasks/search', { filter: { userTaskKey: taskKey } });
  expect(body.items).toEqual([
    expect.objectContaining({
      state: 'COMPLETED',
      priority: 95,
      followUpDate: '2027-01-04T09:00:00.000Z',
      candidateGroups: ['audit-team'],
      assignee: stack.caseworker.username,
    }),
  ]);
  const row = await selectOne<{ id: string }>(stack.db, 'SELECT id FROM human_tasks WHERE key = $1', [taskKey]);
  const agent = request.agent(stack.address);
  await agent.post('/api/auth/login').send({ username: stack.caseworker.username, password: PASSWORD });
  const read = await agent.get(`/api/tasks/${row!.id}`);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ status: 'completed', priority: 95 });
}, 120_000);
