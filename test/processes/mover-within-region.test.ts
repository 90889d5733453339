/**
 * Child moving between localities of the region, end to end on the CHIS stack (time skipping):
 * the acceptance task in the receiving records queue, the change of responsible locality with
 * both GP practices emailed (received by the embedded SMTP server), the SLA reminder and
 * escalation, the arrival checks, and a move within the same locality that needs nothing.
 */
import { formatNhsNumber } from '../../core/nhs-number';
import { select } from '../../records/sql';
import { instanceStateQuery } from '../../workflows/contract';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import {
  auditActions,
  caller,
  completeTask,
  instanceStatus,
  mailTo,
  openTask,
  postEvent,
  practiceEmail,
  transfersOf,
  unusedChild,
} from './mover-support';

const DAY = 24 * 3600 * 1000;
let stack: ChisStack;

chisStackPerFile({ children: 60 }, (started) => (stack = started));

const moveTo = (postcode: string, town: string) => ({ lines: ['1 Station Road', town], postcode });

/** Completes whatever arrival-check tasks the checks opened (they depend on the seeded history). */
async function finishArrival(nhsNumber: string): Promise<string[]> {
  const [instance] = (await stack.instancesFor(nhsNumber)).filter((i) => i.processKey === 'child-mover');
  const handle = stack.engine.env.client.workflow.getHandle(instance.id);
  await stack.waitFor(async () => {
    const s = await handle.query(instanceStateQuery);
    const done = s.completed.map((c) => c.elementId);
    return (
      s.status !== 'running' ||
      (done.includes('Task_CheckImms') &&
        done.includes('Task_CheckScreening') &&
        s.active.every((a) => !a.elementId.startsWith('Task_Check')))
    );
  }, 'the arrival checks');
  const opened: string[] = [];
  for (const t of await stack.tasksFor(nhsNumber)) {
    if (t.processKey !== 'child-mover' || t.status !== 'open') continue;
    opened.push(t.elementId);
    const user = t.elementId === 'Task_CatchUp' ? 'cw.coventry.imms' : 'cw.coventry.hv';
    await completeTask(stack, user, t.id, {});
  }
  return opened;
}

test('a move to another locality: acceptance by the receiving records team, then the locality changes and both GP practices are emailed', async () => {
  const child = await unusedChild(stack, 'birmingham');
  const oldGp = child.gpPracticeOds;
  const newGp = await stack.practiceOf('coventry');
  const coventry = newGp.localityId;

  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: moveTo('CV1 2AB', 'Coventry'),
  });

  const task = await openTask(stack, child.nhsNumber, 'Task_Accept');
  expect(task).toMatchObject({
    processKey: 'child-mover',
    candidateGroups: ['coventry-records'],
    localityId: coventry,
    priority: 70,
    childId: child.id,
  });
  expect(task.dueAt!.getTime() - stack.now().getTime()).toBeGreaterThan(5 * DAY - 3600_000);
  expect(task.dueAt!.getTime() - stack.now().getTime()).toBeLessThanOrEqual(5 * DAY + 60_000);
  // In the receiving records team's queue, not in the sending team's.
  const receiving = await (await caller(stack, 'cw.coventry.records')).get('/api/tasks/queues/unclaimed');
  expect(receiving.body.tasks.map((t: { id: string }) => t.id)).toContain(task.id);
  const sending = await (await caller(stack, 'cw.birmingham.records')).get('/api/tasks/queues/unclaimed');
  expect(sending.body.tasks.map((t: { id: string }) => t.id)).not.toContain(task.id);
  expect(await transfersOf(stack, child.id)).toMatchObject([
    { direction: 'within_region', status: 'requested', fromLocality: 'birmingham', toLocality: 'coventry' },
  ]);
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('birmingham');

  await completeTask(stack, 'cw.coventry.records', task.id, { decision: 'accept', newGpPracticeCode: newGp.odsCode });
  await stack.waitFor(
    async () => (await transfersOf(stack, child.id))[0]?.status === 'completed',
    'the transfer to complete',
  );
  const after = (await stack.child(child.nhsNumber))!;
  expect(after).toMatchObject({
    localityCode: 'coventry',
    gpPracticeOds: newGp.odsCode,
    postcode: 'CV1 2AB',
    addressLine1: '1 Station Road',
  });

  const [out] = await mailTo(stack, await practiceEmail(stack, oldGp), child.nhsNumber);
  const [into] = await mailTo(stack, newGp.email, child.nhsNumber);
  expect(out.subject).toBe('CHIS: a child has moved out of your area');
  expect(into.subject).toBe('CHIS: a child has moved into your area');
  for (const m of [out, into]) {
    expect(m.textBody).toContain(formatNhsNumber(child.nhsNumber));
    expect(m.textBody).toContain('Moved from: Birmingham locality');
    expect(m.textBody).toContain('Moved to: Coventry locality');
    // Initials only: neither name appears.
    const named = (await stack.child(child.nhsNumber))!;
    expect(m.textBody).not.toContain(named.familyName);
  }

  await finishArrival(child.nhsNumber);
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to complete',
  );
  expect(await auditActions(stack, child.id)).toEqual(
    expect.arrayContaining([
      'transfer.assess',
      'transfer.request',
      'transfer.accept',
      'child.locality.change',
      'transfer.complete',
    ]),
  );
});

test('a move within the same locality needs no transfer', async () => {
  const child = await unusedChild(stack, 'birmingham');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: moveTo('B15 2TT', 'Birmingham'),
  });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to end',
  );
  const [instance] = await stack.instancesFor(child.nhsNumber);
  const state = await stack.engine.env.client.workflow.getHandle(instance.id).query(instanceStateQuery);
  expect(state.completed.map((c) => c.elementId)).toEqual([
    'Start_AddressChanged',
    'Gw_ChangeMerge',
    'Task_Assess',
    'Gw_Where',
    'End_SameLocality',
    'child-mover',
  ]);
  expect(await transfersOf(stack, child.id)).toEqual([]);
  expect(await stack.tasksFor(child.nhsNumber)).toEqual([]);
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('birmingham');
});

test('not accepted within the SLA: a reminder raises the priority, then the task is escalated to the receiving safeguarding team', async () => {
  const child = await unusedChild(stack, 'birmingham');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: moveTo('CV3 4AA', 'Coventry'),
  });
  const task = await openTask(stack, child.nhsNumber, 'Task_Accept');

  await stack.skip(5 * DAY + 3600_000);
  await stack.waitFor(
    async () => (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === task.id)?.priority === 90,
    'the reminder',
  );
  let row = (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === task.id)!;
  expect(row).toMatchObject({ status: 'open', candidateGroups: ['coventry-records'] });
  expect((await transfersOf(stack, child.id))[0].escalatedAt).toBeNull();

  await stack.skip(5 * DAY);
  await stack.waitFor(async () => (await transfersOf(stack, child.id))[0].escalatedAt !== null, 'the escalation');
  row = (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === task.id)!;
  expect(row).toMatchObject({ status: 'open', candidateGroups: ['coventry-safeguarding'], priority: 100 });
  const [why] = await select<{ escalationReason: string }>(
    stack.db,
    'SELECT escalation_reason FROM human_tasks WHERE id = $1',
    [task.id],
  );
  expect(why.escalationReason).toMatch(/not accepted/);
  // The records team no longer sees it in their queue; the receiving safeguarding lead does.
  const lead = await caller(stack, 'sl.coventry');
  expect((await lead.get('/api/tasks/queues/unclaimed')).body.tasks.map((t: { id: string }) => t.id)).toContain(
    task.id,
  );
  expect(
    (await (await caller(stack, 'cw.coventry.records')).get('/api/tasks/queues/unclaimed')).body.tasks.map(
      (t: { id: string }) => t.id,
    ),
  ).not.toContain(task.id);

  await completeTask(stack, 'sl.coventry', task.id, { decision: 'accept' });
  await stack.waitFor(
    async () => (await transfersOf(stack, child.id))[0].status === 'completed',
    'the transfer to complete',
  );
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('coventry');
  await finishArrival(child.nhsNumber);
  expect(await auditActions(stack, child.id)).toEqual(
    expect.arrayContaining([
      'transfer.remind',
      'transfer.escalate',
      'task.escalate',
      'transfer.accept',
      'transfer.complete',
    ]),
  );
});

test('a newer move supersedes a transfer still waiting for acceptance: its task is withdrawn', async () => {
  const child = await unusedChild(stack, 'birmingham');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}-1`,
    nhsNumber: child.nhsNumber,
    address: moveTo('CV2 1AA', 'Coventry'),
  });
  const first = await openTask(stack, child.nhsNumber, 'Task_Accept');
  expect(first.candidateGroups).toEqual(['coventry-records']);

  // The family moves on before Coventry accepts: Dudley receives the child instead.
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}-2`,
    nhsNumber: child.nhsNumber,
    address: moveTo('DY1 1AA', 'Dudley'),
  });
  const second = await stack.waitFor(
    async () => (await stack.tasksFor(child.nhsNumber)).find((t) => t.elementId === 'Task_Accept' && t.id !== first.id),
    'the second acceptance task',
  );
  expect(second.candidateGroups).toEqual(['dudley-records']);
  await stack.waitFor(
    async () => (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === first.id)?.status === 'cancelled',
    'the first task to be withdrawn',
  );
  const firstInstance = stack.engine.env.client.workflow.getHandle(first.processInstanceId);
  await stack.waitFor(
    async () => (await firstInstance.query(instanceStateQuery)).status === 'completed',
    'the first instance to end',
  );
  expect((await firstInstance.query(instanceStateQuery)).completed.map((c) => c.elementId)).toContain(
    'End_AcceptSuperseded',
  );
  expect((await transfersOf(stack, child.id)).map((t) => [t.toLocality, t.status])).toEqual([
    ['coventry', 'cancelled'],
    ['dudley', 'requested'],
  ]);

  await completeTask(stack, 'cw.dudley.records', second.id, {
    decision: 'refer',
    notes: 'Family not known at this address',
  });
  await stack.waitFor(
    async () => (await transfersOf(stack, child.id))[1].status === 'rejected',
    'the second transfer to be referred back',
  );
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('birmingham');
});

test('a death notified while the transfer waits for acceptance ends the mover: its task is withdrawn, nothing is escalated', async () => {
  const child = await unusedChild(stack, 'birmingham');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: moveTo('CV5 6AA', 'Coventry'),
  });
  const task = await openTask(stack, child.nhsNumber, 'Task_Accept');

  const death = await stack.events
    .post('/api/events/death-notifications')
    .send({ nhsNumber: child.nhsNumber, dateOfDeath: stack.now().toISOString().slice(0, 10) });
  expect([death.status, death.body.instancesNotified]).toEqual([202, 1]);
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to end',
  );
  const state = await stack.engine.env.client.workflow.getHandle(task.processInstanceId).query(instanceStateQuery);
  expect(state.completed.map((c) => c.elementId)).toEqual(expect.arrayContaining(['Start_ChildDied', 'End_ChildDied']));
  expect(state.active).toEqual([]);
  await stack.waitFor(
    async () => (await stack.tasksFor(child.nhsNumber)).find((t) => t.id === task.id)?.status === 'cancelled',
    'the acceptance task to be withdrawn',
  );

  await stack.skip(11 * DAY); // past the reminder (5 days) and the escalation (10 days)
  expect((await stack.tasksFor(child.nhsNumber)).map((t) => [t.id, t.status, t.priority])).toEqual([
    [task.id, 'cancelled', task.priority],
  ]);
  const [transfer] = await transfersOf(stack, child.id);
  expect([transfer.status, transfer.escalatedAt]).toEqual(['cancelled', null]); // closed with the death
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('birmingham');
});
