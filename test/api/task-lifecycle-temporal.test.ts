/**
 * The task lifecycle end to end: a running BPMN process (the engine's workflow on the embedded
 * Temporal server) opens a user task; staff claim it and complete it through the HTTP API; the
 * completion reaches the workflow as its `completeUserTask` update and the process finishes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { TemporalTaskCompleter } from '../../api/tasks/temporal-task-completer';
import type { Db } from '../../records/sql';
import { createTeam } from '../../records/staff';
import { findTask, type HumanTask } from '../../records/tasks/rows';
import { startEngineTestEnv, type EngineTestEnv } from '../workflows/support';
import { COVENTRY, TEST_AUTH, auditRows, makeStaff, signIn, type SignedIn } from './support/case-work';

const fixture = readFileSync(join(__dirname, '../workflows/fixtures/transfer-acceptance.bpmn'), 'utf8');

let t: EngineTestEnv;
let db: Db;
let app: Express;
let amy: SignedIn;
let ben: SignedIn;

beforeAll(async () => {
  t = await startEngineTestEnv({ 'test.remind': async () => ({}) }, ['test.remind']);
  await t.deploy(fixture);
  db = { sequelize: t.db.sequelize };
  app = createApp({
    logger: pino({ level: 'silent' }),
    health: {},
    caseWork: {
      db,
      auth: TEST_AUTH,
      taskListenerWaitMs: 30_000,
      taskCompleter: new TemporalTaskCompleter(t.env.client, db),
    },
  });
  await createTeam(db, { code: 'coventry', name: 'Coventry records', kind: 'records', localityId: COVENTRY });
  amy = await signIn(app, await makeStaff(db, 'caseworker', { localityIds: [COVENTRY], teamCodes: ['coventry'] }));
  ben = await signIn(app, await makeStaff(db, 'caseworker', { localityIds: [COVENTRY], teamCodes: ['coventry'] }));
}, 120_000);

afterAll(() => t?.close(), 120_000);

async function openedTask(workflowId: string): Promise<HumanTask> {
  for (let i = 0; i < 200; i++) {
    const view = await t.state(t.env.client.workflow.getHandle(workflowId)).catch(() => null);
    const id = view?.openUserTasks[0]?.taskId;
    const row = id ? await findTask(db, id) : null;
    if (row) return row;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the user task row did not appear');
}

const post = (s: SignedIn, path: string, body: object) => s.agent.post(path).set('X-CSRF-Token', s.csrf).send(body);

test('claim and complete through the API; the workflow accepts the update and the process ends', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' }, businessKey: '9434765919' });
  const task = await openedTask(h.workflowId);
  expect(task).toMatchObject({ status: 'open', candidateGroups: ['coventry'], processKey: 'wf-transfer' });

  const queue = await amy.agent.get('/api/tasks/queues/unclaimed');
  expect(queue.body.tasks.map((x: { id: string }) => x.id)).toContain(task.id);

  const claims = await Promise.all([
    post(amy, `/api/tasks/${task.id}/claim`, {}),
    post(ben, `/api/tasks/${task.id}/claim`, {}),
  ]);
  expect(claims.map((r) => r.status).sort()).toEqual([200, 409]);
  const winner = claims[0].status === 200 ? amy : ben;

  const wrong = await post(winner, `/api/tasks/${task.id}/complete`, {
    outcome: 'accept',
    data: { decision: 'maybe', visits: 'two' },
  });
  expect(wrong.status).toBe(400);
  expect(wrong.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.data.decision', 'body.data.visits']);
  const untouched = await h.fetchHistory();
  expect(untouched.events!.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);

  const done = await post(winner, `/api/tasks/${task.id}/complete`, {
    outcome: 'accept',
    data: { decision: 'accept', visits: 2 },
  });
  expect(done.status).toBe(200);
  expect(done.body).toMatchObject({
    status: 'completed',
    outcome: 'accept',
    data: { decision: 'accept', visits: 2 },
    completedBy: winner.user.username,
  });
  expect(await t.result(h)).toEqual({
    status: 'completed',
    variables: { nhsNumber: '9434765919', decision: 'accept', visits: 2, outcome: 'accept' },
  });
  const actions = (await auditRows(db, {})).filter((e) => e.entityId === task.id).map((e) => e.action);
  expect(actions).toEqual(['task.claim', 'task.complete']);
});

test('two concurrent completions: one reaches the workflow and wins, the other is a 409', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' } });
  const task = await openedTask(h.workflowId);
  await post(amy, `/api/tasks/${task.id}/claim`, {}).expect(200);
  const results = await Promise.all(
    ['accept', 'refer'].map((decision) =>
      post(amy, `/api/tasks/${task.id}/complete`, { outcome: decision, data: { decision } }),
    ),
  );
  expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  const winner = results.find((r) => r.status === 200)!;
  const result = await t.result(h);
  expect(result.variables.decision).toBe(winner.body.data.decision);
  const history = await h.fetchHistory();
  expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
});

test('a task whose process has ended cannot be completed: 422, the row stays claimed', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' } });
  const task = await openedTask(h.workflowId);
  await post(amy, `/api/tasks/${task.id}/claim`, {}).expect(200);
  await h.terminate('test: the process ended elsewhere');
  const res = await post(amy, `/api/tasks/${task.id}/complete`, { outcome: 'accept', data: { decision: 'accept' } });
  expect(res.status).toBe(422);
  expect((await findTask(db, task.id))!.status).toBe('claimed');
});
