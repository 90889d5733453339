import { findTask } from '../../records/tasks/rows';
import {
  BIRMINGHAM,
  COVENTRY,
  auditRows,
  countRows,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  makeTeam,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
} from './support/case-work';

const HEREFORDSHIRE = 4;
const SHROPSHIRE = 6;
const NOW = new Date('2026-06-15T10:00:00Z'); // British Summer Time: the London day is 23:00Z..23:00Z

const FORM = {
  source: 'embedded',
  key: 'new-birth-visit',
  fields: [
    { key: 'visitDate', type: 'date', required: true },
    { key: 'seenBy', type: 'text', required: true },
    { key: 'weightGrams', type: 'number', required: false },
    { key: 'concernsNoted', type: 'boolean', required: true },
    { key: 'followUp', type: 'select', required: false, options: ['none', 'gp', 'health_visitor'] },
  ],
};

const ids = (body: { tasks: Array<{ id: string }> }) => body.tasks.map((t) => t.id);

describe('task queues, claiming, assignment and completion', () => {
  let h: CaseWorkHarness;
  let instance: string;
  beforeAll(async () => {
    h = await startCaseWork('api_tasks', { now: () => NOW });
    instance = await makeProcessInstance(h.db, 'new-birth');
  });
  afterAll(() => h.close());

  test("my teams' unclaimed tasks: priority desc, then due date (none last), then id; cursor pages cover the queue exactly once", async () => {
    const team = await makeTeam(h.db, BIRMINGHAM);
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    const due = (d: number) => new Date(Date.UTC(2026, 5, d));
    const specs = [
      { priority: 50, dueAt: due(20) },
      { priority: 90, dueAt: due(25) },
      { priority: 50, dueAt: due(18) },
      { priority: 50, dueAt: null },
      { priority: 90, dueAt: null },
      { priority: 10, dueAt: due(1) },
      { priority: 50, dueAt: due(18) },
      { priority: 50, dueAt: null },
    ];
    const created = [];
    for (const spec of specs)
      created.push(
        await makeTask(h.db, { processInstanceId: instance, candidateGroups: [team], localityId: BIRMINGHAM, ...spec }),
      );
    await makeTask(h.db, { processInstanceId: instance, candidateGroups: ['someone-else'], localityId: BIRMINGHAM });
    const expected = [...created]
      .sort(
        (a, b) =>
          b.priority - a.priority ||
          (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity) ||
          (a.id < b.id ? -1 : 1),
      )
      .map((t) => t.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await s.agent.get('/api/tasks/queues/unclaimed').query({ limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      cursor = res.body.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });

  test('claim, my tasks, unclaim; claimed tasks leave the unclaimed queue; all audited', async () => {
    const team = await makeTeam(h.db, BIRMINGHAM);
    const child = await makeChild(h.db, BIRMINGHAM);
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    const task = await makeTask(h.db, {
      processInstanceId: instance,
      candidateGroups: [team],
      localityId: BIRMINGHAM,
      childId: child.id,
    });

    const claim = await s.agent.post(`/api/tasks/${task.id}/claim`).set('X-CSRF-Token', s.csrf).send({});
    expect(claim.status).toBe(200);
    expect(claim.body).toMatchObject({ status: 'claimed', assignee: s.user.username, rowVersion: 2 });
    expect(ids((await s.agent.get('/api/tasks/queues/mine')).body)).toEqual([task.id]);
    expect(ids((await s.agent.get('/api/tasks/queues/unclaimed')).body)).not.toContain(task.id);

    const unclaim = await s.agent.post(`/api/tasks/${task.id}/unclaim`).set('X-CSRF-Token', s.csrf).send({});
    expect(unclaim.body).toMatchObject({ status: 'open', assignee: null });
    expect(ids((await s.agent.get('/api/tasks/queues/mine')).body)).toEqual([]);
    expect(ids((await s.agent.get('/api/tasks/queues/unclaimed')).body)).toContain(task.id);
    expect((await auditRows(h.db, { childId: child.id })).map((e) => [e.action, e.entityId])).toEqual([
      ['task.claim', task.id],
      ['task.unclaim', task.id],
    ]);
  });

  test('two concurrent claims of the same task: exactly one 200 and one 409', async () => {
    const team = await makeTeam(h.db, BIRMINGHAM);
    const a = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    const b = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    for (let round = 0; round < 5; round++) {
      const task = await makeTask(h.db, {
        processInstanceId: instance,
        candidateGroups: [team],
        localityId: BIRMINGHAM,
      });
      const results = await Promise.all([
        a.agent.post(`/api/tasks/${task.id}/claim`).set('X-CSRF-Token', a.csrf).send({}),
        b.agent.post(`/api/tasks/${task.id}/claim`).set('X-CSRF-Token', b.csrf).send({}),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body.detail).toBe(`The task is already claimed by ${winner.body.assignee}`);
      expect(loser.body).toMatchObject({
        type: 'urn:chis-flow:problem:task-conflict',
        currentStatus: 'claimed',
        currentAssignee: winner.body.assignee,
      });
      expect((await findTask(h.db, task.id))!.assignee).toBe(winner.body.assignee);
      const claims = (await auditRows(h.db, {})).filter((e) => e.action === 'task.claim' && e.entityId === task.id);
      expect(claims).toHaveLength(1);
    }
  });

  test('only candidates claim; only the assignee unclaims; stale expectedVersion is a 409', async () => {
    const team = await makeTeam(h.db, BIRMINGHAM);
    const member = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    const outsider = await signIn(
      h.app,
      await makeStaff(h.db, 'caseworker', { teamCodes: [await makeTeam(h.db, BIRMINGHAM)] }),
    );
    const task = await makeTask(h.db, { processInstanceId: instance, candidateGroups: [team], localityId: BIRMINGHAM });
    const named = await makeTask(h.db, {
      processInstanceId: instance,
      candidateUsers: [outsider.user.username],
      localityId: BIRMINGHAM,
    });
    expect(ids((await outsider.agent.get('/api/tasks/queues/unclaimed')).body)).toEqual([named.id]);
    const byOutsider = await outsider.agent
      .post(`/api/tasks/${task.id}/claim`)
      .set('X-CSRF-Token', outsider.csrf)
      .send({});
    expect(byOutsider.status).toBe(403);
    const stale = await member.agent
      .post(`/api/tasks/${task.id}/claim`)
      .set('X-CSRF-Token', member.csrf)
      .send({ expectedVersion: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/changed since version 7/);
    await member.agent
      .post(`/api/tasks/${task.id}/claim`)
      .set('X-CSRF-Token', member.csrf)
      .send({ expectedVersion: 1 })
      .expect(200);
    const notTheirs = await outsider.agent
      .post(`/api/tasks/${task.id}/unclaim`)
      .set('X-CSRF-Token', outsider.csrf)
      .send({});
    expect(notTheirs.status).toBe(403);
  });

  test('leads assign within their localities, administrators anywhere; unknown assignees are named', async () => {
    const team = await makeTeam(h.db, COVENTRY);
    const worker = await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY], teamCodes: [team] });
    const coventryLead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [COVENTRY] }));
    const birminghamLead = await signIn(
      h.app,
      await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }),
    );
    const admin = await signIn(h.app, await makeStaff(h.db, 'administrator', { localityIds: [] }));
    const task = await makeTask(h.db, { processInstanceId: instance, candidateGroups: [team], localityId: COVENTRY });

    expect(
      (
        await birminghamLead.agent
          .post(`/api/tasks/${task.id}/assign`)
          .set('X-CSRF-Token', birminghamLead.csrf)
          .send({ assignee: worker.username })
      ).status,
    ).toBe(403);
    const unknown = await coventryLead.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', coventryLead.csrf)
      .send({ assignee: 'no.such.person' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'body.assignee', message: 'is not an active member of staff' }]);

    const assigned = await coventryLead.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', coventryLead.csrf)
      .send({ assignee: worker.username });
    expect(assigned.body).toMatchObject({ status: 'claimed', assignee: worker.username });
    const reassigned = await admin.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ assignee: coventryLead.user.username });
    expect(reassigned.body).toMatchObject({ status: 'claimed', assignee: coventryLead.user.username });
    const back = await admin.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', admin.csrf)
      .send({ assignee: null });
    expect(back.body).toMatchObject({ status: 'open', assignee: null });
    const teamMember = await signIn(h.app, worker);
    expect(ids((await teamMember.agent.get('/api/tasks/queues/unclaimed')).body)).toEqual([task.id]);
    const assigns = (await auditRows(h.db, {})).filter((e) => e.action === 'task.assign' && e.entityId === task.id);
    expect(assigns.map((e) => e.detail.to)).toEqual([worker.username, coventryLead.user.username, null]);
  });

  test('completion validates the form data first (nothing written on failure), then completes through the completer', async () => {
    const team = await makeTeam(h.db, BIRMINGHAM);
    const child = await makeChild(h.db, BIRMINGHAM);
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    const task = await makeTask(h.db, {
      processInstanceId: instance,
      candidateGroups: [team],
      localityId: BIRMINGHAM,
      childId: child.id,
      form: FORM,
    });
    const complete = (body: object) =>
      s.agent.post(`/api/tasks/${task.id}/complete`).set('X-CSRF-Token', s.csrf).send(body);

    expect((await complete({ data: {} })).status).toBe(409); // not claimed yet
    await s.agent.post(`/api/tasks/${task.id}/claim`).set('X-CSRF-Token', s.csrf).send({}).expect(200);
    const auditBefore = await countRows(h.db, 'audit_events');

    const bad = await complete({
      outcome: 'visited',
      data: { visitDate: '2026-02-30', weightGrams: 'heavy', followUp: 'police', extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'body.data.visitDate', message: 'must be a date as YYYY-MM-DD' },
      { field: 'body.data.seenBy', message: 'is required' },
      { field: 'body.data.weightGrams', message: 'must be a number' },
      { field: 'body.data.concernsNoted', message: 'is required' },
      { field: 'body.data.followUp', message: 'must be one of: none, gp, health_visitor' },
      { field: 'body.data.extra', message: "is not a field of this task's form" },
    ]);
    expect((await findTask(h.db, task.id))!.status).toBe('claimed');
    expect(await countRows(h.db, 'audit_events')).toBe(auditBefore);

    const data = {
      visitDate: '2026-06-14',
      seenBy: 'HV Smith',
      weightGrams: 4100,
      concernsNoted: false,
      followUp: 'none',
    };
    const good = await complete({ outcome: 'visited', data });
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ status: 'completed', outcome: 'visited', data, completedBy: s.user.username });
    expect((await findTask(h.db, task.id))!).toMatchObject({ status: 'completed', data });
    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual([
      'task.claim',
      'task.complete',
    ]);

    const again = await complete({ outcome: 'visited', data });
    expect(again.status).toBe(409);
  });

  test('two concurrent completions by the assignee: exactly one wins', async () => {
    const team = await makeTeam(h.db, BIRMINGHAM);
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    const task = await makeTask(h.db, { processInstanceId: instance, candidateGroups: [team], localityId: BIRMINGHAM });
    await s.agent.post(`/api/tasks/${task.id}/claim`).set('X-CSRF-Token', s.csrf).send({}).expect(200);
    const results = await Promise.all(
      [1, 2].map((n) =>
        s.agent
          .post(`/api/tasks/${task.id}/complete`)
          .set('X-CSRF-Token', s.csrf)
          .send({ outcome: `try-${n}` }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    expect((await findTask(h.db, task.id))!.outcome).toBe(winner.body.outcome);
  });

  test('overdue and due today (London day), by locality, by process, by child', async () => {
    const child = await makeChild(h.db, HEREFORDSHIRE);
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [HEREFORDSHIRE] }));
    const other = await makeProcessInstance(h.db, 'missed-immunisation');
    const make = (dueAt: string | null, extra: object = {}) =>
      makeTask(h.db, {
        processInstanceId: instance,
        localityId: HEREFORDSHIRE,
        dueAt: dueAt ? new Date(dueAt) : null,
        ...extra,
      });
    const overdue = await make('2026-06-15T09:00:00Z');
    const lateToday = await make('2026-06-15T22:30:00Z', { childId: child.id }); // 23:30 in London: today
    const tomorrow = await make('2026-06-15T23:30:00Z'); // 00:30 on the 16th in London
    const immunisation = await makeTask(h.db, {
      processInstanceId: other,
      localityId: HEREFORDSHIRE,
      dueAt: null,
      childId: child.id,
    });
    await makeTask(h.db, {
      processInstanceId: instance,
      localityId: SHROPSHIRE,
      dueAt: new Date('2026-06-01T00:00:00Z'),
    });

    expect(ids((await s.agent.get('/api/tasks/queues/overdue')).body)).toEqual([overdue.id]);
    expect(ids((await s.agent.get('/api/tasks/queues/due-today')).body).sort()).toEqual(
      [overdue.id, lateToday.id].sort(),
    );
    expect(ids((await s.agent.get('/api/tasks/queues/locality/herefordshire')).body).sort()).toEqual(
      [overdue.id, lateToday.id, tomorrow.id, immunisation.id].sort(),
    );
    expect((await s.agent.get('/api/tasks/queues/locality/shropshire')).status).toBe(403);
    expect((await s.agent.get('/api/tasks/queues/locality/atlantis')).status).toBe(404);
    expect(ids((await s.agent.get('/api/tasks/queues/process/missed-immunisation')).body)).toEqual([immunisation.id]);
    const byChild = await s.agent.get(`/api/children/${child.nhsNumber}/tasks`);
    expect(ids(byChild.body).sort()).toEqual([lateToday.id, immunisation.id].sort());
    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual(['child.tasks']);
  });

  test("a task outside the caller's queues is 403; an unknown one 404; a malformed id 400", async () => {
    const s = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
    const task = await makeTask(h.db, {
      processInstanceId: instance,
      localityId: SHROPSHIRE,
      candidateGroups: ['shropshire-records'],
    });
    expect((await s.agent.get(`/api/tasks/${task.id}`)).status).toBe(403);
    expect((await s.agent.get('/api/tasks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const malformed = await s.agent.get('/api/tasks/42');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'params.id', message: 'must be a task id (UUID)' }]);
    const badCursor = await s.agent.get('/api/tasks/queues/mine').query({ cursor: 'bm9wZQ' });
    expect(badCursor.body.errors).toEqual([{ field: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  });
});
