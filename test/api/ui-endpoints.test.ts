/**
 * The API additions the web UI's screens need: child summaries on list rows (one audited list
 * read), queue counts, localities, a task's form schema and definition, the staff picker and
 * who may be assigned, a child's schedule status, the fuller paged timeline, concern and alert
 * paging, the lead's dashboard counts and team workload.
 */
import { addImmunisation, addScreeningResult, raiseConcernAs } from '../support/fixtures';
import { select } from '../../records/sql';
import { queueCounts } from '../../records/tasks/counts';
import { deployDefinition } from '../../deployment/deploy-definition';
import { withDiagram } from '../workflows/diagram';
import {
  auditRows,
  BIRMINGHAM,
  COVENTRY,
  countRows,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  makeTeam,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

const NOW = new Date('2026-04-10T10:00:00Z');
const REASON = 'Covering the Coventry rota this week';
const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

const FORM = {
  id: 'Form_Visit',
  type: 'default',
  schemaVersion: 16,
  components: [
    { key: 'visitDate', label: 'Date of visit', type: 'datetime', subtype: 'date', validate: { required: true } },
    {
      key: 'visitOutcome',
      label: 'Outcome',
      type: 'radio',
      validate: { required: true },
      values: [
        { label: 'Visit completed', value: 'completed' },
        { label: 'No one at home', value: 'not-at-home' },
      ],
    },
  ],
};

const VISIT_XML = withDiagram(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_ui" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="ui-visit" name="UI visit" isExecutable="true">
    <bpmn:extensionElements><zeebe:userTaskForm id="Form_Visit">${JSON.stringify(FORM).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</zeebe:userTaskForm></bpmn:extensionElements>
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Visit" />
    <bpmn:userTask id="Visit" name="Visit"><bpmn:extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:Form_Visit" /></bpmn:extensionElements><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Visit" targetRef="End" />
    <bpmn:endEvent id="End" name="Done"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`);

describe('API for the web UI', () => {
  let h: CaseWorkHarness;
  let instance: string;
  let team: string;
  let caseworker: SignedIn;
  let lead: SignedIn;

  beforeAll(async () => {
    h = await startCaseWork('api_ui', { now: () => NOW });
    instance = await makeProcessInstance(h.db, 'ui-queue');
    team = await makeTeam(h.db, BIRMINGHAM);
    caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker', { teamCodes: [team] }));
    lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
  });
  afterAll(() => h.close());

  test("queue rows carry their child when the child is in the caller's localities; the page is audited once, naming the children", async () => {
    const own = await makeChild(h.db, BIRMINGHAM, { givenName: 'Olivia' });
    const elsewhere = await makeChild(h.db, COVENTRY);
    const t1 = await makeTask(h.db, {
      processInstanceId: instance,
      candidateGroups: [team],
      localityId: BIRMINGHAM,
      childId: own.id,
    });
    const t2 = await makeTask(h.db, {
      processInstanceId: instance,
      candidateGroups: [team],
      localityId: null,
      childId: elsewhere.id,
    });
    const before = await auditRows(h.db, { actor: caseworker.user.username });
    const res = await caseworker.agent.get('/api/tasks/queues/unclaimed?limit=100');
    expect(res.status).toBe(200);
    const rows = res.body.tasks as Array<{ id: string; child: { nhsNumber: string; givenName: string } | null }>;
    expect(rows.find((r) => r.id === t1.id)!.child).toMatchObject({
      nhsNumber: own.nhsNumber,
      givenName: 'Olivia',
      locality: 'birmingham',
    });
    expect(rows.find((r) => r.id === t2.id)!.child).toBeNull();
    const written = (await auditRows(h.db, { actor: caseworker.user.username })).slice(before.length);
    // One audit row for the page (records/tasks/queues.ts), naming every child the page is about.
    expect(written.map((e) => e.action)).toEqual(['task.queue']);
    expect(written[0].detail).toMatchObject({ queue: 'unclaimed' });
    const [{ childIds }] = await select<{ childIds: string[] }>(
      h.db,
      "SELECT child_ids FROM audit_events WHERE actor_username = $1 AND action = 'task.queue' ORDER BY id DESC LIMIT 1",
      [caseworker.user.username],
    );
    expect(childIds).toEqual(expect.arrayContaining([own.id, elsewhere.id]));
  });

  test('queue counts: each of my queues, my localities and the processes with tasks', async () => {
    const counter = await makeStaff(h.db, 'caseworker', {
      teamCodes: [await makeTeam(h.db, DUDLEY_FREE)],
      localityIds: [],
    });
    const s = await signIn(h.app, counter);
    const group = counter.teamCodes[0];
    const pi = await makeProcessInstance(h.db, 'ui-counting');
    await makeTask(h.db, { processInstanceId: pi, candidateGroups: [group], dueAt: day('2026-04-01') });
    await makeTask(h.db, { processInstanceId: pi, candidateGroups: [group], dueAt: new Date('2026-04-10T16:00:00Z') });
    await makeTask(h.db, { processInstanceId: pi, candidateGroups: [group], dueAt: day('2026-05-01') });
    await makeTask(h.db, { processInstanceId: pi, assignee: counter.username, dueAt: day('2026-03-01') });
    const res = await s.agent.get('/api/tasks/queues/counts');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mine: 1, unclaimed: 3, dueToday: 1, overdue: 2, limit: 1000 });
    expect(res.body.processes).toEqual([{ key: 'ui-counting', name: null, count: 4 }]);
    const lead2 = await (
      await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM, COVENTRY] }))
    ).agent.get('/api/tasks/queues/counts');
    expect(lead2.body.localities.map((l: { code: string }) => l.code)).toEqual(['birmingham', 'coventry']);
    // Counts stop at the cap, whatever the queue holds.
    const capped = await queueCounts(h.db, { username: counter.username, groups: [group], localityIds: [] }, NOW, 2);
    expect(capped).toMatchObject({ unclaimed: 2, overdue: 2, mine: 1 });
  });

  test('GET /localities lists the region', async () => {
    const res = await caseworker.agent.get('/api/localities');
    expect(res.status).toBe(200);
    expect(res.body.localities).toHaveLength(14);
    expect(res.body.localities[0]).toEqual({
      id: expect.any(Number),
      code: expect.any(String),
      name: expect.any(String),
    });
  });

  test("a task comes with its definition version, its form-js schema and its child's banner", async () => {
    const deployed = await deployDefinition(h.database.sequelize, VISIT_XML, {
      activityTypes: new Set(),
      candidateGroups: new Set(),
    });
    if (deployed.status === 'refused') throw new Error(JSON.stringify(deployed.problems));
    const pi = `ui-visit-${Date.now()}`;
    await select(h.db, 'INSERT INTO process_instances (id, definition_id) VALUES ($1, $2) RETURNING id', [
      pi,
      deployed.definition.id,
    ]);
    await select(
      h.db,
      `INSERT INTO gp_practices (ods_code, name, email, locality_id) VALUES ('UIGP01', 'Ladywood Surgery', 'ladywood@gp.example.nhs.uk', 1) ON CONFLICT DO NOTHING RETURNING ods_code`,
    );
    const child = await makeChild(h.db, BIRMINGHAM, { gpPracticeOds: 'UIGP01' });
    const task = await makeTask(h.db, {
      processInstanceId: pi,
      candidateGroups: [team],
      localityId: BIRMINGHAM,
      childId: child.id,
      form: { source: 'embedded', key: 'Form_Visit', fields: [{ key: 'visitDate', type: 'date', required: true }] },
    });
    const res = await caseworker.agent.get(`/api/tasks/${task.id}`);
    expect(res.status).toBe(200);
    expect(res.body.definition).toEqual({ key: 'ui-visit', version: deployed.definition.version, name: 'UI visit' });
    expect(res.body.form.schema).toEqual(FORM);
    expect(res.body.form.fields).toEqual([{ key: 'visitDate', type: 'date', required: true }]);
    expect(res.body.child).toMatchObject({
      nhsNumber: child.nhsNumber,
      gpPractice: { odsCode: 'UIGP01', name: 'Ladywood Surgery' },
    });
    // Its candidate team by name, as people know it (the code is for diagrams).
    expect(res.body.candidateTeams).toEqual([{ code: team, name: `Team ${team}` }]);
    // A task about a child the caller has no relationship with (routed to a role, the child in
    // another locality) opens only with a stated reason; then it shows the child's banner.
    const other = await makeChild(h.db, COVENTRY);
    const outside = await makeTask(h.db, {
      processInstanceId: pi,
      candidateGroups: ['caseworker'],
      localityId: null,
      childId: other.id,
    });
    const refused = await caseworker.agent.get(`/api/tasks/${outside.id}`);
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:chis-flow:problem:access-reason-required');
    const opened = await caseworker.agent
      .get(`/api/tasks/${outside.id}`)
      .set('X-Access-Reason', 'Covering the Coventry rota this week');
    expect(opened.status).toBe(200);
    expect(opened.body.child).toMatchObject({
      nhsNumber: other.nhsNumber,
      locality: 'coventry',
      localityName: 'Coventry',
    });
  });

  test("the staff picker lists who may see the task's child; assigning anyone else is refused", async () => {
    const child = await makeChild(h.db, BIRMINGHAM);
    const task = await makeTask(h.db, {
      processInstanceId: instance,
      candidateGroups: ['safeguarding_lead'],
      localityId: BIRMINGHAM,
      childId: child.id,
    });
    const colleague = await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] });
    const coventryWorker = await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY] });
    const manager = await makeStaff(h.db, 'service_manager', { localityIds: [BIRMINGHAM] });
    const res = await lead.agent.get(`/api/tasks/${task.id}/assignees`);
    expect(res.status).toBe(200);
    const names = (res.body.staff as Array<{ username: string }>).map((s) => s.username);
    expect(names).toContain(colleague.username);
    expect(names).toContain(lead.user.username);
    expect(names).not.toContain(coventryWorker.username);
    expect(names).not.toContain(manager.username);
    const refused = await lead.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', lead.csrf)
      .send({ assignee: coventryWorker.username });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      {
        field: 'body.assignee',
        message:
          "has no legitimate relationship with the task's child (not of the child's or the task's locality, not a candidate)",
      },
    ]);
    const manages = await lead.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', lead.csrf)
      .send({ assignee: manager.username });
    expect(manages.status).toBe(422);
    expect(manages.body.errors[0].message).toMatch(/does not work tasks/);
    const given = await lead.agent
      .post(`/api/tasks/${task.id}/assign`)
      .set('X-CSRF-Token', lead.csrf)
      .send({ assignee: colleague.username });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ status: 'claimed', assignee: colleague.username });
    expect((await caseworker.agent.get(`/api/tasks/${task.id}/assignees`)).status).toBe(403);
  });

  test("a child's newborn screening against its deadlines", async () => {
    const child = await makeChild(h.db, BIRMINGHAM, { dateOfBirth: '2026-01-01' });
    await addScreeningResult(h.db, child.id, {
      programme: 'hearing',
      outcome: 'clear_response',
      recordedOn: '2026-01-20',
    });
    const res = await caseworker.agent.get(`/api/children/${child.nhsNumber}/screening`);
    expect(res.status).toBe(200);
    expect(res.body.asOf).toBe('2026-04-10');
    expect(res.body.screening.map((s: { programme: string; status: string }) => [s.programme, s.status])).toEqual([
      ['nipe', 'not_recorded'],
      ['blood_spot', 'overdue'],
      ['hearing', 'recorded'],
    ]);
    expect(res.body.screening[2]).toMatchObject({ outcome: 'clear_response', recordedOn: '2026-01-20' });
    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual(['child.screening']);
    // Another locality's child needs a reason, as every read of a record does.
    const other = await makeChild(h.db, COVENTRY);
    const refused = await caseworker.agent.get(`/api/children/${other.nhsNumber}/screening`);
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:chis-flow:problem:access-reason-required');
  });

  test('the timeline: newest first, paged, filtered by kind; leads also see who opened the record and why', async () => {
    const child = await makeChild(h.db, BIRMINGHAM, { dateOfBirth: '2025-06-01' });
    for (const [vaccine, dose, givenOn] of [
      ['6in1', 1, '2025-07-27'],
      ['6in1', 2, '2025-08-24'],
      ['6in1', 3, '2025-09-21'],
    ] as const)
      await addImmunisation(h.db, child.id, { vaccine, dose, givenOn });
    await makeTask(h.db, { processInstanceId: instance, localityId: BIRMINGHAM, childId: child.id, name: 'Chase' });
    const first = await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: { kind: string }) => e.kind)).toEqual(['task_created', 'immunisation']);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await caseworker.agent.get(
      `/api/children/${child.nhsNumber}/timeline?limit=2&cursor=${first.body.next}`,
    );
    expect(second.body.events.map((e: { summary: string }) => e.summary)).toEqual(['6in1 dose 2', '6in1 dose 1']);
    const third = await caseworker.agent.get(
      `/api/children/${child.nhsNumber}/timeline?limit=2&cursor=${second.body.next}`,
    );
    expect(third.body.events.map((e: { kind: string }) => e.kind)).toEqual(['birth']);
    expect(third.body.next).toBeNull();
    const only = await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline?kinds=birth,task_created`);
    expect(only.body.events.map((e: { kind: string }) => e.kind)).toEqual(['task_created', 'birth']);
    const bad = await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline?kinds=birth,gossip`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toMatch(/^query\.kinds/);

    await caseworker.agent.get(`/api/children/${child.nhsNumber}`).expect(200);
    const mine = await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline?kinds=record_opened`);
    expect(mine.body.events).toEqual([]);
    const leads = await lead.agent.get(`/api/children/${child.nhsNumber}/timeline?kinds=record_opened,break_glass`);
    expect(leads.body.events).toEqual([
      expect.objectContaining({ kind: 'record_opened', actor: caseworker.user.username, summary: 'Record opened' }),
    ]);
  });

  test("concerns: paged, by child, with the child and the decision task's due date (the SLA)", async () => {
    const child = await makeChild(h.db, BIRMINGHAM);
    const older = { id: (await raiseConcernAs(h.db, lead.user, child.id, 'First worry')).concernId };
    const newer = { id: (await raiseConcernAs(h.db, lead.user, child.id, 'Second worry')).concernId };
    await makeTask(h.db, {
      processInstanceId: instance,
      localityId: BIRMINGHAM,
      childId: child.id,
      name: 'Decide on the concern',
      dueAt: day('2026-04-11'),
      input: { concernId: newer.id },
    });
    const page1 = await lead.agent.get(`/api/concerns?nhsNumber=${child.nhsNumber}&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.concerns).toEqual([
      expect.objectContaining({
        id: newer.id,
        child: expect.objectContaining({ nhsNumber: child.nhsNumber }),
        decision: { taskId: expect.any(String), dueAt: '2026-04-11T12:00:00.000Z' },
      }),
    ]);
    const page2 = await lead.agent.get(`/api/concerns?nhsNumber=${child.nhsNumber}&limit=1&cursor=${page1.body.next}`);
    expect(page2.body.concerns.map((c: { id: string }) => c.id)).toEqual([older.id]);
    expect(page2.body.concerns[0].decision).toBeNull();
    expect(page2.body.next).toBeNull();
    const detail = await lead.agent.get(`/api/concerns/${newer.id}`);
    expect(detail.body.child).toMatchObject({ nhsNumber: child.nhsNumber });
  });

  test('break glass: one visit is one alert (each request still audited); alerts are paged with who, why and the child', async () => {
    const coventryLead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [COVENTRY] }));
    const child = await makeChild(h.db, COVENTRY);
    const alertsBefore = await countRows(h.db, 'break_glass_alerts');
    for (const path of ['', '/schedule', '/screening', '/timeline'])
      await caseworker.agent.get(`/api/children/${child.nhsNumber}${path}`).set('X-Access-Reason', REASON).expect(200);
    expect(await countRows(h.db, 'break_glass_alerts')).toBe(alertsBefore + 1);
    expect((await auditRows(h.db, { childId: child.id })).filter((e) => e.action === 'child.break_glass')).toHaveLength(
      4,
    );
    // Another reason is another alert.
    await caseworker.agent
      .get(`/api/children/${child.nhsNumber}`)
      .set('X-Access-Reason', 'Second look for the handover')
      .expect(200);
    expect(await countRows(h.db, 'break_glass_alerts')).toBe(alertsBefore + 2);

    const first = await coventryLead.agent.get('/api/alerts/break-glass?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.alerts[0]).toMatchObject({
      nhsNumber: child.nhsNumber,
      actorUsername: caseworker.user.username,
      actorDisplayName: expect.stringContaining('Test caseworker'),
      actorRole: 'caseworker',
      reason: 'Second look for the handover',
      child: expect.objectContaining({ nhsNumber: child.nhsNumber }),
    });
    const second = await coventryLead.agent.get(`/api/alerts/break-glass?limit=1&cursor=${first.body.next}`);
    expect(second.body.alerts[0]).toMatchObject({ reason: REASON });
  });

  test("the lead's dashboard counts, escalated queue and team workload", async () => {
    const myLead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [DUDLEY] }));
    const worker = await makeStaff(h.db, 'caseworker', { localityIds: [DUDLEY] });
    const dudleyTeam = await makeTeam(h.db, DUDLEY);
    const child = await makeChild(h.db, DUDLEY);
    await select(h.db, "UPDATE human_tasks SET status = 'cancelled' WHERE locality_id = $1 RETURNING id", [DUDLEY]);
    const escalated = await makeTask(h.db, {
      processInstanceId: instance,
      localityId: DUDLEY,
      childId: child.id,
      candidateGroups: [dudleyTeam],
      dueAt: day('2026-04-01'),
    });
    await select(
      h.db,
      "UPDATE human_tasks SET escalated_at = now(), escalation_reason = 'Not done by day 14' WHERE id = $1 RETURNING id",
      [escalated.id],
    );
    await makeTask(h.db, {
      processInstanceId: instance,
      localityId: DUDLEY,
      assignee: worker.username,
      dueAt: day('2026-04-02'),
    });
    await makeTask(h.db, {
      processInstanceId: instance,
      localityId: DUDLEY,
      assignee: worker.username,
      dueAt: day('2026-05-02'),
    });
    await raiseConcernAs(h.db, myLead.user, child.id, 'Dudley worry');

    const summary = await myLead.agent.get('/api/safeguarding/summary');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      escalatedTasks: 1,
      overdueTasks: 2,
      concerns: { open: 1, escalated: 0 },
      limit: 1000,
    });
    const queue = await myLead.agent.get('/api/tasks/queues/escalated');
    expect(queue.body.tasks.map((t: { id: string }) => t.id)).toEqual([escalated.id]);
    expect(queue.body.tasks[0].child).toMatchObject({ nhsNumber: child.nhsNumber });

    const workload = await myLead.agent.get('/api/safeguarding/workload');
    expect(workload.status).toBe(200);
    expect(workload.body.people).toContainEqual(
      expect.objectContaining({ username: worker.username, claimed: 2, overdue: 1 }),
    );
    expect(workload.body.teams).toContainEqual(expect.objectContaining({ code: dudleyTeam, unclaimed: 1, overdue: 1 }));
    expect((await caseworker.agent.get('/api/safeguarding/summary')).status).toBe(403);
  });

  test('the new routes publish their response schemas', async () => {
    const { body } = await caseworker.agent.get('/api/openapi.json');
    for (const [path, method] of [
      ['/tasks/queues/counts', 'get'],
      ['/tasks/queues/mine', 'get'],
      ['/tasks/{id}', 'get'],
      ['/tasks/{id}/assignees', 'get'],
      ['/children/{nhsNumber}/screening', 'get'],
      ['/children/{nhsNumber}/timeline', 'get'],
      ['/localities', 'get'],
      ['/safeguarding/summary', 'get'],
      ['/safeguarding/workload', 'get'],
      ['/concerns', 'get'],
      ['/alerts/break-glass', 'get'],
      ['/auth/me', 'get'],
    ] as const) {
      const schema = body.paths[path][method].responses['200'].content?.['application/json']?.schema;
      expect({ path, type: schema?.type }).toEqual({ path, type: 'object' });
    }
    const task = body.paths['/tasks/{id}'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(task.properties)).toEqual(expect.arrayContaining(['definition', 'child', 'form']));
  });
});

const DUDLEY = 3;
const DUDLEY_FREE = null;
