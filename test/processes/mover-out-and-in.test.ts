/**
 * Moves across the region's boundary, end to end on the CHIS stack: a move out of the region
 * opens an outbound transfer and a task to send the record to the other CHIS (a child with a
 * safeguarding alert is first handed over to the receiving CHIS's safeguarding lead); a record
 * received from another CHIS is created (never twice) and accepted by the receiving locality.
 */
import { formatNhsNumber } from '../../core/nhs-number';
import { select } from '../../records/sql';
import { startChisStack, type ChisStack } from '../support/chis-stack';
import { instanceStateQuery } from '../../workflows/contract';
import {
  auditActions,
  caller,
  completeTask,
  insertChild,
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

beforeAll(async () => {
  stack = await startChisStack({ children: 40 });
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

test('a move out of the region: outbound transfer, the sending records team sends the record, the child is marked moved out', async () => {
  const child = await unusedChild(stack, 'birmingham');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: { lines: ['12 High Street', 'Oxford'], postcode: 'OX1 4AA' },
  });

  const send = await openTask(stack, child.nhsNumber, 'Task_SendRecord');
  expect(send).toMatchObject({ candidateGroups: ['birmingham-records'], localityId: 1 });
  expect(await transfersOf(stack, child.id)).toMatchObject([
    {
      direction: 'out_of_region',
      status: 'requested',
      fromLocality: 'birmingham',
      toLocality: null,
      otherChis: 'CHIS covering postcode district OX1',
    },
  ]);

  await completeTask(stack, 'cw.birmingham.records', send.id, { receivingChis: 'Oxfordshire CHIS' });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to end',
  );
  expect(await transfersOf(stack, child.id)).toMatchObject([
    { direction: 'out_of_region', status: 'completed', otherChis: 'Oxfordshire CHIS' },
  ]);
  const after = (await stack.child(child.nhsNumber))!;
  expect(after).toMatchObject({ status: 'moved_out', localityCode: 'birmingham' });
  const [mail] = await mailTo(stack, await practiceEmail(stack, child.gpPracticeOds), child.nhsNumber);
  expect(mail.subject).toBe('CHIS: a child has moved out of your area');
  expect(mail.textBody).toContain(formatNhsNumber(child.nhsNumber));
  expect(mail.textBody).toContain('Moved to: outside the West Midlands region');
  expect(await auditActions(stack, child.id)).toEqual(
    expect.arrayContaining(['transfer.assess', 'transfer.request', 'transfer.send_record']),
  );
});

test('a child on a child protection plan moving out of the region: safeguarding handover to the receiving CHIS before the record is sent and the child marked moved out', async () => {
  const child = await unusedChild(stack, 'birmingham', 'child_protection_plan');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: { lines: ['3 Broad Street', 'Oxford'], postcode: 'OX1 3AZ' },
  });

  const handover = await openTask(stack, child.nhsNumber, 'Task_OutHandover');
  expect(handover).toMatchObject({ candidateGroups: ['birmingham-safeguarding'], priority: 90, localityId: 1 });
  expect(handover.dueAt!.getTime() - stack.now().getTime()).toBeLessThanOrEqual(2 * DAY + 60_000);
  // Until the handover is done nothing is sent: no send-record task, the transfer open, the child still ours.
  expect((await stack.tasksFor(child.nhsNumber)).map((t) => t.elementId)).not.toContain('Task_SendRecord');
  expect(await transfersOf(stack, child.id)).toMatchObject([
    { direction: 'out_of_region', status: 'requested', handoverCompletedAt: null },
  ]);
  expect((await stack.child(child.nhsNumber))!.status).toBe('active');

  // The form records who was spoken to and when: without the time it is refused.
  const lead = await caller(stack, 'sl.birmingham');
  expect((await lead.post(`/api/tasks/${handover.id}/claim`).send({})).status).toBe(200);
  const incomplete = await lead
    .post(`/api/tasks/${handover.id}/complete`)
    .send({ data: { receivingChis: 'Oxfordshire CHIS', receivingLead: 'J. Patel' } });
  expect(incomplete.status).toBeGreaterThanOrEqual(400);
  expect(incomplete.status).toBeLessThan(500);
  expect(JSON.stringify(incomplete.body)).toContain('spokenAt');
  const spokenAt = stack.now().toISOString();
  const done = await lead.post(`/api/tasks/${handover.id}/complete`).send({
    data: {
      receivingChis: 'Oxfordshire CHIS',
      receivingLead: 'J. Patel, named nurse for safeguarding',
      spokenAt,
      handoverNotes: 'CP plan; core group next Tuesday',
    },
  });
  expect(done.status).toBe(200);

  const send = await openTask(stack, child.nhsNumber, 'Task_SendRecord');
  expect(send.candidateGroups).toEqual(['birmingham-records']);
  const [handedOver] = await transfersOf(stack, child.id);
  expect(handedOver.status).toBe('requested');
  expect(handedOver.handoverCompletedAt).not.toBeNull();
  const [detail] = await select<{ handover: Record<string, unknown> }>(
    stack.db,
    "SELECT detail->'handover' AS handover FROM transfers WHERE id = $1",
    [handedOver.id],
  );
  expect(detail.handover).toMatchObject({
    receivingChis: 'Oxfordshire CHIS',
    receivingLead: 'J. Patel, named nurse for safeguarding',
    spokenAt,
  });
  expect((await stack.child(child.nhsNumber))!.status).toBe('active');

  await completeTask(stack, 'cw.birmingham.records', send.id, { receivingChis: 'Oxfordshire CHIS' });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to end',
  );
  const [completed] = await transfersOf(stack, child.id);
  expect(completed).toMatchObject({ status: 'completed', otherChis: 'Oxfordshire CHIS' });
  expect(completed.handoverCompletedAt!.getTime()).toBeLessThanOrEqual(completed.completedAt!.getTime());
  expect((await stack.child(child.nhsNumber))!.status).toBe('moved_out');

  const [instance] = (await stack.instancesFor(child.nhsNumber)).filter((i) => i.processKey === 'child-mover');
  const path = (await stack.engine.env.client.workflow.getHandle(instance.id).query(instanceStateQuery)).completed.map(
    (c) => c.elementId,
  );
  expect(path.indexOf('Task_RecordOutHandover')).toBeGreaterThan(-1);
  expect(path.indexOf('Task_RecordOutHandover')).toBeLessThan(path.indexOf('Task_SendRecord'));
  const actions = await auditActions(stack, child.id);
  expect(actions.indexOf('transfer.safeguarding_handover')).toBeGreaterThan(actions.indexOf('transfer.request'));
  expect(actions.indexOf('transfer.safeguarding_handover')).toBeLessThan(actions.indexOf('transfer.send_record'));
});

test('a record received from another CHIS: created once, accepted by the receiving locality, the GP practice told', async () => {
  const nhsNumber = stack.newNhsNumber();
  const practice = await stack.practiceOf('coventry');
  const transfer = {
    fromChis: 'Oxfordshire CHIS',
    givenName: 'Noah',
    familyName: 'Ellison',
    dateOfBirth: '2024-03-02',
    sex: 'male',
    address: { lines: ['7 Spon Street', 'Coventry'], postcode: 'CV1 3BA' },
    gpPracticeCode: practice.odsCode,
  };
  await postEvent(stack, 'inbound-transfers', { eventId: `inbound-${nhsNumber}`, nhsNumber, ...transfer });
  // The same notification again starts nothing new.
  expect(
    await postEvent(stack, 'inbound-transfers', { eventId: `inbound-${nhsNumber}`, nhsNumber, ...transfer }, 200),
  ).toMatchObject({ status: 'duplicate' });

  const accept = await openTask(stack, nhsNumber, 'Task_Accept');
  expect(accept.candidateGroups).toEqual(['coventry-records']);
  expect((await stack.instancesFor(nhsNumber)).filter((i) => i.processKey === 'child-mover')).toHaveLength(1);
  const created = (await stack.child(nhsNumber))!;
  expect(created).toMatchObject({
    givenName: 'Noah',
    familyName: 'Ellison',
    localityCode: 'coventry',
    gpPracticeOds: practice.odsCode,
  });
  expect(await transfersOf(stack, created.id)).toMatchObject([
    {
      direction: 'into_region',
      status: 'requested',
      fromLocality: null,
      toLocality: 'coventry',
      otherChis: 'Oxfordshire CHIS',
    },
  ]);

  await completeTask(stack, 'cw.coventry.records', accept.id, { decision: 'accept' });
  await stack.waitFor(
    async () => (await transfersOf(stack, created.id))[0].status === 'completed',
    'the transfer to complete',
  );
  const [mail] = await mailTo(stack, practice.email, nhsNumber);
  expect(mail.subject).toBe('CHIS: a child has moved into your area');
  expect(mail.textBody).toContain('Moved from: outside the West Midlands region');
  expect(mail.textBody).toContain(formatNhsNumber(nhsNumber));
  expect(mail.textBody).not.toContain('Ellison');

  // No immunisation history came with the record: treated as unimmunised, a catch-up is planned.
  const catchUp = await openTask(stack, nhsNumber, 'Task_CatchUp');
  expect(catchUp.candidateGroups).toEqual(['coventry-immunisation']);
  await completeTask(stack, 'cw.coventry.imms', catchUp.id, { catchUpPlan: 'Resume the schedule' });
  await stack.waitFor(
    async () => (await instanceStatus(stack, nhsNumber, 'child-mover')) === 'completed',
    'the mover process to complete',
  );

  // A second, different notification for the same child matches the record rather than duplicating it.
  await postEvent(stack, 'inbound-transfers', {
    eventId: `inbound-${nhsNumber}-again`,
    nhsNumber,
    ...transfer,
    givenName: 'Noah James',
  });
  await stack.waitFor(async () => (await transfersOf(stack, created.id)).length === 2, 'the second inbound transfer');
  expect(await select(stack.db, 'SELECT id FROM children WHERE nhs_number = $1', [nhsNumber])).toHaveLength(1);
  expect(await auditActions(stack, created.id)).toEqual(
    expect.arrayContaining(['child.create', 'child.match', 'transfer.accept', 'transfer.complete']),
  );
  // Leave nothing running for the replay check: refer the second one back.
  const again = await openTask(stack, nhsNumber, 'Task_Accept');
  await completeTask(stack, 'cw.coventry.records', again.id, { decision: 'refer', notes: 'Already transferred in' });
  await stack.waitFor(
    async () => (await transfersOf(stack, created.id))[1]?.status === 'rejected',
    'the second transfer to be referred back',
  );
});

test('a change of GP: responsibility follows the postcode; for a child living outside the region it follows the new practice', async () => {
  // Lives in the region: a new GP elsewhere in the region does not move responsibility.
  const resident = await unusedChild(stack, 'birmingham');
  const coventryGp = await stack.practiceOf('coventry');
  await postEvent(stack, 'gp-changes', {
    eventId: `gp-${resident.id}`,
    nhsNumber: resident.nhsNumber,
    gpPracticeCode: coventryGp.odsCode,
  });
  await stack.waitFor(
    async () => (await instanceStatus(stack, resident.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to end',
  );
  expect(await transfersOf(stack, resident.id)).toEqual([]);

  // Lives just outside the region, held because of a Birmingham GP: registering in Coventry moves the record there.
  const borderChild = await insertChild(stack, { locality: 'birmingham', postcode: 'OX1 2JD', ageDays: 3000 });
  await postEvent(stack, 'gp-changes', {
    eventId: `gp-${borderChild.id}`,
    nhsNumber: borderChild.nhsNumber,
    gpPracticeCode: coventryGp.odsCode,
  });
  const accept = await openTask(stack, borderChild.nhsNumber, 'Task_Accept');
  expect(accept.candidateGroups).toEqual(['coventry-records']);
  await completeTask(stack, 'cw.coventry.records', accept.id, { decision: 'accept' });
  await stack.waitFor(
    async () => (await transfersOf(stack, borderChild.id))[0]?.status === 'completed',
    'the transfer to complete',
  );
  expect(await stack.child(borderChild.nhsNumber)).toMatchObject({
    localityCode: 'coventry',
    gpPracticeOds: coventryGp.odsCode,
  });
  // Old practice told the child left, new practice told the child arrived.
  const [left] = await mailTo(stack, await practiceEmail(stack, borderChild.gpPracticeOds), borderChild.nhsNumber);
  expect(left.subject).toBe('CHIS: a child has moved out of your area');
  expect(left.textBody).toContain('Because of: a change of GP registration');
  const [arrived] = await mailTo(stack, coventryGp.email, borderChild.nhsNumber);
  expect(arrived.subject).toBe('CHIS: a child has moved into your area');
});
