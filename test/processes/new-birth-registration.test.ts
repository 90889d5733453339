/**
 * New birth registration (definitions/new-birth-registration.bpmn) end to end on the embedded
 * stack with time skipping, driven through the inbound-event API: the record, the GP email as
 * the local SMTP server receives it, the new birth visit task, the screening follow-ups and
 * their escalations; a repeated notification changes nothing.
 */
import { QueryTypes } from 'sequelize';
import { formatNhsNumber } from '../../core/nhs-number';
import { londonDate, startOfLondonDay } from '../../core/uk-time';
import { instanceStateQuery, type InstanceStateView } from '../../workflows/contract';
import type { ChisStack, HumanTaskRow } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';

const DAY = 86_400_000;
let stack: ChisStack;

chisStackPerFile({ children: 20, definitions: ['new-birth-registration.bpmn'] }, (started) => (stack = started));

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/**
 * Days from the date of birth to the day `at` starts in England: deadlines on plain dates are
 * midnight there (23:00 UTC the evening before in summer time). NaN when `at` is not within a
 * minute after a midnight (a timer's end is recorded when its workflow task ran).
 */
const daysAfterBirth = (at: Date | number, dateOfBirth: string) => {
  const t = new Date(at).getTime();
  const day = londonDate(t);
  const sinceMidnight = t - startOfLondonDay(day);
  return sinceMidnight >= 0 && sinceMidnight < 60_000
    ? Math.round((Date.parse(day) - Date.parse(dateOfBirth)) / DAY)
    : NaN;
};

interface Birth {
  nhsNumber: string;
  gpPracticeCode: string;
  postcode: string;
  maternityUnit: string;
}

function birthBody(b: Birth, dateOfBirth: string) {
  return {
    nhsNumber: b.nhsNumber,
    givenName: 'Rosalind',
    familyName: 'Franklin-Test',
    dateOfBirth,
    timeOfBirth: '08:30',
    sex: 'female',
    mother: { name: 'Muriel Franklin-Test' },
    address: { lines: ['1 Test Street'], postcode: b.postcode },
    gpPracticeCode: b.gpPracticeCode,
    maternityUnit: b.maternityUnit,
  };
}

async function notifyBirth(
  body: ReturnType<typeof birthBody>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await stack.events.post('/api/events/birth-notifications').send(body);
  if (res.status !== 202 && res.status !== 200)
    throw new Error(`birth notification: ${res.status} ${JSON.stringify(res.body)}`);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

async function recordScreening(
  nhsNumber: string,
  programme: 'blood_spot' | 'hearing' | 'nipe',
  outcome: string,
): Promise<void> {
  const res = await stack.events
    .post('/api/events/screening-outcomes')
    .send({ nhsNumber, programme, outcome, recordedOn: isoDay(stack.now()) });
  expect([res.status, res.body?.instancesNotified]).toEqual([202, 1]);
}

async function stateOf(nhs: string): Promise<InstanceStateView[]> {
  const views = [];
  for (const i of await stack.instancesFor(nhs))
    views.push(await stack.engine.env.client.workflow.getHandle(i.id).query(instanceStateQuery));
  return views;
}

const tasksNamed = async (nhs: string, name: string): Promise<HumanTaskRow[]> =>
  (await stack.tasksFor(nhs)).filter((t) => t.name === name);

/** Waits for a task; on time-out says where the tokens are and which incidents are open. */
async function waitForTask(nhs: string, name: string, status: HumanTaskRow['status'] = 'open'): Promise<HumanTaskRow> {
  try {
    return await stack.waitFor(
      async () => (await tasksNamed(nhs, name)).find((t) => t.status === status),
      `task "${name}" (${status}) for ${nhs}`,
    );
  } catch (e) {
    const where = (await stateOf(nhs)).map((v) => ({
      status: v.status,
      active: v.active.map((a) => a.elementId),
      incidents: v.incidents,
    }));
    throw new Error(`${(e as Error).message}; instances: ${JSON.stringify(where)}`, { cause: e });
  }
}

async function screeningAudit(
  childId: string,
): Promise<Array<{ action: string; actorUsername: string; reason: string | null }>> {
  return stack.database.sequelize.query(
    'SELECT action, actor_username AS "actorUsername", reason FROM audit_events WHERE child_id = $1 AND action LIKE \'screening.%\' ORDER BY id',
    { type: QueryTypes.SELECT, bind: [childId] },
  );
}

test('a birth: one record, the GP emailed (NHS number and initials only), the visit task due day 10–14 in the locality queue; blood spot in time → no follow-up; no hearing outcome by week 5 → follow-up, by 3 months → escalation', async () => {
  const nhs = stack.newNhsNumber();
  const dateOfBirth = isoDay(stack.now());
  const practice = await stack.practiceOf('coventry');
  stack.pds.addPatient({
    nhsNumber: nhs,
    givenName: 'Rosalind',
    familyName: 'Franklin-Test',
    dateOfBirth,
    sex: 'female',
  });
  const accepted = await notifyBirth(
    birthBody(
      {
        nhsNumber: nhs,
        gpPracticeCode: practice.odsCode,
        postcode: 'CV1 2AB',
        maternityUnit: 'Home birth (community midwives)',
      },
      dateOfBirth,
    ),
  );
  expect(accepted).toMatchObject({ status: 202, body: { processesStarted: 1 } });

  const visit = await waitForTask(nhs, 'New birth visit');
  const child = (await stack.child(nhs))!;
  expect(child).toMatchObject({
    nhsNumber: nhs,
    dateOfBirth,
    localityCode: 'coventry',
    gpPracticeOds: practice.odsCode,
  });
  expect(visit).toMatchObject({
    candidateGroups: ['coventry-health-visiting'],
    childId: child.id,
    localityId: child.localityId,
    processKey: 'new-birth-registration',
    businessKey: nhs,
    priority: 60,
  });
  expect(daysAfterBirth(visit.dueAt!, dateOfBirth)).toBe(14);
  expect(daysAfterBirth(visit.followUpAt!, dateOfBirth)).toBe(10);
  const hv = await stack.signIn('cw.coventry.hv');
  expect(JSON.stringify((await hv.get('/api/tasks/queues/unclaimed')).body)).toContain(visit.id);

  const mail = await stack.waitFor(async () => {
    const m = await stack.receivedMail(practice.email);
    return m.length > 0 && m;
  }, 'the GP email');
  expect(mail).toHaveLength(1);
  expect(mail[0]).toMatchObject({ subject: 'CHIS: new birth registered at your practice', timesReceived: 1 });
  for (const body of [mail[0].textBody!, mail[0].htmlBody!]) {
    expect(body).toContain(formatNhsNumber(nhs));
    expect(body).toContain('R.F.');
    expect(body).not.toMatch(/Rosalind|Franklin|Muriel/);
  }

  await stack.skip('2 days');
  await recordScreening(nhs, 'nipe', 'no_abnormality_detected');
  await stack.skip('7 days');
  await recordScreening(nhs, 'blood_spot', 'no_suspected_condition');
  await stack.skip('27 days'); // day 36: past day 17 (blood spot) and week 5 (community hearing programme)
  // Nobody recorded the new birth visit by day 14: the task went to the locality safeguarding lead.
  const overdueVisit = await stack.waitFor(
    async () =>
      (await tasksNamed(nhs, 'New birth visit')).find((t) => t.candidateGroups.includes('coventry-safeguarding')),
    'the escalated visit',
  );
  expect(overdueVisit).toMatchObject({
    id: visit.id,
    status: 'open',
    candidateGroups: ['coventry-safeguarding'],
    priority: 80,
  });
  const [visitEscalation] = await stack.db.sequelize.query<{ reason: string; at: Date }>(
    'SELECT escalation_reason AS reason, escalated_at AS at FROM human_tasks WHERE id = $1',
    { type: QueryTypes.SELECT, bind: [visit.id] },
  );
  expect(visitEscalation.reason).toBe('New birth visit not recorded by day 14');
  const hearingChase = await waitForTask(nhs, 'Chase missing hearing screen');
  expect(hearingChase).toMatchObject({ candidateGroups: ['coventry-records'], localityId: child.localityId });
  expect(await tasksNamed(nhs, 'Chase missing blood spot result')).toEqual([]);
  expect(await tasksNamed(nhs, 'Chase missing NIPE examination')).toEqual([]);
  const [atWeek5] = await stateOf(nhs);
  const hearingDeadline = atWeek5.completed.find((c) => c.elementId === 'Event_HearingDeadline')!;
  expect(daysAfterBirth(hearingDeadline.endedAt!, dateOfBirth)).toBeCloseTo(35, 2); // workflow time: 5 weeks
  expect(atWeek5.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['End_NipeRecorded', 'End_BloodSpotOnRecord']),
  );

  await stack.skip('60 days'); // past 3 months
  const decide = await waitForTask(nhs, 'Decide on missing hearing screen');
  expect(decide).toMatchObject({ candidateGroups: ['coventry-safeguarding'], priority: 80 });
  expect((await tasksNamed(nhs, 'Chase missing hearing screen')).map((t) => t.status)).toEqual(['cancelled']);
  const audit = await screeningAudit(child.id);
  expect(audit.filter((a) => a.action === 'screening.escalated')).toEqual([
    {
      action: 'screening.escalated',
      actorUsername: 'system:new-birth-registration',
      reason: expect.stringMatching(/^No conclusive hearing result by \d{4}-\d{2}-\d{2}$/),
    },
  ]);
  expect(audit.filter((a) => a.action === 'screening.checked').length).toBeGreaterThanOrEqual(1);

  const sl = await stack.signIn('sl.coventry');
  expect((await sl.post(`/api/tasks/${decide.id}/claim`).send({})).status).toBe(200);
  expect(
    (
      await sl.post(`/api/tasks/${decide.id}/complete`).send({
        data: { hearingEscalationDecision: 'refer', hearingEscalationNotes: 'GP asked to refer to audiology' },
      })
    ).status,
  ).toBe(200);
  const [after] = await stateOf(nhs);
  expect(after.completed.map((c) => c.elementId)).toContain('End_HearingEscalated');
  // The immunisation schedule for the date of birth: the first doses are due at 8 weeks.
  expect(after.variables.nextImmunisation).toMatchObject({
    dueOn: isoDay(new Date(Date.parse(dateOfBirth) + 56 * DAY)),
  });
  expect(await stack.instancesFor(nhs)).toHaveLength(1);
}, 240_000);

test('a repeated notification is a no-op; a second, different notification for the same baby matches the record and stops', async () => {
  const nhs = stack.newNhsNumber();
  const dateOfBirth = isoDay(stack.now());
  const practice = await stack.practiceOf('birmingham');
  const body = birthBody(
    {
      nhsNumber: nhs,
      gpPracticeCode: practice.odsCode,
      postcode: 'B15 2TT',
      maternityUnit: "Birmingham Women's Hospital",
    },
    dateOfBirth,
  );
  expect((await notifyBirth(body)).body).toMatchObject({ processesStarted: 1 });
  await waitForTask(nhs, 'New birth visit');
  const repeat = await notifyBirth(body);
  expect(repeat).toMatchObject({ status: 200, body: { status: 'duplicate' } });

  const corrected = await notifyBirth({ ...body, address: { lines: ['2 Other Street'], postcode: 'B15 2TT' } });
  expect(corrected.body).toMatchObject({ status: 'accepted', processesStarted: 1, routing: { existingRecord: true } });
  const instances = await stack.waitFor(async () => {
    const rows = await stack.instancesFor(nhs);
    return rows.length === 2 && rows[1].status === 'completed' && rows;
  }, 'the second instance to stop');
  expect(instances.map((i) => i.status)).toEqual(['running', 'completed']);
  const [, second] = await stateOf(nhs);
  expect(second.completed.map((c) => c.elementId)).toEqual([
    'Start_BirthNotified',
    'Task_CreateOrMatchRecord',
    'Gateway_FirstNotification',
    'End_AlreadyRegistered',
    'new-birth-registration',
  ]);

  const [{ n }] = await stack.database.sequelize.query<{ n: string }>(
    'SELECT count(*) AS n FROM children WHERE nhs_number = $1',
    { type: QueryTypes.SELECT, bind: [nhs] },
  );
  expect(Number(n)).toBe(1);
  expect(await tasksNamed(nhs, 'New birth visit')).toHaveLength(1);
  const child = (await stack.child(nhs))!;
  const [{ emails }] = await stack.database.sequelize.query<{ emails: string }>(
    'SELECT count(*) AS emails FROM notifications WHERE child_id = $1',
    { type: QueryTypes.SELECT, bind: [child.id] },
  );
  expect(Number(emails)).toBe(1);
}, 120_000);

test('blood spot missing at day 17 → chase; a repeat request while chasing → chased again; a conclusive result closes it. Hospital hearing programme: week 4. The visit is worked through the API', async () => {
  const nhs = stack.newNhsNumber();
  const dateOfBirth = isoDay(stack.now());
  const practice = await stack.practiceOf('walsall');
  await notifyBirth(
    birthBody(
      {
        nhsNumber: nhs,
        gpPracticeCode: practice.odsCode,
        postcode: 'WS1 1AA',
        maternityUnit: 'Walsall Manor Hospital',
      },
      dateOfBirth,
    ),
  );
  const visit = await waitForTask(nhs, 'New birth visit');
  expect(visit.candidateGroups).toEqual(['walsall-health-visiting']);

  const hv = await stack.signIn('cw.walsall.hv');
  expect((await hv.post(`/api/tasks/${visit.id}/claim`).send({})).status).toBe(200);
  const refused = await hv.post(`/api/tasks/${visit.id}/complete`).send({ data: { visitOutcome: 'completed' } });
  expect(refused.status).toBe(400); // the form requires the visit date
  expect(JSON.stringify(refused.body)).toMatch(/visitDate/);
  const visitDate = isoDay(new Date(Date.parse(dateOfBirth) + 11 * DAY));
  expect(
    (await hv.post(`/api/tasks/${visit.id}/complete`).send({ data: { visitDate, visitOutcome: 'completed' } })).status,
  ).toBe(200);

  await stack.skip('18 days'); // end of day 17 has passed
  expect((await waitForTask(nhs, 'Chase missing NIPE examination')).candidateGroups).toEqual(['walsall-records']);
  const chase = await waitForTask(nhs, 'Chase missing blood spot result');
  expect(chase.candidateGroups).toEqual(['walsall-records']);
  expect(await tasksNamed(nhs, 'Chase missing hearing screen')).toEqual([]);

  await recordScreening(nhs, 'blood_spot', 'repeat_required');
  await stack.waitFor(
    async () =>
      (await tasksNamed(nhs, 'Chase missing blood spot result')).map((t) => t.status).join() === 'cancelled,open',
    'a second chase after the repeat request',
  );

  await stack.skip('1 day');
  await recordScreening(nhs, 'blood_spot', 'no_suspected_condition');
  await stack.waitFor(
    async () => (await tasksNamed(nhs, 'Chase missing blood spot result')).every((t) => t.status === 'cancelled'),
    'the chase to be cancelled',
  );

  await stack.skip('9 days'); // day 28: the hospital programme's 4 weeks
  await waitForTask(nhs, 'Chase missing hearing screen');
  const [view] = await stateOf(nhs);
  const hearingDeadline = view.completed.find((c) => c.elementId === 'Event_HearingDeadline')!;
  expect(daysAfterBirth(hearingDeadline.endedAt!, dateOfBirth)).toBeCloseTo(28, 2); // workflow time
  const ended = view.completed.map((c) => c.elementId);
  expect(ended).toEqual(expect.arrayContaining(['End_Visited', 'End_BloodSpotOnRecord']));
  expect(ended).not.toContain('End_BloodSpotEscalated');
  expect(ended).not.toContain('End_VisitEscalated'); // visited on day 11: nothing to escalate at day 14
  expect(view.variables).toMatchObject({
    visitDate,
    visitOutcome: 'completed',
    bloodSpotOutcome: 'no_suspected_condition',
    deadlines: { hearingProgramme: 'hospital' },
  });
}, 240_000);

test('nothing recorded: NIPE, blood spot and hearing chased; blood spot escalated at day 42; a hearing outcome after the chase closes that branch without escalation', async () => {
  const nhs = stack.newNhsNumber();
  const dateOfBirth = isoDay(stack.now());
  const practice = await stack.practiceOf('dudley');
  await notifyBirth(
    birthBody(
      { nhsNumber: nhs, gpPracticeCode: practice.odsCode, postcode: 'DY1 1AA', maternityUnit: 'Home birth' },
      dateOfBirth,
    ),
  );
  await waitForTask(nhs, 'New birth visit');
  const child = (await stack.child(nhs))!;

  await stack.skip('36 days');
  const hearingChase = await waitForTask(nhs, 'Chase missing hearing screen');
  const records = await stack.signIn('cw.dudley.records');
  expect((await records.post(`/api/tasks/${hearingChase.id}/claim`).send({})).status).toBe(200);
  const completed = await records
    .post(`/api/tasks/${hearingChase.id}/complete`)
    .send({ data: { hearingChaseAction: 'repeat-arranged', hearingChaseNotes: 'Community clinic booked' } });
  expect(completed.status).toBe(200);

  await stack.skip('7 days'); // day 43
  const decide = await waitForTask(nhs, 'Decide on missing blood spot result');
  expect(decide).toMatchObject({ candidateGroups: ['dudley-safeguarding'], priority: 80 });
  expect((await tasksNamed(nhs, 'Chase missing blood spot result')).map((t) => t.status)).toEqual(['cancelled']);
  expect((await tasksNamed(nhs, 'Chase missing NIPE examination')).map((t) => t.status)).toEqual(['open']);

  await recordScreening(nhs, 'hearing', 'clear_response');
  await stack.waitFor(
    async () => (await stateOf(nhs))[0].completed.some((c) => c.elementId === 'End_HearingOnRecord'),
    'the hearing branch to end on record',
  );
  await stack.skip('60 days'); // past 3 months: the hearing branch has ended, so no escalation
  expect(await tasksNamed(nhs, 'Decide on missing hearing screen')).toEqual([]);
  const [view] = await stateOf(nhs);
  expect(view.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining([
      'Event_HearingRecordedAfterChase',
      'End_HearingOnRecord',
      'Task_RecordBloodSpotEscalation',
    ]),
  );
  expect(view.variables).toMatchObject({ hearingChaseAction: 'repeat-arranged', hearingOutcome: 'clear_response' });
  expect(
    (await screeningAudit(child.id)).filter((a) => a.action === 'screening.escalated').map((a) => a.reason),
  ).toEqual([expect.stringMatching(/^No conclusive blood spot result by \d{4}-\d{2}-\d{2}$/)]);
}, 240_000);

test('a death notified while the new birth visit is open: the record is marked deceased (audited), the instance ends, the visit task is cancelled; nothing more is sent or escalated', async () => {
  const nhs = stack.newNhsNumber();
  const dateOfBirth = isoDay(stack.now());
  const practice = await stack.practiceOf('sandwell');
  await notifyBirth(
    birthBody(
      {
        nhsNumber: nhs,
        gpPracticeCode: practice.odsCode,
        postcode: 'B66 1AA',
        maternityUnit: 'Sandwell General Hospital',
      },
      dateOfBirth,
    ),
  );
  const visit = await waitForTask(nhs, 'New birth visit');
  const child = (await stack.child(nhs))!;
  await stack.waitFor(async () => (await stack.receivedMail(practice.email)).length === 1, 'the GP email');

  // Two days, not three: the 72-hour NIPE check is due by the start of day 4 (England), and three
  // days from a birth late in the evening crossed it, adding a NIPE follow-up task (CI failed at 23:25).
  await stack.skip('2 days');
  const death = { nhsNumber: nhs, dateOfDeath: isoDay(stack.now()) };
  const res = await stack.events.post('/api/events/death-notifications').send(death);
  expect([res.status, res.body]).toEqual([
    202,
    expect.objectContaining({
      status: 'accepted',
      childId: child.id,
      messageName: 'childDied',
      processesStarted: 0,
      instancesNotified: 1,
    }),
  ]);
  const [record] = await stack.database.sequelize.query<{ status: string; dateOfDeath: string }>(
    'SELECT status, date_of_death::text AS "dateOfDeath" FROM children WHERE id = $1',
    {
      type: QueryTypes.SELECT,
      bind: [child.id],
    },
  );
  expect(record).toEqual({ status: 'deceased', dateOfDeath: death.dateOfDeath });
  const audits = await stack.database.sequelize.query<{ action: string; detail: Record<string, unknown> }>(
    "SELECT action, detail FROM audit_events WHERE child_id = $1 AND action = 'event.death_notification'",
    { type: QueryTypes.SELECT, bind: [child.id] },
  );
  expect(audits).toEqual([
    {
      action: 'event.death_notification',
      detail: expect.objectContaining({
        messageName: 'childDied',
        previousStatus: 'active',
        status: 'deceased',
        dateOfDeath: death.dateOfDeath,
      }),
    },
  ]);

  const [ended] = await stack.waitFor(async () => {
    const rows = await stack.instancesFor(nhs);
    return rows.length === 1 && rows[0].status !== 'running' && rows;
  }, 'the birth instance to end');
  expect(ended.status).toBe('completed');
  const [view] = await stateOf(nhs);
  expect(view.active).toEqual([]);
  expect(view.incidents).toEqual([]);
  expect(view.completed.map((c) => c.elementId)).toEqual(
    expect.arrayContaining(['Start_ChildDied', 'End_ChildDied', 'Sub_ChildDied']),
  );
  expect(view.completed.map((c) => c.elementId)).not.toContain('End_Visited');
  await stack.waitFor(
    async () => (await tasksNamed(nhs, 'New birth visit'))[0]?.status === 'cancelled',
    'the visit task to be cancelled',
  );

  // A repeat of the notification is answered with the first event; nothing is written again.
  const repeat = await stack.events.post('/api/events/death-notifications').send(death);
  expect([repeat.status, repeat.body.eventId, repeat.body.status]).toEqual([200, res.body.eventId, 'duplicate']);

  // Past every deadline of the process (visit day 14, screening, escalations at day 42 and 3 months): nothing happens.
  // In 20-day steps: a skip is also a real-time timer, which Node caps at about 24.8 days.
  for (let i = 0; i < 5; i++) await stack.skip('20 days');
  const tasks = await stack.tasksFor(nhs);
  expect(tasks.map((t) => [t.id, t.status])).toEqual([[visit.id, 'cancelled']]);
  const [visitRow] = await stack.database.sequelize.query<{ escalatedAt: Date | null }>(
    'SELECT escalated_at AS "escalatedAt" FROM human_tasks WHERE id = $1',
    { type: QueryTypes.SELECT, bind: [visit.id] },
  );
  expect(visitRow.escalatedAt).toBeNull();
  expect(await stack.receivedMail(practice.email)).toHaveLength(1);
  const [{ emails }] = await stack.database.sequelize.query<{ emails: string }>(
    'SELECT count(*) AS emails FROM notifications WHERE child_id = $1',
    { type: QueryTypes.SELECT, bind: [child.id] },
  );
  expect(Number(emails)).toBe(1);
  expect(await stack.instancesFor(nhs)).toHaveLength(1);
}, 240_000);
