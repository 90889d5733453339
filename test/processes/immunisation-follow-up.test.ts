/**
 * Missed-immunisation follow-up end to end on the embedded stack (time skipping): the daily
 * sweep (run as its BPMN process) finds an 8-week dose not given and starts a follow-up;
 * the family is reminded three times, two weeks apart, by their preferred contact method;
 * then the GP practice is emailed (received by the embedded SMTP server) and the locality
 * immunisation team gets a task. Appointment outcomes and immunisations arrive through the
 * inbound-event API. Two Was Not Brought (counted per child by the was-not-brought process) → a
 * safeguarding concern and the safeguarding lead's task; one is enough for a child on a child
 * protection plan. The
 * immunisation arriving (the right vaccine and dose) closes the follow-up, as do the child
 * passing the dose's upper age limit and the family declining.
 */
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { formatNhsNumber } from '../../core/nhs-number';
import { startOfLondonDay } from '../../core/uk-time';
import { DefinitionStore } from '../../records/definition-store';
import {
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  completeUserTaskUpdate,
  instanceStateQuery,
  type ProcessInstanceInput,
} from '../../workflows/contract';
import { addDays, giveDose, insertChild, type TestChild } from '../immunisation/support';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';

let stack: ChisStack;

chisStackPerFile({ children: 20 }, (started) => (stack = started));

const today = () => stack.now().toISOString().slice(0, 10);
const sql = <T extends object>(text: string, bind: unknown[]) =>
  stack.database.sequelize.query<T>(text, { type: QueryTypes.SELECT, bind });

/** A child whose 8-week doses became overdue today (grace 28 days); MenB 1 and rotavirus 1 on record, so only 6-in-1 dose 1 is missing. */
async function overdueChild(
  locality: string,
  familyEmail: string,
  safeguardingAlert = 'none',
): Promise<TestChild & { practiceEmail: string }> {
  const practice = await stack.practiceOf(locality);
  const dob = addDays(today(), -84);
  const child = await insertChild(stack.database.sequelize, {
    dateOfBirth: dob,
    localityId: practice.localityId,
    gpPracticeOds: practice.odsCode,
    safeguardingAlert,
    givenName: 'Ruby',
    familyName: 'Quill',
  });
  await stack.database.sequelize.query(
    `INSERT INTO contacts (child_id, relationship, name, email, preferred_method, is_primary) VALUES ($1, 'mother', 'Test Parent', $2, 'email', true)`,
    { bind: [child.id, familyEmail] },
  );
  await giveDose(stack.database.sequelize, child.id, 'menb', 1, addDays(dob, 60));
  await giveDose(stack.database.sequelize, child.id, 'rotavirus', 1, addDays(dob, 60));
  return { ...child, practiceEmail: practice.email };
}

/** Runs the daily sweep as the engine would at 02:00: an instance of the sweep process from its timer start event. */
async function runSweep(): Promise<{ found: number; started: number }> {
  const d = (await new DefinitionStore(stack.database.sequelize).withGraph('immunisation-overdue-sweep'))!;
  const input: ProcessInstanceInput = {
    definition: { id: d.id, key: d.key, version: d.version, graph: d.graph },
    variables: {},
    businessKey: null,
    startEventId: 'Start_Daily',
  };
  const h = await stack.engine.env.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `immunisation-overdue-sweep-${randomUUID()}`,
    args: [input],
  });
  // Queries, not result(): awaiting a result lets the time-skipping server jump ahead.
  const done = await stack.engine.waitFor(h, (s) => s.status !== 'running' || s.incidents.length > 0, 'the sweep');
  expect(done.incidents).toEqual([]);
  return { found: done.variables.found as number, started: done.variables.started as number };
}

const followUpId = (child: TestChild) => `immunisation-follow-up-${child.id}-6in1-1`;

/** An appointment outcome, as the appointment system reports it (POST /api/events/appointment-outcomes). */
async function wasNotBrought(child: TestChild, date: string): Promise<void> {
  const res = await stack.events
    .post('/api/events/appointment-outcomes')
    .send({ nhsNumber: child.nhsNumber, kind: 'immunisation', date, outcome: 'was_not_brought', vaccine: '6in1' });
  expect(res.status).toBe(202);
}

/** An immunisation given, as the GP system reports it (POST /api/events/immunisations): the dose goes on the record and immunisationGiven is published. */
async function immunisationGiven(child: TestChild, vaccine: string, dose: number): Promise<void> {
  const res = await stack.events
    .post('/api/events/immunisations')
    .send({ nhsNumber: child.nhsNumber, vaccine, dose, givenOn: today(), givenBy: 'GP practice nurse' });
  expect(res.status).toBe(202);
}

/** How many of the child's missed appointments the was-not-brought process has counted. */
async function wasNotBroughtAssessed(child: TestChild): Promise<number> {
  const [row] = await sql<{ n: number }>(
    "SELECT count(*)::int AS n FROM audit_events WHERE action = 'safeguarding.was_not_brought_assessed' AND child_id = $1",
    [child.id],
  );
  return row.n;
}

async function concernsOf(child: TestChild): Promise<Array<{ summary: string }>> {
  return sql<{ summary: string }>('SELECT summary FROM safeguarding_concerns WHERE child_id = $1 ORDER BY id', [
    child.id,
  ]);
}

async function safeguardingTasks(child: TestChild) {
  return (await stack.tasksFor(child.nhsNumber)).filter(
    (t) => t.processKey === 'safeguarding-escalation' && t.status === 'open',
  );
}

test('an 8-week dose not given: reminders, GP email, caseworker task; two Was Not Brought escalate; the immunisation closes it', async () => {
  const familyEmail = `parent-${randomUUID().slice(0, 8)}@example.com`;
  const child = await overdueChild('coventry', familyEmail);

  const swept = await runSweep();
  expect(swept.found).toBeGreaterThanOrEqual(1);
  expect(swept.started).toBe(swept.found);
  const instances = await stack.waitFor(async () => {
    const rows = await stack.instancesFor(child.nhsNumber);
    return rows.length > 0 && rows;
  }, 'the follow-up instance');
  expect(instances.map((i) => [i.id, i.processKey, i.status])).toEqual([
    [followUpId(child), 'immunisation-follow-up', 'running'],
  ]);
  const handle = stack.engine.env.client.workflow.getHandle(followUpId(child));

  // Reminder 1 at once, then every 14 days: 3 in all, by email (the family's preference).
  const remindersTo = async () => (await stack.receivedMail(familyEmail)).length;
  await stack.waitFor(async () => (await remindersTo()) === 1, 'the first reminder');
  await stack.skip('14 days');
  await stack.waitFor(async () => (await remindersTo()) === 2, 'the second reminder');
  await stack.skip('14 days');
  await stack.waitFor(async () => (await remindersTo()) === 3, 'the third reminder');
  const [reminder] = await stack.receivedMail(familyEmail);
  expect(reminder.textBody).toMatch(/immunisations/);
  expect(reminder.textBody).toContain('6in1 dose 1');
  expect(reminder.textBody).toContain('R.Q.');
  expect(reminder.textBody).not.toContain('Ruby');

  // No response two weeks after the last reminder: the GP practice is told, the immunisation team gets a task.
  await stack.skip('14 days');
  const gpMail = await stack.waitFor(async () => {
    const mails = (await stack.receivedMail(child.practiceEmail)).filter((m) =>
      m.textBody?.includes(formatNhsNumber(child.nhsNumber)),
    );
    return mails.length > 0 && mails;
  }, 'the GP practice email');
  expect(gpMail).toHaveLength(1);
  expect(gpMail[0].subject).toBe('CHIS: immunisations overdue for a child at your practice');
  expect(gpMail[0].textBody).toContain('6in1 dose 1');
  expect(gpMail[0].textBody).toContain('The family has been sent 3 reminders.');
  expect(gpMail[0].textBody).not.toContain('Ruby');
  const task = await stack.waitFor(
    async () => (await stack.tasksFor(child.nhsNumber)).find((t) => t.elementId === 'Task_Caseworker'),
    'the caseworker task',
  );
  expect(task).toMatchObject({
    name: 'Follow up the overdue immunisation',
    candidateGroups: ['coventry-immunisation'],
    status: 'open',
    childId: child.id,
    processKey: 'immunisation-follow-up',
  });
  expect(await remindersTo()).toBe(3);

  // One Was Not Brought is counted, not escalated; the second in 12 months escalates to a safeguarding lead
  // (the was-not-brought process, which counts the child's misses across every kind of appointment).
  await wasNotBrought(child, today());
  await stack.waitFor(async () => (await wasNotBroughtAssessed(child)) === 1, 'the first WNB counted');
  expect(await concernsOf(child)).toEqual([]);
  const firstMiss = today();
  await stack.skip('7 days');
  await wasNotBrought(child, today());
  const [concern] = await stack.waitFor(async () => {
    const c = await concernsOf(child);
    return c.length > 0 && c;
  }, 'the safeguarding concern');
  expect(concern.summary).toBe(
    `Was Not Brought to 2 appointments in the last 12 months: immunisation (DTaP/IPV/Hib/HepB (6-in-1)) on ${firstMiss}; immunisation (DTaP/IPV/Hib/HepB (6-in-1)) on ${today()}`,
  );
  const [lead] = await stack.waitFor(async () => {
    const t = await safeguardingTasks(child);
    return t.length > 0 && t;
  }, 'the safeguarding lead task');
  expect(lead.candidateGroups.join(' ')).toMatch(/coventry-safeguarding|safeguarding_lead/);

  // Another vaccine arriving changes nothing; 6-in-1 dose 1 closes the follow-up and cancels the caseworker task.
  await immunisationGiven(child, 'menb', 2);
  await stack.engine.waitFor(
    handle,
    (s) => s.completed.filter((c) => c.elementId === 'Catch_ImmunisationGiven').length === 1,
    'the other vaccine to be looked at',
  );
  expect((await handle.query(instanceStateQuery)).status).toBe('running');
  await immunisationGiven(child, '6in1', 1);
  // A terminate end event completes the instance, as in Camunda 8 (every other branch ends with it).
  const closed = await stack.engine.waitFor(handle, (s) => s.status === 'completed', 'the follow-up to close');
  expect(closed.completed.filter((c) => c.elementId === 'Catch_ImmunisationGiven')).toHaveLength(2);
  expect(closed.completed.map((c) => c.elementId)).toContain('End_Immunised');
  const [row] = await sql<{ status: string; outcome: string; escalated: boolean }>(
    'SELECT status, outcome, escalated_at IS NOT NULL AS escalated FROM immunisation_follow_ups WHERE child_id = $1',
    [child.id],
  );
  // Escalated by the child-level process, not by the follow-up.
  expect(row).toEqual({ status: 'closed', outcome: 'given', escalated: false });
  await stack.waitFor(
    async () => (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === task.id)?.status === 'cancelled',
    'the caseworker task to be cancelled',
  );
  const query = await handle.query(instanceStateQuery);
  expect(query.incidents).toEqual([]);
}, 300_000);

test('a child who dies during the follow-up: no further reminder goes to the family, the follow-up closes', async () => {
  const familyEmail = `parent-${randomUUID().slice(0, 8)}@example.com`;
  const child = await overdueChild('dudley', familyEmail);
  await runSweep();
  await stack.waitFor(async () => (await stack.instancesFor(child.nhsNumber)).length > 0, 'the follow-up instance');
  const handle = stack.engine.env.client.workflow.getHandle(followUpId(child));
  await stack.waitFor(async () => (await stack.receivedMail(familyEmail)).length === 1, 'the first reminder');

  await stack.database.sequelize.query(`UPDATE children SET status = 'deceased' WHERE id = $1`, { bind: [child.id] });
  await stack.skip('14 days');
  const closed = await stack.engine.waitFor(handle, (s) => s.status === 'completed', 'the follow-up to close');
  expect(closed.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['Event_ChildInactive', 'Task_CloseInactive', 'End_ChildInactive']),
  );
  expect(closed.incidents).toEqual([]);
  expect(await stack.receivedMail(familyEmail)).toHaveLength(1);
  expect(await sql('SELECT status, outcome FROM immunisation_follow_ups WHERE child_id = $1', [child.id])).toEqual([
    { status: 'closed', outcome: 'child_inactive' },
  ]);
  expect(
    await sql("SELECT reason FROM audit_events WHERE child_id = $1 AND action = 'notification.withheld'", [child.id]),
  ).toEqual([{ reason: 'child record is deceased' }]);
}, 240_000);

test('a death notified between reminders (POST /api/events/death-notifications): the follow-up closes as child_inactive and ends; no further reminder, no GP email', async () => {
  const familyEmail = `parent-${randomUUID().slice(0, 8)}@example.com`;
  const child = await overdueChild('walsall', familyEmail);
  await runSweep();
  await stack.waitFor(
    async () => (await stack.instancesFor(child.nhsNumber)).some((i) => i.id === followUpId(child)),
    'the follow-up instance',
  );
  const handle = stack.engine.env.client.workflow.getHandle(followUpId(child));
  await stack.waitFor(async () => (await stack.receivedMail(familyEmail)).length === 1, 'the first reminder');
  await stack.skip('14 days');
  await stack.waitFor(async () => (await stack.receivedMail(familyEmail)).length === 2, 'the second reminder');
  await stack.engine.waitFor(
    handle,
    (s) => s.active.some((a) => a.elementId === 'Timer_ReminderInterval'),
    'the wait for the next reminder',
  );

  const res = await stack.events
    .post('/api/events/death-notifications')
    .send({ nhsNumber: child.nhsNumber, dateOfDeath: today() });
  expect([res.status, res.body.messageName, res.body.instancesNotified]).toEqual([202, 'childDied', 1]);
  const ended = await stack.engine.waitFor(handle, (s) => s.status !== 'running', 'the follow-up to end');
  expect(ended.status).toBe('completed');
  expect(ended.incidents).toEqual([]);
  expect(ended.active).toEqual([]);
  expect(ended.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['Start_ChildDied', 'Task_CloseDeceased', 'End_ChildDied']),
  );
  expect(await sql('SELECT status, outcome FROM immunisation_follow_ups WHERE child_id = $1', [child.id])).toEqual([
    { status: 'closed', outcome: 'child_inactive' },
  ]);
  expect(await sql('SELECT status FROM children WHERE id = $1', [child.id])).toEqual([{ status: 'deceased' }]);

  // Past the third reminder and the GP email it would have led to: nothing is sent, no task is opened.
  await stack.skip('20 days');
  await stack.skip('20 days');
  expect(await stack.receivedMail(familyEmail)).toHaveLength(2);
  expect(
    (await stack.receivedMail(child.practiceEmail)).filter((m) =>
      m.textBody?.includes(formatNhsNumber(child.nhsNumber)),
    ),
  ).toEqual([]);
  expect((await stack.tasksFor(child.nhsNumber)).filter((t) => t.status === 'open')).toEqual([]);
}, 240_000);

test('one Was Not Brought is enough for a child on a child protection plan; the family declining closes the follow-up', async () => {
  const child = await overdueChild('birmingham', `cp-${randomUUID().slice(0, 8)}@example.com`, 'child_protection_plan');
  await runSweep();
  await stack.waitFor(
    async () => (await stack.instancesFor(child.nhsNumber)).some((i) => i.id === followUpId(child)),
    'the follow-up instance',
  );
  const handle = stack.engine.env.client.workflow.getHandle(followUpId(child));
  await stack.engine.waitFor(
    handle,
    (s) => s.active.some((a) => a.elementId === 'Catch_ImmunisationGiven'),
    'the follow-up to wait for the immunisation',
  );

  await wasNotBrought(child, today());
  const [concern] = await stack.waitFor(async () => {
    const c = await concernsOf(child);
    return c.length > 0 && c;
  }, 'the safeguarding concern');
  expect(concern.summary).toMatch(
    /^Was Not Brought to 1 appointment in the last 12 months \(child on a child protection plan: one miss is enough\): immunisation/,
  );
  await stack.waitFor(async () => (await safeguardingTasks(child)).length > 0, 'the safeguarding lead task');
  const state = await handle.query(instanceStateQuery);
  expect(state.status).toBe('running'); // still waiting for the immunisation
  expect(state.incidents).toEqual([]);

  // Reminders run out: the immunisation team's task (higher priority for a child with an alert); the family declines.
  // In two steps: a skip is also a real-time timer, which Node caps at about 24.8 days.
  await stack.skip('21 days');
  await stack.skip('21 days');
  const task = await stack.waitFor(
    async () =>
      (await stack.tasksFor(child.nhsNumber)).find((t) => t.elementId === 'Task_Caseworker' && t.status === 'open'),
    'the caseworker task',
  );
  expect(task).toMatchObject({ candidateGroups: ['birmingham-immunisation'], priority: 70 });
  await handle.executeUpdate(completeUserTaskUpdate, {
    args: [
      {
        taskId: task.id,
        outcome: 'declined',
        data: { decision: 'declined', note: 'Parents do not want the vaccine' },
        actor: 'cw.birmingham.imms',
      },
    ],
  });
  const declined = await stack.engine.waitFor(
    handle,
    (s) => s.status === 'completed',
    'the follow-up to close as declined',
  );
  expect(declined.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['Task_CloseDeclined', 'End_Declined']),
  );
  const [row] = await sql<{ outcome: string }>('SELECT outcome FROM immunisation_follow_ups WHERE child_id = $1', [
    child.id,
  ]);
  expect(row.outcome).toBe('declined');
}, 180_000);

test('rotavirus is no longer chased after its upper age limit; a dose recorded before the instance starts closes it at once', async () => {
  const sequelize = stack.database.sequelize;
  // Only rotavirus 1 missing: overdue today (12 weeks), last offered at 15 weeks less a day.
  const startDay = today();
  const rota = await overdueChild('dudley', `rota-${randomUUID().slice(0, 8)}@example.com`);
  await sequelize.query("DELETE FROM immunisation_events WHERE child_id = $1 AND vaccine = 'rotavirus'", {
    bind: [rota.id],
  });
  await giveDose(sequelize, rota.id, '6in1', 1, addDays(today(), -20));
  // A follow-up recorded by a sweep that stopped before starting it; the dose is then recorded.
  const lateEmail = `late-${randomUUID().slice(0, 8)}@example.com`;
  const late = await overdueChild('dudley', lateEmail);
  await sequelize.query(
    `INSERT INTO immunisation_follow_ups (child_id, dose_code, schedule_id, vaccine, dose, due_on, overdue_on, offer_until, locality_id, workflow_id)
     SELECT $1, '6in1-1', id, '6in1', 1, $2, $3, $4, 3, $5 FROM immunisation_schedules LIMIT 1`,
    { bind: [late.id, addDays(today(), -28), today(), addDays(today(), 7000), followUpId(late)] },
  );
  await giveDose(sequelize, late.id, '6in1', 1, today());

  await runSweep();
  const lateHandle = stack.engine.env.client.workflow.getHandle(followUpId(late));
  const lateDone = await stack.engine.waitFor(
    lateHandle,
    (s) => s.status === 'completed',
    'the late follow-up to close',
  );
  expect(lateDone.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['Task_CheckDose', 'Task_CloseAtStart', 'End_NotNeeded']),
  );
  expect(await stack.receivedMail(lateEmail)).toEqual([]);

  const rotaId = `immunisation-follow-up-${rota.id}-rotavirus-1`;
  const rotaHandle = stack.engine.env.client.workflow.getHandle(rotaId);
  await stack.engine.waitFor(
    rotaHandle,
    (s) => s.active.some((a) => a.elementId === 'Timer_NoLongerOffered'),
    'the rotavirus follow-up',
  );
  await stack.skip('21 days');
  const tooOld = await stack.engine.waitFor(
    rotaHandle,
    (s) => s.status === 'completed',
    'the rotavirus follow-up to close',
  );
  const ended = tooOld.completed.find((c) => c.elementId === 'Timer_NoLongerOffered')!;
  // Fires at midnight in England on the day the child is 15 weeks old (84 days old at the start): no longer offered.
  // (recorded when the workflow task ran, within a minute of it)
  const firedAfterMidnight = new Date(ended.endedAt).getTime() - startOfLondonDay(addDays(startDay, 21));
  expect(firedAfterMidnight).toBeGreaterThanOrEqual(0);
  expect(firedAfterMidnight).toBeLessThan(60_000);
  const rows = await sql<{ child_id: string; outcome: string }>(
    'SELECT child_id::text, outcome FROM immunisation_follow_ups WHERE child_id = ANY($1::bigint[]) ORDER BY child_id',
    [[late.id, rota.id]],
  );
  expect(rows).toEqual(
    expect.arrayContaining([
      { child_id: late.id, outcome: 'given' },
      { child_id: rota.id, outcome: 'no_longer_offered' },
    ]),
  );
}, 180_000);

test("the immunisation closes the follow-up by the schedule's rules, whatever dose number the sender gives", async () => {
  // The GP system counts a dose given abroad that is not on this record: it reports our 6-in-1 dose 1 as its dose 2.
  const familyEmail = `renumbered-${randomUUID().slice(0, 8)}@example.com`;
  const child = await overdueChild('walsall', familyEmail);
  await runSweep();
  await stack.waitFor(async () => (await stack.receivedMail(familyEmail)).length === 1, 'the first reminder');
  const handle = stack.engine.env.client.workflow.getHandle(followUpId(child));
  await immunisationGiven(child, '6in1', 2);
  const closed = await stack.engine.waitFor(handle, (s) => s.status === 'completed', 'the follow-up to close');
  expect(closed.completed.map((c) => c.elementId)).toContain('End_Immunised');
  const [row] = await sql<{ outcome: string }>(
    "SELECT outcome FROM immunisation_follow_ups WHERE child_id = $1 AND dose_code = '6in1-1'",
    [child.id],
  );
  expect(row).toEqual({ outcome: 'given' });
}, 180_000);

test('the sweep is idempotent: run twice, the second records and starts nothing', async () => {
  expect(
    stack.deployed
      .filter((d) => d.file.startsWith('immunisation-'))
      .map((d) => [d.file, d.outcome.status !== 'refused']),
  ).toEqual([
    ['immunisation-follow-up.bpmn', true],
    ['immunisation-overdue-sweep.bpmn', true],
  ]);
  await runSweep(); // time has moved on since the last sweep: this one may find new overdue doses
  const before = await sql<{ n: number }>('SELECT count(*)::int AS n FROM immunisation_follow_ups', []);
  const again = await runSweep();
  expect(again).toEqual({ found: 0, started: 0 });
  const after = await sql<{ n: number; instances: number }>(
    `SELECT count(*)::int AS n, (SELECT count(*)::int FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = 'immunisation-follow-up') AS instances FROM immunisation_follow_ups`,
    [],
  );
  expect(after[0].n).toBe(before[0].n);
  expect(after[0].instances).toBe(after[0].n);
});
