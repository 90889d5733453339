/**
 * Issue 5: when the task row write fails after the workflow accepted a completeUserTask update,
 * the row must not stay claimed forever. The accepted update is made here directly through the
 * Temporal client (exactly the state a failed row write leaves: the workflow moved on, the row
 * still claimed); the next completion attempt, and the periodic sweep, bring the row in line.
 */
import { randomUUID } from 'node:crypto';
import { reconcileTasks } from '../../engine-client/task-reconciliation';
import { startTaskReconciliation } from '../../workers/task-reconciliation';
import { select } from '../../records/sql';
import { findTask, type HumanTask } from '../../records/tasks/rows';
import { completeUserTaskUpdate, instanceStateQuery } from '../../workflows/contract';
import { diagram, eventually, post, startProcessApi, type ProcessApi } from './support/process-api';
import { BIRMINGHAM, makeStaff, signIn, type SignedIn } from './support/case-work';

let api: ProcessApi;
let manager: SignedIn;
let amy: SignedIn;

const task = (id: string, name: string) => `
    <bpmn:userTask id="${id}" name="${name}">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="health-visitors" /></bpmn:extensionElements>
    </bpmn:userTask>`;

const twoSteps = diagram(
  'api-two-steps',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
    ${task('Review', 'Review')}
    <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="Approve" />
    ${task('Approve', 'Approve')}
    <bpmn:sequenceFlow id="F3" sourceRef="Approve" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
);

beforeAll(async () => {
  api = await startProcessApi({});
  manager = await signIn(api.app, await makeStaff(api.db, 'service_manager'));
  amy = await signIn(
    api.app,
    await makeStaff(api.db, 'caseworker', { localityIds: [BIRMINGHAM], teamCodes: ['health-visitors'] }),
  );
  await manager.agent
    .post('/api/process-definitions')
    .set('X-CSRF-Token', manager.csrf)
    .set('Content-Type', 'application/xml')
    .send(twoSteps)
    .expect(201);
}, 180_000);
afterAll(() => api?.close(), 180_000);

async function start(): Promise<string> {
  return (
    await post(manager, '/api/process-instances', {
      key: 'api-two-steps',
      businessKey: `recon-${randomUUID()}`,
    }).expect(201)
  ).body.id;
}

/** The row of the open user task at `elementId`, once the workflow has opened it. */
async function openTask(instanceId: string, elementId: string): Promise<HumanTask> {
  const handle = api.t.env.client.workflow.getHandle(instanceId);
  return eventually(
    async () => {
      const view = await handle.query(instanceStateQuery).catch(() => null);
      const id = view?.openUserTasks.find((t) => t.elementId === elementId)?.taskId;
      return id ? findTask(api.db, id) : null;
    },
    (row) => row !== null,
    `the ${elementId} task row`,
  ) as Promise<HumanTask>;
}

/** What a completion whose row write failed leaves behind: the workflow accepted, the row untouched. */
async function acceptWithoutRowWrite(t: HumanTask, outcome: string, data: Record<string, unknown>): Promise<void> {
  await api.t.env.client.workflow.getHandle(t.processInstanceId).executeUpdate(completeUserTaskUpdate, {
    args: [{ taskId: t.id, outcome, data, actor: amy.user.username }],
  });
}

test('next completion attempt, process still running: 409, and the row completed as the workflow accepted it', async () => {
  const id = await start();
  const review = await openTask(id, 'Review');
  await post(amy, `/api/tasks/${review.id}/claim`).expect(200);
  await acceptWithoutRowWrite(review, 'accepted', { note: 'seen' });
  await openTask(id, 'Approve'); // the workflow has moved on
  expect((await findTask(api.db, review.id))!.status).toBe('claimed');

  const again = await post(amy, `/api/tasks/${review.id}/complete`, { outcome: 'other', data: {} });
  expect(again.status).toBe(409);
  expect(again.body.detail).toBe(
    `The process had already accepted a completion of this task by ${amy.user.username}; the task now shows it`,
  );
  expect(await findTask(api.db, review.id)).toMatchObject({
    status: 'completed',
    outcome: 'accepted',
    data: { note: 'seen' },
    completedBy: amy.user.username,
  });
});

test('next completion attempt, process ended with that completion: 409, the row completed', async () => {
  const id = await start();
  const review = await openTask(id, 'Review');
  await acceptWithoutRowWrite(review, 'ok', {});
  const approve = await openTask(id, 'Approve');
  await post(amy, `/api/tasks/${approve.id}/claim`).expect(200);
  await acceptWithoutRowWrite(approve, 'approved', {});
  await api.t.env.client.workflow.getHandle(id).result();

  const again = await post(amy, `/api/tasks/${approve.id}/complete`, { outcome: 'approved', data: {} });
  expect(again.status).toBe(409);
  expect(await findTask(api.db, approve.id)).toMatchObject({
    status: 'completed',
    outcome: 'approved',
    completedBy: amy.user.username,
  });
});

test('the periodic sweep: accepted completions completed, tasks the process no longer has cancelled, live tasks left alone', async () => {
  // 1. accepted by the workflow, row still claimed
  const a = await start();
  const accepted = await openTask(a, 'Review');
  await post(amy, `/api/tasks/${accepted.id}/claim`).expect(200);
  await acceptWithoutRowWrite(accepted, 'done', { checked: true });
  await openTask(a, 'Approve');
  // 2. a live task someone holds
  const b = await start();
  const live = await openTask(b, 'Review');
  await post(amy, `/api/tasks/${live.id}/claim`).expect(200);
  // 3. a row of an instance that was terminated outside the engine's control
  const c = await start();
  const orphan = await openTask(c, 'Review');
  await api.t.env.client.workflow.getHandle(c).terminate('test: killed by an operator');
  await eventually(
    async () => (await api.t.env.client.workflow.getHandle(c).describe()).status.name,
    (s) => s === 'TERMINATED',
    'termination',
  );
  await select(api.db, `UPDATE process_instances SET status = 'terminated' WHERE id = $1 RETURNING id`, [c]);
  // 4. a row the running workflow never had (its cancellation was lost)
  const stray = randomUUID();
  await select(
    api.db,
    `INSERT INTO human_tasks (id, process_instance_id, element_id, name, status, assignee, claimed_at) VALUES ($1, $2, 'Review', 'Review', 'claimed', $3, now()) RETURNING id`,
    [stray, b, amy.user.username],
  );

  const result = await reconcileTasks(api.t.env.client, api.db, { claimedForMs: 0, limit: 1000 });
  // The sweep covers the whole table (earlier tests' rows too): at least ours were fixed.
  expect(result.next).toBeNull();
  expect(result.completed).toBeGreaterThanOrEqual(1);
  expect(result.cancelled).toBeGreaterThanOrEqual(2);
  expect(await findTask(api.db, accepted.id)).toMatchObject({
    status: 'completed',
    outcome: 'done',
    data: { checked: true },
  });
  expect((await findTask(api.db, live.id))!.status).toBe('claimed');
  expect((await findTask(api.db, orphan.id))!.status).toBe('cancelled');
  expect((await findTask(api.db, stray))!.status).toBe('cancelled');

  // The live task still completes normally afterwards.
  const done = await post(amy, `/api/tasks/${live.id}/complete`, { outcome: 'fine', data: {} });
  expect(done.status).toBe(200);
  await api.t.env.client.workflow.getHandle(b).terminate('test: done');
});

test('startTaskReconciliation runs the sweep on its interval until stopped', async () => {
  const id = await start();
  await openTask(id, 'Review');
  const stray = randomUUID();
  await select(
    api.db,
    `INSERT INTO human_tasks (id, process_instance_id, element_id, name, status, assignee, claimed_at) VALUES ($1, $2, 'Review', 'Review', 'claimed', $3, now()) RETURNING id`,
    [stray, id, amy.user.username],
  );
  const errors: unknown[] = [];
  const job = startTaskReconciliation(api.t.env.client, api.db, {
    intervalMs: 100,
    claimedForMs: 0,
    onError: (e) => errors.push(e),
  });
  try {
    await eventually(
      async () => (await findTask(api.db, stray))!.status,
      (s) => s === 'cancelled',
      'the periodic sweep',
    );
  } finally {
    await job.stop();
  }
  expect(errors).toEqual([]);
  await api.t.env.client.workflow.getHandle(id).terminate('test: done');
});
