/**
 * User tasks through Temporal: the task row is written, completion arrives as an update whose
 * validator refuses bad completions without touching history; weekly non-interrupting
 * reminders and an interrupting escalation after 28 days (time skipping).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { TaskCompletionConflict, TaskCompletionRefused } from '../../api/tasks/task-completer';
import { claimTask, findTask } from '../../records/tasks/rows';
import { TemporalTaskCompleter } from '../../api/tasks/temporal-task-completer';
import { engineWorkflowBundle } from '../../workers/workflow-bundle';
import { completeUserTaskUpdate } from '../../workflows/contract';
import { humanTaskRow, instanceRow, startEngineTestEnv, type EngineTestEnv } from './support';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const DAY = 24 * 3600 * 1000;

let t: EngineTestEnv;
let reminders = 0;

beforeAll(async () => {
  t = await startEngineTestEnv({ 'test.remind': async () => ({ remindedAt: ++reminders }) }, ['test.remind']);
  await t.deploy(fixture('transfer-acceptance.bpmn'));
  await t.deploy(fixture('plain-date-deadline.bpmn'));
}, 120_000);

afterAll(() => t?.close(), 120_000);

test('opens a task row, refuses bad completions synchronously, completes through the update', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' }, businessKey: '9434765919' });
  const view = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task');
  const task = view.openUserTasks[0];
  expect(task).toMatchObject({ elementId: 'Accept', name: 'Accept transfer' });

  let row: Record<string, unknown> | undefined;
  for (let i = 0; i < 100 && !(row = await humanTaskRow(t.db, task.taskId)); i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(row).toMatchObject({
    process_instance_id: h.workflowId,
    element_id: 'Accept',
    status: 'open',
    candidate_groups: ['coventry'],
    priority: 70,
    business_key: '9434765919',
  });
  expect((row!.due_at as Date).getTime() - (row!.created_at as Date).getTime()).toBeGreaterThan(13 * DAY);
  expect((row!.form as { fields: Array<{ key: string }> }).fields.map((f) => f.key)).toEqual(['decision', 'visits']);

  const refuse = (args: Record<string, unknown>) => h.executeUpdate(completeUserTaskUpdate, { args: [args as never] });
  await expect(refuse({ taskId: task.taskId, data: {}, actor: 'amy' })).rejects.toThrow(WorkflowUpdateFailedError);
  const wrongType = await refuse({
    taskId: task.taskId,
    data: { decision: 'accept', visits: 'two' },
    actor: 'amy',
  }).catch((e: WorkflowUpdateFailedError) => e);
  expect(String((wrongType as WorkflowUpdateFailedError).cause?.message)).toMatch(
    /field "visits" \(Visits planned\) should be a number/,
  );
  await expect(
    refuse({ taskId: '00000000-0000-4000-8000-000000000000', data: { decision: 'accept' }, actor: 'amy' }),
  ).rejects.toThrow(WorkflowUpdateFailedError);
  await expect(refuse({ taskId: task.taskId, data: { decision: 'accept' }, actor: '' })).rejects.toThrow(
    WorkflowUpdateFailedError,
  );
  const history = await h.fetchHistory();
  expect(
    history.events!.filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes,
    ),
  ).toEqual([]);

  const accepted = await h.executeUpdate(completeUserTaskUpdate, {
    args: [{ taskId: task.taskId, outcome: 'accept', data: { decision: 'accept', visits: 2 }, actor: 'amy' }],
  });
  expect(accepted).toEqual({ taskId: task.taskId, elementId: 'Accept', status: 'completed' });
  const result = await t.result(h);
  expect(result).toEqual({
    status: 'completed',
    variables: { nhsNumber: '9434765919', decision: 'accept', visits: 2, outcome: 'accept' },
  });
  expect((await t.state(h)).completed.map((c) => c.elementId)).toEqual([
    'Start',
    'Accept',
    'End_Accepted',
    'wf-transfer',
  ]);
});

test('the engine writes task rows and the status mirror as local activities (a patch marker, no activity tasks)', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' } });
  const view = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task');
  await h.executeUpdate(completeUserTaskUpdate, {
    args: [
      {
        taskId: view.openUserTasks[0].taskId,
        outcome: 'accept',
        data: { decision: 'accept', visits: 1 },
        actor: 'amy',
      },
    ],
  });
  await t.result(h);
  const events = (await h.fetchHistory()).events ?? [];
  const types = events.map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0]);
  expect(types).not.toContain('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
  const markers = events.flatMap((e) =>
    e.markerRecordedEventAttributes?.markerName ? [e.markerRecordedEventAttributes.markerName] : [],
  );
  // The patch markers (local engine writes, plain dates in England, cron and zone ids in timers, zone ids
  // in task dates, canceling listeners holding, new-task listener headers, canceling listeners
  // holding a completion condition, canceling listeners' corrections), then one local-activity
  // marker per write: running mirror, task row, completed mirror.
  expect(markers).toEqual([
    'core_patch',
    'core_patch',
    'core_patch',
    'core_patch',
    'core_patch',
    'core_patch',
    'core_patch',
    'core_patch',
    'core_local_activity',
    'core_local_activity',
    'core_local_activity',
  ]);
  expect(await instanceRow(t.db, h.workflowId)).toMatchObject({ status: 'completed' });
});

test('a plain-date deadline is midnight in England: 23:00 UTC the day before in summer, midnight UTC in winter', async () => {
  // UK clocks go forward on 29 March and back on 25 October 2026 (GOV.UK, "When do the clocks change?").
  const dueAt = async (deadline: string) => {
    const h = await t.start('wf-plain-date', { variables: { deadline } });
    const view = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the task');
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !(row = await humanTaskRow(t.db, view.openUserTasks[0].taskId)); i++)
      await new Promise((r) => setTimeout(r, 50));
    await h.cancel();
    return (row!.due_at as Date).toISOString();
  };
  expect(await dueAt('2027-03-28')).toBe('2027-03-28T00:00:00.000Z'); // the day the clocks go forward starts in GMT
  expect(await dueAt('2027-03-29')).toBe('2027-03-28T23:00:00.000Z');
  expect(await dueAt('2027-10-31')).toBe('2027-10-30T23:00:00.000Z'); // the day they go back starts in BST
  expect(await dueAt('2027-11-01')).toBe('2027-11-01T00:00:00.000Z');
});

test('an instance recorded while the engine queued its database activities replays on this code', async () => {
  // Recorded with the code before LOCAL_ENGINE_DB_PATCH: status mirror and task row as activity tasks.
  const json: unknown = JSON.parse(fixture('histories/engine-db-queued.json'));
  const history = temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
  expect(
    history.events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name),
  ).toEqual(['engineRecordInstance', 'engineOpenHumanTask', 'engineRecordInstance']);
  await Worker.runReplayHistory(
    { workflowBundle: await engineWorkflowBundle(), replayName: 'queued-engine-db' },
    history,
  );
});

test('reminds weekly while the task waits and escalates after 28 days, cancelling the task row', async () => {
  reminders = 0;
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' } });
  const opened = await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task');
  const first = opened.openUserTasks[0];
  await t.env.sleep(28 * DAY + 3600 * 1000);
  const escalated = await t.waitFor(
    h,
    (s) => s.openUserTasks.some((u) => u.elementId === 'Escalate'),
    'the escalation task',
  );
  expect(escalated.openUserTasks.map((u) => u.elementId)).toEqual(['Escalate']);
  expect(escalated.completed.find((c) => c.elementId === 'Accept')?.state).toBe('terminated');

  // Timing in workflow time: reminders on days 7, 14 and 21 (and maybe 28, when that timer
  // fires in the same instant as the escalation), the escalation on day 28 exactly.
  const t0 = opened.startedAt;
  const daysOf = (id: string) =>
    escalated.completed
      .filter((c) => c.elementId === id)
      .map((c) => Math.round(((c.startedAt - t0) / DAY) * 1000) / 1000); // to ~1.5 minutes
  expect(daysOf('Weekly').filter((d) => d < 28)).toEqual([7, 14, 21]);
  expect(daysOf('Overdue')).toEqual([28]);
  expect(daysOf('Weekly').every((d) => d <= 28)).toBe(true);
  expect(reminders).toBeGreaterThanOrEqual(3);

  let row: Record<string, unknown> | undefined;
  for (let i = 0; i < 100 && (row = await humanTaskRow(t.db, first.taskId))?.status !== 'cancelled'; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(row?.status).toBe('cancelled');

  const escalation = escalated.openUserTasks[0];
  await h.executeUpdate(completeUserTaskUpdate, { args: [{ taskId: escalation.taskId, data: {}, actor: 'lead' }] });
  expect((await t.result(h)).status).toBe('completed');
  const final = await t.state(h);
  expect(final.completed.filter((c) => c.state === 'completed').map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['Overdue', 'Escalate', 'End_Escalated']),
  );
  expect(final.completed.map((c) => c.elementId)).not.toContain('End_Accepted');
});

test('the Temporal task completer: of two concurrent completions exactly one wins, a refused one changes nothing', async () => {
  const h = await t.start('wf-transfer', { variables: { nhsNumber: '9434765919' } });
  const taskId = (await t.waitFor(h, (s) => s.openUserTasks.length === 1, 'the user task')).openUserTasks[0].taskId;
  const db = { sequelize: t.db.sequelize };
  for (let i = 0; i < 100 && !(await findTask(db, taskId)); i++) await new Promise((r) => setTimeout(r, 50));
  const claimed = (await claimTask(db, taskId, 'amy'))!;
  const completer = new TemporalTaskCompleter(t.env.client, db);
  const actor = { id: 1, username: 'amy' };

  await expect(completer.complete(claimed, { outcome: null, data: { visits: 'two' }, actor })).rejects.toBeInstanceOf(
    TaskCompletionRefused,
  );
  expect((await findTask(db, taskId))?.status).toBe('claimed');

  const outcomes = await Promise.allSettled([
    completer.complete(claimed, { outcome: 'accept', data: { decision: 'accept' }, actor }),
    completer.complete(claimed, { outcome: 'refer', data: { decision: 'refer' }, actor }),
  ]);
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
  expect(rejected.reason).toBeInstanceOf(TaskCompletionConflict);
  const row = (await findTask(db, taskId))!;
  expect(row.status).toBe('completed');
  const result = await t.result(h);
  expect(result.variables.decision).toBe(row.data?.decision);
});
