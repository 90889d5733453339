/**
 * The mandated contacts after the new birth visit (definitions/child-health-reviews.bpmn),
 * started by new-birth-registration, on the embedded stack with time skipping, driven through
 * the inbound-event API. Windows (docs/domain.md; Healthy Child Programme): NIPE infant
 * physical examination at 6–8 weeks by the GP practice, health visitor reviews at 6–8 weeks,
 * 9–12 months and 2–2½ years. The GP practice is told when the NIPE examination is due; a
 * recorded contact closes its step; nothing on record when a window closes → a task for the
 * locality team (records for NIPE, health visiting for the reviews), which the outcome closes
 * when it arrives; a death ends every review.
 */
import { QueryTypes } from 'sequelize';
import { formatNhsNumber } from '../../core/nhs-number';
import { londonDate } from '../../core/uk-time';
import { instanceStateQuery, type InstanceStateView } from '../../workflows/contract';
import type { ChisStack, HumanTaskRow } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';

let stack: ChisStack;
chisStackPerFile(
  { children: 20, definitions: ['new-birth-registration.bpmn', 'child-health-reviews.bpmn'] },
  (started) => (stack = started),
);

const today = () => londonDate(stack.now().getTime());

async function notifyBirth(nhsNumber: string, locality: string, postcode: string) {
  const practice = await stack.practiceOf(locality);
  const res = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber,
    givenName: 'Dorothy',
    familyName: 'Hodgkin-Test',
    dateOfBirth: today(),
    timeOfBirth: '09:15',
    sex: 'female',
    mother: { name: 'Mary Hodgkin-Test' },
    address: { lines: ['2 Test Street'], postcode },
    gpPracticeCode: practice.odsCode,
    maternityUnit: 'City Hospital',
  });
  if (res.status !== 202) throw new Error(`birth notification: ${res.status} ${JSON.stringify(res.body)}`);
  return practice;
}

async function post(path: string, body: Record<string, unknown>): Promise<void> {
  const res = await stack.events.post(path).send(body);
  if (res.status !== 202) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

const attended = (nhsNumber: string, kind: string, contact: string) =>
  post('/api/events/appointment-outcomes', { nhsNumber, kind, contact, date: today(), outcome: 'attended' });

async function reviews(nhs: string): Promise<InstanceStateView> {
  const row = await stack.waitFor(
    async () => (await stack.instancesFor(nhs)).find((i) => i.processKey === 'child-health-reviews'),
    'the child-health-reviews instance',
  );
  return stack.engine.env.client.workflow.getHandle(row.id).query(instanceStateQuery);
}

const completed = async (nhs: string) => (await reviews(nhs)).completed.map((c) => c.elementId);

async function waitForEnd(nhs: string, elementId: string): Promise<void> {
  await stack.waitFor(async () => (await completed(nhs)).includes(elementId), `${elementId} reached`);
}

const reviewTasks = async (nhs: string): Promise<HumanTaskRow[]> =>
  (await stack.tasksFor(nhs)).filter((t) => t.processKey === 'child-health-reviews');

async function waitForTask(nhs: string, name: string, status: HumanTaskRow['status'] = 'open'): Promise<HumanTaskRow> {
  return stack.waitFor(
    async () => (await reviewTasks(nhs)).find((t) => t.name === name && t.status === status),
    `task "${name}" (${status})`,
  );
}

test('contacts recorded in their windows close their steps; the GP practice is told at 6 weeks; a 9–12 month review missed → a health visiting task, which the late review closes; a death ends the rest', async () => {
  const nhs = stack.newNhsNumber();
  const practice = await notifyBirth(nhs, 'coventry', 'CV1 2AB');
  const started = await reviews(nhs);
  expect(started.status).toBe('running');
  const child = (await stack.child(nhs))!;

  await stack.skip('42 days'); // 6 weeks old: the NIPE window opens
  const nipeDue = await stack.waitFor(async () => {
    const m = (await stack.receivedMail(practice.email)).filter((x) => x.subject.includes('NIPE'));
    return m.length > 0 && m;
  }, 'the NIPE email to the GP practice');
  expect(nipeDue).toHaveLength(1);
  expect(nipeDue[0].subject).toBe('CHIS: 6–8 week NIPE examination due');
  expect(nipeDue[0].textBody).toContain(formatNhsNumber(nhs));
  expect(nipeDue[0].textBody).not.toMatch(/Dorothy|Hodgkin|Mary/);

  await stack.skip('5 days');
  await post('/api/events/screening-outcomes', {
    nhsNumber: nhs,
    programme: 'nipe',
    outcome: 'no_abnormality_detected',
    recordedOn: today(),
  });
  await waitForEnd(nhs, 'End_NipeOutcomeRecorded');
  await attended(nhs, 'health_visit', 'hv-6-8-week');
  await waitForEnd(nhs, 'End_SixToEightWeekRecorded');

  await stack.skip('330 days'); // past the first birthday: no 9–12 month review on record
  const missed = await waitForTask(nhs, 'Arrange missed 9–12 month review');
  expect(missed).toMatchObject({
    candidateGroups: ['coventry-health-visiting'],
    childId: child.id,
    localityId: child.localityId,
    businessKey: nhs,
  });
  expect((await reviewTasks(nhs)).map((t) => t.name)).toEqual(['Arrange missed 9–12 month review']);
  const hv = await stack.signIn('cw.coventry.hv');
  expect(JSON.stringify((await hv.get('/api/tasks/queues/unclaimed')).body)).toContain(missed.id);

  await attended(nhs, 'health_visit', 'hv-9-12-month');
  await waitForTask(nhs, 'Arrange missed 9–12 month review', 'cancelled');
  await waitForEnd(nhs, 'End_OneYearRecordedLate');
  expect((await completed(nhs)).filter((id) => id.startsWith('Task_') && id.endsWith('Check'))).toEqual([
    'Task_OneYearCheck',
  ]);

  // The record's timeline names the contacts.
  const timeline = await hv.get(`/api/children/${nhs}/timeline?kinds=appointment_attended`);
  expect(timeline.status).toBe(200);
  expect(timeline.body.events.map((e: { summary: string }) => e.summary)).toEqual([
    expect.stringMatching(/^Health visitor 9–12 month review on \d{4}-\d{2}-\d{2}: attended$/),
    expect.stringMatching(/^Health visitor 6–8 week review on \d{4}-\d{2}-\d{2}: attended$/),
  ]);

  await post('/api/events/death-notifications', { nhsNumber: nhs, dateOfDeath: today() });
  await stack.waitFor(
    async () =>
      (await stack.instancesFor(nhs)).find((i) => i.processKey === 'child-health-reviews')?.status === 'completed',
    'the reviews to end',
  );
  expect(await completed(nhs)).toContain('End_ChildDied');
  await stack.skip('500 days'); // past 2½ years: nothing more
  expect((await reviewTasks(nhs)).map((t) => t.name)).toEqual(['Arrange missed 9–12 month review']);
}, 300_000);

test('nothing recorded by the end of week 8: the records team chases the NIPE examination and health visiting arranges the 6–8 week review; a NIPE outcome closes its task; the review task is worked through the API', async () => {
  const nhs = stack.newNhsNumber();
  await notifyBirth(nhs, 'dudley', 'DY1 1AA');
  await reviews(nhs);
  const child = (await stack.child(nhs))!;

  await stack.skip('57 days'); // the end of the day the baby is 8 weeks old has passed
  const nipe = await waitForTask(nhs, 'Chase missed 6–8 week NIPE examination');
  const review = await waitForTask(nhs, 'Arrange missed 6–8 week review');
  expect(nipe).toMatchObject({ candidateGroups: ['dudley-records'], localityId: child.localityId });
  expect(review).toMatchObject({ candidateGroups: ['dudley-health-visiting'], localityId: child.localityId });

  await post('/api/events/screening-outcomes', {
    nhsNumber: nhs,
    programme: 'nipe',
    outcome: 'no_abnormality_detected',
    recordedOn: today(),
  });
  await waitForTask(nhs, 'Chase missed 6–8 week NIPE examination', 'cancelled');
  await waitForEnd(nhs, 'End_NipeOutcomeLate');

  const hv = await stack.signIn('cw.dudley.hv');
  expect((await hv.post(`/api/tasks/${review.id}/claim`).send({})).status).toBe(200);
  const done = await hv
    .post(`/api/tasks/${review.id}/complete`)
    .send({ data: { sixToEightWeekFollowUpAction: 'booked', sixToEightWeekFollowUpNotes: 'Clinic on Tuesday' } });
  expect(done.status).toBe(200);
  await waitForEnd(nhs, 'End_SixToEightWeekFollowedUp');
  const audits = await stack.database.sequelize.query<{ detail: { contact: string; recordedOn: string | null } }>(
    "SELECT detail FROM audit_events WHERE child_id = $1 AND action = 'child.contact_checked' ORDER BY id",
    { type: QueryTypes.SELECT, bind: [child.id] },
  );
  expect(audits.map((a) => [a.detail.contact, a.detail.recordedOn])).toEqual(
    expect.arrayContaining([
      ['nipe-6-8-week', null],
      ['hv-6-8-week', null],
    ]),
  );
}, 300_000);
