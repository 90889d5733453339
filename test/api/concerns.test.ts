import { childRowById as findChildById } from '../../records/children/child-rows';
import {
  BIRMINGHAM,
  COVENTRY,
  auditRows,
  countRows,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

describe("safeguarding concerns: raise, note, escalate, close; grouping the child's tasks", () => {
  let h: CaseWorkHarness;
  let caseworker: SignedIn;
  let lead: SignedIn;
  beforeAll(async () => {
    h = await startCaseWork('api_concerns');
    caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
    lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
  });
  afterAll(() => h.close());

  const post = (s: SignedIn, path: string, body: object) => s.agent.post(path).set('X-CSRF-Token', s.csrf).send(body);

  test('the whole life of a concern, each step audited against the child', async () => {
    const child = await makeChild(h.db, BIRMINGHAM);
    const instance = await makeProcessInstance(h.db, 'was-not-brought');
    const raised = await post(caseworker, `/api/children/${child.nhsNumber}/concerns`, {
      summary: 'Second missed 12-week appointment',
    });
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({
      status: 'open',
      summary: 'Second missed 12-week appointment',
      notes: [expect.objectContaining({ kind: 'raised' })],
    });
    expect((await findChildById(h.db, child.id))!.safeguardingAlert).toBe('concern');
    const id = raised.body.id as string;

    const grouped = await makeTask(h.db, {
      processInstanceId: instance,
      childId: child.id,
      localityId: BIRMINGHAM,
      concernId: id,
      name: 'Contact family',
    });
    const childTask = await makeTask(h.db, {
      processInstanceId: instance,
      childId: child.id,
      localityId: BIRMINGHAM,
      name: 'Rebook appointment',
    });

    expect((await post(caseworker, `/api/concerns/${id}/notes`, { text: 'Phoned mother, no answer' })).status).toBe(
      201,
    );
    const escalated = await post(caseworker, `/api/concerns/${id}/escalate`, {
      reason: 'Child on a child protection plan for neglect',
    });
    expect(escalated.status).toBe(200);
    expect(escalated.body.status).toBe('escalated');

    const read = await lead.agent.get(`/api/concerns/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.notes.map((n: { kind: string }) => n.kind)).toEqual(['raised', 'note', 'escalation']);
    expect(read.body.tasks.map((t: { id: string }) => t.id)).toEqual([grouped.id, childTask.id]);

    const list = await lead.agent.get('/api/concerns');
    expect(list.body.concerns.find((c: { id: string }) => c.id === id)).toMatchObject({
      status: 'escalated',
      nhsNumber: child.nhsNumber,
    });

    const closedByCaseworker = await post(caseworker, `/api/concerns/${id}/close`, {
      outcome: 'no_further_action',
      note: 'x',
    });
    expect(closedByCaseworker.status).toBe(403);
    const closed = await post(lead, `/api/concerns/${id}/close`, {
      outcome: 'referred_to_childrens_social_care',
      note: 'Referred to MASH',
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'referred_to_childrens_social_care' });
    expect((await findChildById(h.db, child.id))!.safeguardingAlert).toBe('none');
    expect(
      (await post(lead, `/api/concerns/${id}/close`, { outcome: 'no_further_action', note: 'again' })).status,
    ).toBe(409);
    expect((await post(caseworker, `/api/concerns/${id}/notes`, { text: 'late note' })).status).toBe(409);

    const timeline = await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline`);
    expect(timeline.body.events.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining([
        'concern_raised',
        'concern_note',
        'concern_escalation',
        'concern_closure',
        'task_created',
      ]),
    );

    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual([
      'concern.raise',
      'concern.note',
      'concern.escalate',
      'concern.read',
      'concern.close',
      'child.timeline',
    ]);
  });

  test("another locality's concern needs a stated reason; bad input is refused with nothing written", async () => {
    const child = await makeChild(h.db, COVENTRY);
    const coventryWorker = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY] }));
    const raised = await post(coventryWorker, `/api/children/${child.nhsNumber}/concerns`, {
      summary: 'Bruising noted at clinic',
    });
    const id = raised.body.id as string;
    const before = {
      concerns: await countRows(h.db, 'safeguarding_concerns'),
      notes: await countRows(h.db, 'safeguarding_concern_notes'),
    };

    expect((await lead.agent.get(`/api/concerns/${id}`)).status).toBe(403);
    expect((await post(caseworker, `/api/children/${child.nhsNumber}/concerns`, { summary: 'Duplicate' })).status).toBe(
      403,
    );
    const empty = await post(caseworker, `/api/children/${child.nhsNumber}/concerns`, { summary: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([{ field: 'body.summary', message: 'must not be empty' }]);
    const badOutcome = await post(lead, `/api/concerns/${id}/close`, { outcome: 'ignore', note: 'n' });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.errors[0].field).toBe('body.outcome');
    expect((await lead.agent.get('/api/concerns/99999999')).status).toBe(404);
    expect(await countRows(h.db, 'safeguarding_concerns')).toBe(before.concerns);
    expect(await countRows(h.db, 'safeguarding_concern_notes')).toBe(before.notes);

    const withReason = await lead.agent
      .get(`/api/concerns/${id}`)
      .set('X-Access-Reason', 'Covering Coventry safeguarding rota today');
    expect(withReason.status).toBe(200);
    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual([
      'concern.raise',
      'child.break_glass',
      'concern.read',
    ]);
  });
});
