/**
 * The mandated contacts after the new birth visit (definitions/child-health-reviews.bpmn),
 * started by new-birth-registration, on the embedded stack with time skipping, driven through
 * the inbound-event API. Windows (docs/domain.md; Healthy Child Programme): NIPE infant
 * physical examination at 6–8 weeks by the GP practice, health visitor reviews at 6–8 weeks,
 * 9–12 months and 2–2½ years. The GP practice is told when the NIPE examination is due; a
 * recorded contact closes its step; nothing on record when a window closes → a task for the
 * locality team (records for NIPE, health visiting for the reviews), which the outcome closes
 * when it arrives; a death ends every review. A follow-up task still open on its due date
 * (the diagram's escalation.after, 14 days) moves to the locality safeguarding lead, who receives
 * escalations (docs/domain.md: "Safeguarding leads receive escalations"); for a child on a child
 * protection plan or looked after one missed contact is enough, so it is escalated at once as a
 * safeguarding concern (docs/domain.md, Was Not Brought: "for a child with a child-protection plan
 * even one missed appointment should prompt action. This applies to every health appointment";
 * NICE guideline NG76 and Working Together to Safeguard Children 2023 put the decision with the
 * named safeguarding lead).
 */
import { QueryTypes } from 'sequelize';
import { formatNhsNumber } from '../../core/nhs-number';
import { londonDate } from '../../core/uk-time';
import { instanceStateQuery, type InstanceStateView } from '../../workflows/contract';
import type { ChisStack, HumanTaskRow } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';

let stack: ChisStack;
chisStackPerFile(
  {
    children: 20,
    definitions: ['new-birth-registration.bpmn', 'child-health-reviews.bpmn', 'safeguarding-escalation.bpmn'],
  },
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

const escalations = (childId: string) =>
  stack.database.sequelize.query<{
    reason: string;
    detail: { elementId: string; fromGroups: string[]; toGroups: string[] };
  }>(
    // This process's escalations (the new birth visit's at day 15 is new-birth-registration's).
    "SELECT reason, detail FROM audit_events WHERE child_id = $1 AND action = 'task.escalate' AND detail->>'processInstanceId' LIKE 'child-health-reviews-%' ORDER BY id",
    {
      type: QueryTypes.SELECT,
      bind: [childId],
    },
  );

const concerns = (childId: string) =>
  stack.database.sequelize.query<{ summary: string; severity: string }>(
    'SELECT summary, severity FROM safeguarding_concerns WHERE child_id = $1 ORDER BY id',
    { type: QueryTypes.SELECT, bind: [childId] },
  );

test('a missed-contact task still open on its due date (14 days) moves to the locality safeguarding lead, still completable; one done in time is not escalated', async () => {
  const nhs = stack.newNhsNumber();
  await notifyBirth(nhs, 'walsall', 'WS1 1AA');
  await reviews(nhs);
  const child = (await stack.child(nhs))!;

  await stack.skip('57 days'); // both 6–8 week windows closed with nothing on record
  const review = await waitForTask(nhs, 'Arrange missed 6–8 week review');
  const nipe = await waitForTask(nhs, 'Chase missed 6–8 week NIPE examination');
  // Due when the escalation comes: 14 days after the window closed (the diagram's escalation.after), under a day ago.
  const dueInDays = (review.dueAt!.getTime() - stack.now().getTime()) / 86_400_000;
  expect(dueInDays).toBeGreaterThan(13);
  expect(dueInDays).toBeLessThanOrEqual(14);
  // The records team chases the NIPE outcome in time: its task is done and never escalated.
  const records = await stack.signIn('cw.walsall.records');
  expect((await records.post(`/api/tasks/${nipe.id}/claim`).send({})).status).toBe(200);
  expect(
    (await records.post(`/api/tasks/${nipe.id}/complete`).send({ data: { nipeFollowUpAction: 'booked' } })).status,
  ).toBe(200);
  await waitForEnd(nhs, 'End_NipeFollowedUp');

  await stack.skip('13 days');
  expect(await escalations(child.id)).toEqual([]);
  await stack.skip('2 days'); // past the due date: the review task is still open
  const moved = await stack.waitFor(async () => {
    const t = (await reviewTasks(nhs)).find((x) => x.id === review.id);
    return t?.candidateGroups.includes('walsall-safeguarding') && t;
  }, 'the review task in the safeguarding queue');
  expect(moved).toMatchObject({
    status: 'open',
    assignee: null,
    candidateGroups: ['walsall-safeguarding'],
    priority: 80,
  });
  expect(await escalations(child.id)).toEqual([
    {
      reason: 'Missed 6–8 week review: the follow-up task was still open on its due date',
      detail: expect.objectContaining({
        elementId: 'Task_SixToEightWeekFollowUp',
        fromGroups: ['walsall-health-visiting'],
        toGroups: ['walsall-safeguarding'],
      }),
    },
  ]);
  await waitForEnd(nhs, 'End_SixToEightWeekFollowUpEscalated');
  expect(await concerns(child.id)).toEqual([]); // not on a plan: no concern at the window

  // The safeguarding lead sees it and completes it as the follow-up.
  const lead = await stack.signIn('sl.walsall');
  expect(JSON.stringify((await lead.get('/api/tasks/queues/unclaimed')).body)).toContain(review.id);
  expect((await lead.post(`/api/tasks/${review.id}/claim`).send({})).status).toBe(200);
  const done = await lead
    .post(`/api/tasks/${review.id}/complete`)
    .send({ data: { sixToEightWeekFollowUpAction: 'unable-to-contact', sixToEightWeekFollowUpNotes: 'Referred on' } });
  expect(done.status).toBe(200);
  await waitForEnd(nhs, 'End_SixToEightWeekFollowedUp');
  expect((await escalations(child.id)).map((e) => e.detail.elementId)).toEqual(['Task_SixToEightWeekFollowUp']);
}, 300_000);

test('a child on a child protection plan: a missed contact is escalated at once as a safeguarding concern, beside the follow-up task', async () => {
  const nhs = stack.newNhsNumber();
  await notifyBirth(nhs, 'sandwell', 'B70 1AA');
  await reviews(nhs);
  const child = (await stack.child(nhs))!;
  await post('/api/events/child-protection-alerts', {
    nhsNumber: nhs,
    type: 'child_protection_plan',
    startDate: today(),
    localAuthority: 'Sandwell Metropolitan Borough Council',
  });
  await stack.waitFor(
    async () => (await stack.child(nhs))?.safeguardingAlert === 'child_protection_plan',
    'the alert on the record',
  );
  const missedContact = async () => (await concerns(child.id)).filter((c) => c.summary.startsWith('No '));

  await stack.skip('42 days');
  await attended(nhs, 'health_visit', 'hv-6-8-week'); // the review is done; the NIPE examination is not
  await waitForEnd(nhs, 'End_SixToEightWeekRecorded');
  await stack.skip('15 days');
  const nipe = await waitForTask(nhs, 'Chase missed 6–8 week NIPE examination');
  const raised = await stack.waitFor(async () => {
    const c = await missedContact();
    return c.length > 0 && c;
  }, 'the concern for the missed NIPE examination');
  expect(raised).toEqual([
    {
      summary:
        'No 6–8 week NIPE examination on record when its window closed (child on a child protection plan or looked after)',
      severity: 'high',
    },
  ]);
  // The safeguarding lead decides on it in the escalation process; the records team still chases the examination.
  await stack.waitFor(
    async () =>
      (await stack.tasksFor(nhs)).some(
        (t) => t.processKey === 'safeguarding-escalation' && t.candidateGroups.includes('sandwell-safeguarding'),
      ),
    "the safeguarding lead's decision task",
  );
  expect(nipe).toMatchObject({ candidateGroups: ['sandwell-records'], status: 'open' });
  expect(await missedContact()).toHaveLength(1);
  expect(await completed(nhs)).toContain('Task_NipeRaiseConcern');
  expect(await completed(nhs)).not.toContain('Task_SixToEightWeekRaiseConcern');
}, 300_000);
