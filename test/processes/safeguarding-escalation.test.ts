/**
 * Safeguarding escalation end to end on the CHIS stack (time skipping): started by a process
 * (safeguarding.raiseConcern), by a caseworker through the API, and by a child-protection
 * alert; the safeguarding lead's task with its SLA and escalation to region management; the
 * outcomes close, monitor (review timer, then another review task) and refer on, with the
 * concern row and the audit trail following every step.
 */
import { select } from '../../records/sql';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import { auditActions, caller, completeTask, instanceStatus, openTask, postEvent, unusedChild } from './mover-support';

const DAY = 24 * 3600 * 1000;
let stack: ChisStack;

/** A process that raises a concern, as the immunisation follow-up's Was-Not-Brought path does. */
const RAISER = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Defs_Raiser" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="test-raise-concern" name="Raise a concern" isExecutable="true">
    <bpmn:startEvent id="Start" name="Start"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Raise" />
    <bpmn:serviceTask id="Raise" name="Raise a safeguarding concern">
      <bpmn:extensionElements><zeebe:taskDefinition type="safeguarding.raiseConcern" /></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Raise" targetRef="End" />
    <bpmn:endEvent id="End" name="Raised"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;

chisStackPerFile({ children: 40 }, async (started) => {
  stack = started;
  await stack.deploy(RAISER);
});

interface ConcernRow {
  id: string;
  status: string;
  severity: string;
  source: string;
  outcome: string | null;
  escalatedAt: Date | null;
  reviewDueAt: Date | null;
  closedAt: Date | null;
}
const concernsOf = (childId: string) =>
  select<ConcernRow>(
    stack.db,
    'SELECT id, status, severity, source, outcome, escalated_at, review_due_at, closed_at FROM safeguarding_concerns WHERE child_id = $1 ORDER BY id',
    [childId],
  );
const alertOf = async (nhsNumber: string) => (await stack.child(nhsNumber))!.safeguardingAlert;

test('raised by a process: the concern starts the escalation; the lead closes it and the alert is lifted', async () => {
  const child = await unusedChild(stack, 'coventry');
  const raiser = await stack.engine.start('test-raise-concern', {
    businessKey: child.nhsNumber,
    variables: {
      childId: child.id,
      nhsNumber: child.nhsNumber,
      reason: 'Two appointments Was Not Brought',
      severity: 'medium',
    },
  });
  await stack.waitFor(async () => (await stack.engine.state(raiser)).status === 'completed', 'the raising process');

  const decide = await openTask(stack, child.nhsNumber, 'Task_Decide', 'safeguarding-escalation');
  expect(decide).toMatchObject({ candidateGroups: ['coventry-safeguarding'], priority: 70, localityId: 2 });
  expect(decide.dueAt!.getTime() - stack.now().getTime()).toBeGreaterThan(3 * DAY - 3600_000);
  const [concern] = await concernsOf(child.id);
  expect(concern).toMatchObject({ status: 'open', severity: 'medium', source: 'process' });
  expect(await alertOf(child.nhsNumber)).toBe('concern');
  // Exactly one escalation per concern, however often the raise is retried or republished.
  expect(
    (await stack.instancesFor(child.nhsNumber)).filter((i) => i.processKey === 'safeguarding-escalation'),
  ).toHaveLength(1);

  await completeTask(stack, 'sl.coventry', decide.id, {
    decision: 'close',
    notes: 'Family moved appointments; no concern',
  });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'safeguarding-escalation')) === 'completed',
    'the escalation to end',
  );
  expect((await concernsOf(child.id))[0]).toMatchObject({ status: 'closed', outcome: 'no_further_action' });
  expect(await alertOf(child.nhsNumber)).toBe('none');
  const notes = await select<{ kind: string; body: string }>(
    stack.db,
    'SELECT kind, body FROM safeguarding_concern_notes WHERE concern_id = $1',
    [concern.id],
  );
  expect(notes).toEqual([{ kind: 'closure', body: 'Family moved appointments; no concern' }]);
  expect(await auditActions(stack, child.id)).toEqual(
    expect.arrayContaining(['concern.raise', 'concern.escalation.start', 'concern.escalation.open', 'concern.close']),
  );
});

test('raised by a caseworker: monitor, the review task after the review period, then refer on', async () => {
  const child = await unusedChild(stack, 'birmingham');
  const caseworker = await caller(stack, 'cw.birmingham.hv');
  const raised = await caseworker
    .post(`/api/children/${child.nhsNumber}/concerns`)
    .send({ summary: 'Bruising noticed at the 1-year review' });
  expect(raised.status).toBe(201);
  expect(raised.body.escalationStarted).toBe(true);

  const decide = await openTask(stack, child.nhsNumber, 'Task_Decide', 'safeguarding-escalation');
  expect(decide.candidateGroups).toEqual(['birmingham-safeguarding']);
  await completeTask(stack, 'sl.birmingham', decide.id, {
    decision: 'monitor',
    reviewAfter: 'P14D',
    notes: 'Health visitor to see the family weekly',
  });
  await stack.waitFor(
    async () => (await concernsOf(child.id))[0].status === 'monitoring',
    'the concern to be monitored',
  );
  const monitored = (await concernsOf(child.id))[0];
  expect(monitored.reviewDueAt!.getTime() - Date.now()).toBeGreaterThan(13 * DAY);
  expect((await stack.tasksFor(child.nhsNumber)).filter((t) => t.status === 'open')).toEqual([]);

  await stack.skip(14 * DAY + 3600_000);
  const review = await openTask(stack, child.nhsNumber, 'Task_Review', 'safeguarding-escalation');
  expect(review.candidateGroups).toEqual(['birmingham-safeguarding']);
  await completeTask(stack, 'sl.birmingham', review.id, {
    decision: 'refer',
    referTo: 'childrens_social_care',
    notes: 'Referred to MASH',
  });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'safeguarding-escalation')) === 'completed',
    'the escalation to end',
  );
  expect((await concernsOf(child.id))[0]).toMatchObject({
    status: 'referred',
    outcome: 'referred_to_childrens_social_care',
    closedAt: null,
  });
  expect(await auditActions(stack, child.id)).toEqual(
    expect.arrayContaining(['concern.raise', 'concern.escalation.open', 'concern.monitor', 'concern.refer']),
  );
});

test('a child-protection alert: the alert is recorded, the decision is overdue and escalates to region management', async () => {
  const child = await unusedChild(stack, 'birmingham');
  await postEvent(stack, 'child-protection-alerts', {
    eventId: `cpis-${child.id}`,
    nhsNumber: child.nhsNumber,
    type: 'child_protection_plan',
    startDate: '2026-01-05',
    localAuthority: 'Birmingham City Council',
  });
  const decide = await openTask(stack, child.nhsNumber, 'Task_Decide', 'safeguarding-escalation');
  expect(decide).toMatchObject({ candidateGroups: ['birmingham-safeguarding'], priority: 100 });
  expect(decide.dueAt!.getTime() - stack.now().getTime()).toBeLessThanOrEqual(DAY + 60_000);
  expect(decide.dueAt!.getTime() - stack.now().getTime()).toBeGreaterThan(DAY - 3600_000);
  expect(await alertOf(child.nhsNumber)).toBe('child_protection_plan');
  expect((await concernsOf(child.id))[0]).toMatchObject({
    status: 'open',
    severity: 'high',
    source: 'child_protection_alert',
  });

  await stack.skip(2 * DAY + 3600_000);
  await stack.waitFor(async () => (await concernsOf(child.id))[0].status === 'escalated', 'the escalation');
  const escalated = (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === decide.id)!;
  expect(escalated.candidateGroups).toEqual(['birmingham-safeguarding', 'region-management']);
  const manager = await caller(stack, 'manager');
  expect((await manager.get('/api/tasks/queues/unclaimed')).body.tasks.map((t: { id: string }) => t.id)).toContain(
    decide.id,
  );

  await completeTask(stack, 'sl.birmingham', decide.id, {
    decision: 'refer',
    referTo: 'other_agency',
    notes: 'Police child protection unit',
  });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'safeguarding-escalation')) === 'completed',
    'the escalation to end',
  );
  expect((await concernsOf(child.id))[0]).toMatchObject({ status: 'referred', outcome: 'referred_to_other_agency' });
  expect(await alertOf(child.nhsNumber)).toBe('child_protection_plan');
  expect(await auditActions(stack, child.id)).toEqual(
    expect.arrayContaining(['event.child_protection_alert', 'concern.raise', 'concern.escalate', 'concern.refer']),
  );
});
