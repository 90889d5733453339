/**
 * SLA escalation end to end on the embedded server: a user task's non-interrupting boundary
 * timers remind the team when it is overdue, then `humanTask.escalate` moves the open task to
 * the safeguarding leads' queue with the reason recorded and audited; a lead then completes it
 * through the same workflow update.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { createHumanTaskActivities } from '../../activities/human-task';
import { escalateHumanTask } from '../../records/tasks/escalation';
import { TemporalTaskCompleter } from '../../api/tasks/temporal-task-completer';
import { claimTask, findTask, type HumanTask } from '../../records/tasks/rows';
import { startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let t: EngineTestEnv;
let reminders = 0;

beforeAll(async () => {
  t = await startEngineTestEnv(
    ({ db, client, taskQueue }) => ({
      ...createHumanTaskActivities({ sequelize: db.sequelize, client, taskQueue }),
      'test.remind': async () => ({ reminded: ++reminders }),
    }),
    ['test.remind'],
  );
  await t.deploy(fixture('escalation.bpmn'));
}, 120_000);

afterAll(() => t?.close(), 120_000);

async function taskWhen(taskId: string, predicate: (task: HumanTask) => boolean, what: string): Promise<HumanTask> {
  let task: HumanTask | null = null;
  for (let i = 0; i < 400; i++) {
    task = await findTask({ sequelize: t.db.sequelize }, taskId);
    if (task && predicate(task)) return task;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; task: ${JSON.stringify(task)}`);
}

test('overdue: a reminder; later: escalated to the leads with the reason; then a lead completes it', async () => {
  const db = { sequelize: t.db.sequelize };
  const h = await t.start('wf-escalation', { variables: { nhsNumber: '9434765919' }, businessKey: '9434765919' });
  const taskId = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task')).openUserTasks[0].taskId;
  const opened = await taskWhen(taskId, () => true, 'the task row');
  expect(opened).toMatchObject({ status: 'open', candidateGroups: ['coventry'], priority: 50, escalatedAt: null });
  const claimed = (await claimTask(db, taskId, 'amy'))!;
  expect(claimed.status).toBe('claimed');

  await t.env.sleep(7 * DAY + HOUR);
  const reminded = await t.waitFor(h, (s) => s.completed.some((c) => c.elementId === 'End_Reminded'), 'the reminder');
  expect(reminders).toBe(1);
  expect(reminded.openUserTasks.map((u) => u.elementId)).toEqual(['Accept']);
  expect(await findTask(db, taskId)).toMatchObject({
    status: 'claimed',
    assignee: 'amy',
    candidateGroups: ['coventry'],
    escalatedAt: null,
  });

  await t.env.sleep(7 * DAY);
  const escalated = await taskWhen(taskId, (task) => task.escalatedAt !== null, 'the escalation');
  expect(escalated).toMatchObject({
    status: 'open',
    assignee: null,
    candidateGroups: ['safeguarding_lead'],
    candidateUsers: [],
    priority: 90,
    escalationReason: 'Transfer of 9434765919 not accepted within 14 days',
    rowVersion: claimed.rowVersion + 1,
  });
  const view = await t.waitFor(
    h,
    (s) => s.completed.some((c) => c.elementId === 'End_Escalated'),
    'the escalation path',
  );
  expect(view.openUserTasks.map((u) => u.taskId)).toEqual([taskId]);
  expect(view.variables).toMatchObject({ escalatedTasks: 1, reminded: 1 });
  const queue = await t.db.sequelize.query<{ candidate: string }>(
    'SELECT candidate FROM human_task_candidates WHERE task_id = $1',
    { type: QueryTypes.SELECT, bind: [taskId] },
  );
  expect(queue.map((q) => q.candidate)).toEqual(['safeguarding_lead']);
  const audits = await t.db.sequelize.query<Record<string, unknown>>(
    `SELECT actor_username, action, entity_type, entity_id, reason, detail FROM audit_events WHERE entity_id = $1`,
    { type: QueryTypes.SELECT, bind: [taskId] },
  );
  expect(audits).toEqual([
    {
      actor_username: 'engine',
      action: 'task.escalate',
      entity_type: 'task',
      entity_id: taskId,
      reason: 'Transfer of 9434765919 not accepted within 14 days',
      detail: expect.objectContaining({
        processInstanceId: h.workflowId,
        elementId: 'Accept',
        fromGroups: ['coventry'],
        toGroups: ['safeguarding_lead'],
        previousAssignee: 'amy',
        previousPriority: 50,
        priority: 90,
      }),
    },
  ]);

  // Running the escalation again (an activity retry) changes nothing and audits nothing.
  expect(
    await escalateHumanTask(
      { sequelize: t.db.sequelize },
      {
        processInstanceId: h.workflowId,
        elementId: 'Accept',
        toGroups: ['safeguarding_lead'],
        reason: 'Transfer of 9434765919 not accepted within 14 days',
        priority: 90,
      },
    ),
  ).toEqual([]);
  expect((await findTask(db, taskId))?.rowVersion).toBe(escalated.rowVersion);

  const lead = (await claimTask(db, taskId, 'sl.coventry'))!;
  await new TemporalTaskCompleter(t.env.client, db).complete(lead, {
    outcome: 'accept',
    data: {},
    actor: { id: 2, username: 'sl.coventry' },
  });
  const result = await t.result(h);
  expect(result.status).toBe('completed');
  expect(result.variables).toMatchObject({ nhsNumber: '9434765919', outcome: 'accept', escalatedTasks: 1 });
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Overdue',
    'Remind',
    'End_Reminded',
    'Breached',
    'EscalateToLead',
    'End_Escalated',
    'Accept',
    'End_Accepted',
    'wf-escalation',
  ]);
  expect(await findTask(db, taskId)).toMatchObject({
    status: 'completed',
    completedBy: 'sl.coventry',
    escalationReason: 'Transfer of 9434765919 not accepted within 14 days',
  });
});

test.each([
  ['no groups', '= []', 'toGroups'],
  [
    'a group nobody belongs to',
    'safeguarding-leeds',
    'toGroups: "safeguarding-leeds" is not a team code or a role name',
  ],
])('bad escalation input (%s) raises an incident naming the field', async (_case, groups, message) => {
  const key = `wf-escalation-bad-${groups.length}`;
  const bad = fixture('escalation.bpmn')
    .replace('id="wf-escalation"', `id="${key}"`)
    .replace(
      '<zeebe:input source="safeguarding_lead" target="toGroups" />',
      `<zeebe:input source="${groups}" target="toGroups" />`,
    );
  await t.deploy(bad);
  const h = await t.start(key, { variables: { nhsNumber: '9434765919' } });
  const taskId = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task')).openUserTasks[0].taskId;
  await t.env.sleep(14 * DAY + HOUR);
  const view = await t.waitFor(h, (s) => s.incidents.length > 0, 'the incident');
  expect(view.incidents[0]).toMatchObject({
    kind: 'jobFailed',
    elementId: 'EscalateToLead',
    message: expect.stringContaining(message),
  });
  expect(await findTask({ sequelize: t.db.sequelize }, taskId)).toMatchObject({
    candidateGroups: ['coventry'],
    escalatedAt: null,
  });
  await h.cancel();
});
