/**
 * Process instances through HTTP against real PostgreSQL and the embedded Temporal server:
 * start → list → state → message → cancel; publishing by correlation key and message start;
 * an incident retried by an administrator; versioning; paging; the legitimate-relationship
 * rule for instances about a child; bad input never a 500 and nothing written.
 */
import pino from 'pino';
import { createApp } from '../../api/app';
import { select } from '../../records/sql';
import {
  diagram,
  eventually,
  incidentDiagram,
  post,
  RESULT_ARRIVED_MESSAGE,
  startProcessApi,
  type ProcessApi,
} from './support/process-api';
import {
  BIRMINGHAM,
  COVENTRY,
  auditRows,
  countRows,
  makeChild,
  makeStaff,
  signIn,
  type SignedIn,
} from './support/case-work';

const REASON = 'Covering the Coventry rota this week';
let api: ProcessApi;
let manager: SignedIn;
let admin: SignedIn;
let caseworker: SignedIn;
let integration: SignedIn;
let deriveFailures = 0;

const RESULT_MESSAGE = `${RESULT_ARRIVED_MESSAGE}
  <bpmn:message id="Msg_Go" name="go">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=nhsNumber" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:message id="Msg_Referral" name="referralReceived" />`;

const awaitProcess = diagram(
  'api-await',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Result arrived">
      <bpmn:messageEventDefinition id="Med_1" messageRef="Msg_Result" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review the result">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="health-visitors" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Reviewed" />`,
  RESULT_MESSAGE,
);

const incidentProcess = incidentDiagram('api-incident');

const starterProcess = diagram(
  'api-starter',
  `
    <bpmn:extensionElements>
      <zeebe:userTaskForm id="ReferralForm">{"components": [{"key": "source", "label": "Referred by", "type": "textfield", "validate": {"required": true}}]}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:startEvent id="Start" name="Referral received">
      <bpmn:extensionElements><zeebe:formDefinition formKey="camunda-forms:bpmn:ReferralForm" /></bpmn:extensionElements>
      <bpmn:outgoing>F1</bpmn:outgoing>
      <bpmn:messageEventDefinition id="Med_S" messageRef="Msg_Referral" />
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review the referral">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="health-visitors" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
  RESULT_MESSAGE,
);

const versioned = (mark: string) =>
  diagram(
    'api-versioned',
    `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Go">
      <bpmn:messageEventDefinition id="Med_G" messageRef="Msg_Go" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="Mark" />
    <bpmn:scriptTask id="Mark" name="Mark version">
      <bpmn:extensionElements><zeebe:script expression="=&quot;${mark}&quot;" resultVariable="ranOn" /></bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Mark" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
    RESULT_MESSAGE,
  );

beforeAll(async () => {
  api = await startProcessApi({
    'child.deriveLocality': async () => {
      if (deriveFailures > 0) {
        deriveFailures--;
        throw new Error('gazetteer unavailable');
      }
      return { locality: 'Coventry', inRegion: true };
    },
  });
  manager = await signIn(api.app, await makeStaff(api.db, 'service_manager', { localityIds: [BIRMINGHAM] }));
  admin = await signIn(api.app, await makeStaff(api.db, 'administrator', { localityIds: [BIRMINGHAM] }));
  caseworker = await signIn(api.app, await makeStaff(api.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
  integration = await signIn(api.app, await makeStaff(api.db, 'integration', { localityIds: [] }));
  for (const xml of [awaitProcess, incidentProcess, starterProcess]) {
    const res = await manager.agent
      .post('/api/process-definitions')
      .set('X-CSRF-Token', manager.csrf)
      .set('Content-Type', 'application/xml')
      .send(xml);
    if (res.status !== 201) throw new Error(`deploy failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}, 180_000);
afterAll(() => api?.close(), 180_000);

const read = (s: SignedIn, id: string, reason?: string) => {
  const req = s.agent.get(`/api/process-instances/${id}`);
  return reason ? req.set('X-Access-Reason', reason) : req;
};
const stateOf = async (id: string) => (await read(manager, id)).body;

test('start → list → state → message → cancel, each audited against the child', async () => {
  const child = await makeChild(api.db, BIRMINGHAM);
  const spaced = `${child.nhsNumber.slice(0, 3)} ${child.nhsNumber.slice(3, 6)} ${child.nhsNumber.slice(6)}`;
  const started = await post(caseworker, '/api/process-instances', {
    key: 'api-await',
    businessKey: spaced,
  });
  expect(started.status).toBe(201);
  expect(started.body).toMatchObject({
    key: 'api-await',
    version: 1,
    businessKey: child.nhsNumber,
    status: 'running',
    startedBy: caseworker.user.username,
  });
  const id: string = started.body.id;

  // Listed at once (the mirror row is written with the start).
  const listed = await manager.agent
    .get(`/api/process-instances?key=api-await&businessKey=${child.nhsNumber}`)
    .expect(200);
  expect(listed.body.instances).toEqual([
    expect.objectContaining({ id, status: 'running', version: 1, startedBy: caseworker.user.username }),
  ]);

  const waiting = await eventually(
    () => stateOf(id),
    (b) => b.state?.active.some((a: { elementId: string }) => a.elementId === 'Wait'),
    'the message wait',
  );
  expect(waiting).toMatchObject({
    id,
    key: 'api-await',
    businessKey: child.nhsNumber,
    state: { status: 'running', variables: { nhsNumber: child.nhsNumber }, incidents: [], openUserTasks: [] },
  });
  expect(waiting.state.completed.map((c: { elementId: string }) => c.elementId)).toEqual(['Start']);
  expect(waiting.state.completed[0].endedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

  const sent = await post(manager, `/api/process-instances/${id}/messages`, {
    name: 'resultArrived',
    variables: { outcome: 'normal' },
  });
  expect(sent.status).toBe(202);
  expect(sent.body).toEqual({ id, name: 'resultArrived', correlationKey: child.nhsNumber });
  const reviewing = await eventually(
    () => stateOf(id),
    (b) => b.state?.openUserTasks[0]?.taskStatus === 'open',
    'the review task and its row',
  );
  expect(reviewing.state.openUserTasks[0]).toMatchObject({
    elementId: 'Review',
    name: 'Review the result',
    taskStatus: 'open',
    assignee: null,
  });
  expect(reviewing.state.variables).toEqual({ nhsNumber: child.nhsNumber, outcome: 'normal' });
  const taskId = reviewing.state.openUserTasks[0].taskId;

  const cancelled = await post(manager, `/api/process-instances/${id}/cancel`, {
    reason: 'Referred to another service',
  });
  expect(cancelled.status).toBe(202);
  const ended = await eventually(
    () => stateOf(id),
    (b) => b.status === 'cancelled',
    'the cancelled status in the mirror',
  );
  expect(ended.state.status).toBe('cancelled');
  expect(ended.endedAt).not.toBeNull();
  const [row] = await select<{ status: string }>(api.db, 'SELECT status FROM human_tasks WHERE id = $1', [taskId]);
  expect(row.status).toBe('cancelled');

  expect((await post(manager, `/api/process-instances/${id}/cancel`, { reason: 'again' })).status).toBe(409);
  expect((await post(manager, `/api/process-instances/${id}/messages`, { name: 'resultArrived' })).status).toBe(409);

  const events = (await auditRows(api.db, { childId: child.id })).filter((e) => e.entityId === id);
  const actions = [...new Set(events.map((e) => e.action))];
  expect(actions).toEqual([
    'process_instance.start',
    'process_instance.list',
    'process_instance.read',
    'process_instance.message',
    'process_instance.cancel',
  ]);
  expect(events.find((e) => e.action === 'process_instance.cancel')).toMatchObject({
    actorUsername: manager.user.username,
    reason: 'Referred to another service',
  });
});

test('POST /messages: delivered to every running instance of the key, and starts message-start processes once per messageId', async () => {
  const child = await makeChild(api.db, BIRMINGHAM);
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    ids.push(
      (await post(manager, '/api/process-instances', { key: 'api-await', businessKey: child.nhsNumber }).expect(201))
        .body.id,
    );
  }
  for (const id of ids)
    await eventually(
      () => stateOf(id),
      (b) => b.state?.active.some((a: { elementId: string }) => a.elementId === 'Wait'),
      'the wait',
    );
  const published = await post(admin, '/api/messages', {
    name: 'resultArrived',
    correlationKey: child.nhsNumber,
    variables: { outcome: 'refer' },
  });
  expect(published.status).toBe(200);
  expect(published.body).toMatchObject({ name: 'resultArrived', delivered: 2, started: 0 });
  for (const id of ids) {
    const s = await eventually(
      () => stateOf(id),
      (b) => b.state?.openUserTasks.length === 1,
      'the review',
    );
    expect(s.state.variables.outcome).toBe('refer');
  }

  // A message that starts a process is an event from another system: not for an administrator.
  const byAdmin = await post(admin, '/api/messages', {
    name: 'referralReceived',
    correlationKey: child.nhsNumber,
    variables: { source: 'GP' },
  });
  expect(byAdmin.status).toBe(403);
  expect(byAdmin.body.detail).toMatch(/only integration may/);
  // The start form declares `source` only.
  const invented = await post(integration, '/api/messages', {
    name: 'referralReceived',
    correlationKey: child.nhsNumber,
    variables: { source: 'GP', postcode: 'CV1 1AA' },
  });
  expect(invented.status).toBe(422);
  expect(invented.body.errors).toEqual([
    { field: 'body.variables.postcode', message: 'is not a field of the start form' },
  ]);
  const referral = await post(integration, '/api/messages', {
    name: 'referralReceived',
    correlationKey: child.nhsNumber,
    variables: { source: 'GP' },
    messageId: 'referral-1',
  });
  expect(referral.body).toMatchObject({ started: 1 });
  const again = await post(integration, '/api/messages', {
    name: 'referralReceived',
    correlationKey: child.nhsNumber,
    variables: { source: 'GP' },
    messageId: 'referral-1',
  });
  expect(again.body).toMatchObject({ started: 0 });
  const starters = await eventually(
    async () =>
      (await manager.agent.get(`/api/process-instances?key=api-starter&businessKey=${child.nhsNumber}`)).body.instances,
    (list: unknown[]) => list.length > 0,
    'the message-started instance in the mirror',
  );
  expect(starters).toHaveLength(1);
  const audit = (await auditRows(api.db, { childId: child.id })).filter((e) => e.action === 'message.publish');
  // Written before the signals, the audit row names every target (a repeated messageId starts nothing new).
  expect(audit.map((e) => [e.entityId, e.detail.starts])).toEqual([
    ['resultArrived', []],
    ['referralReceived', ['api-starter:1']],
    ['referralReceived', ['api-starter:1']],
  ]);
  expect([...(audit[0].detail.instances as string[])].sort()).toEqual([...ids].sort());
});

test('an incident is visible in the state and the list; only an administrator retries it, then the instance completes', async () => {
  deriveFailures = 1;
  const id: string = (
    await post(manager, '/api/process-instances', { key: 'api-incident', variables: { postcode: 'CV1 2AB' } }).expect(
      201,
    )
  ).body.id;
  const stuck = await eventually(
    () => stateOf(id),
    (b) => b.status === 'incident' && b.state?.incidents.length === 1,
    'the incident',
  );
  const incident = stuck.state.incidents[0];
  expect(incident).toMatchObject({ kind: 'jobFailed', elementId: 'Derive', message: 'gazetteer unavailable' });
  const listed = await manager.agent.get('/api/process-instances?status=incident&key=api-incident').expect(200);
  expect(listed.body.instances.map((i: { id: string }) => i.id)).toContain(id);

  const byManager = await post(manager, `/api/process-instances/${id}/incidents/${incident.id}/retry`);
  expect(byManager.status).toBe(403);
  const unknown = await post(admin, `/api/process-instances/${id}/incidents/incident-999/retry`);
  expect(unknown.status).toBe(404);
  const retried = await post(admin, `/api/process-instances/${id}/incidents/${incident.id}/retry`, {
    variables: { postcode: 'CV1 3AA' },
  });
  expect(retried.status).toBe(200);
  expect(retried.body).toMatchObject({ id, incidentId: incident.id, elementId: 'Derive' });
  const done = await eventually(
    () => stateOf(id),
    (b) => b.status === 'completed',
    'completion after the retry',
  );
  expect(done.state).toMatchObject({
    status: 'completed',
    incidents: [],
    variables: { postcode: 'CV1 3AA', locality: 'Coventry', inRegion: true },
  });
  const events = (await auditRows(api.db, { actor: admin.user.username }))
    .filter((e) => e.entityId === id)
    .map((e) => e.action);
  expect(events).toEqual(['process_instance.retry_incident']);
});

test('versioning through the API: instances started on v1 finish on v1 after v2 is deployed; a pinned start runs v1', async () => {
  const deploy = (xml: string) =>
    manager.agent
      .post('/api/process-definitions')
      .set('X-CSRF-Token', manager.csrf)
      .set('Content-Type', 'application/xml')
      .send(xml);
  expect((await deploy(versioned('v1'))).body.definition.version).toBe(1);
  const child = await makeChild(api.db, BIRMINGHAM);
  const start = (extra: object = {}) =>
    post(manager, '/api/process-instances', { key: 'api-versioned', businessKey: child.nhsNumber, ...extra });
  const onV1 = (await start().expect(201)).body;
  expect(onV1.version).toBe(1);
  expect((await deploy(versioned('v2'))).body.definition.version).toBe(2);
  const onV2 = (await start().expect(201)).body;
  const pinned = (await start({ version: 1 }).expect(201)).body;
  expect([onV2.version, pinned.version]).toEqual([2, 1]);

  for (const { id } of [onV1, onV2, pinned]) {
    await eventually(
      () => stateOf(id),
      (b) => b.state?.active.some((a: { elementId: string }) => a.elementId === 'Wait'),
      'the wait',
    );
    await post(manager, `/api/process-instances/${id}/messages`, { name: 'go' }).expect(202);
  }
  const ranOn: Record<string, string> = {};
  for (const { id } of [onV1, onV2, pinned]) {
    const done = await eventually(
      () => stateOf(id),
      (b) => b.status === 'completed',
      'completion',
    );
    ranOn[id] = `${done.version}:${done.state.variables.ranOn}`;
  }
  expect([ranOn[onV1.id], ranOn[onV2.id], ranOn[pinned.id]]).toEqual(['1:v1', '2:v2', '1:v1']);
});

test('a timer start deployed through the API is scheduled at once: instances start on its cycle', async () => {
  const hourly = diagram(
    'api-hourly',
    `
    <bpmn:startEvent id="Tick" name="Every hour">
      <bpmn:outgoing>F1</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TickTimer"><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Tick" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
  );
  const deployed = await manager.agent
    .post('/api/process-definitions')
    .set('X-CSRF-Token', manager.csrf)
    .set('Content-Type', 'application/xml')
    .send(hourly);
  expect(deployed.status).toBe(201);
  await api.t.env.sleep('2h');
  const started = await eventually(
    () =>
      select<{ id: string }>(
        api.db,
        `SELECT i.id FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = 'api-hourly'`,
      ),
    (rows) => rows.length >= 2,
    'two hourly instances',
  );
  expect(started).toHaveLength(2);
});

test('list: filters and keyset pages cover every instance once, newest first', async () => {
  const key = `page-${Date.now()}`;
  const ids: string[] = [];
  for (let i = 0; i < 5; i++)
    ids.push(
      (await post(manager, '/api/process-instances', { key: 'api-await', businessKey: key }).expect(201)).body.id,
    );
  const seen: string[] = [];
  let next: string | null = null;
  let pages = 0;
  do {
    const page: { body: { instances: Array<{ id: string }>; next: string | null } } = await manager.agent
      .get(`/api/process-instances?businessKey=${key}&limit=2${next ? `&cursor=${next}` : ''}`)
      .expect(200);
    seen.push(...page.body.instances.map((i) => i.id));
    next = page.body.next;
    pages++;
  } while (next && pages < 10);
  expect(pages).toBe(3);
  expect(seen).toEqual([...ids].reverse());
  expect(
    (await manager.agent.get(`/api/process-instances?businessKey=${key}&status=completed`)).body.instances,
  ).toEqual([]);

  const bad = await manager.agent.get('/api/process-instances?status=sleeping&cursor=nonsense&limit=0&colour=red');
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
    'query.colour',
    'query.cursor',
    'query.limit',
    'query.status',
  ]);
});

test("an instance about another locality's child: 403 asking for a reason, then opened with one (audited, alerted); the list hides it without a reason", async () => {
  const child = await makeChild(api.db, COVENTRY);
  const body = { key: 'api-await', businessKey: child.nhsNumber };
  const refused = await post(manager, '/api/process-instances', body);
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toMatch(/outside your localities: state why/);
  const id: string = (await post(manager, '/api/process-instances', body).set('X-Access-Reason', REASON).expect(201))
    .body.id;
  for (const s of [caseworker, admin, manager]) {
    const without = await read(s, id);
    expect(without.status).toBe(403);
    expect(without.body.detail).toMatch(/outside your localities: state why/);
    const withReason = await read(s, id, REASON);
    expect(withReason.status).toBe(200);
    expect(withReason.body.accessedWithReason).toBe(true);
  }
  const alerts = await select<{ action: string }>(
    api.db,
    'SELECT action FROM break_glass_alerts WHERE child_id = $1 ORDER BY id',
    [child.id],
  );
  // One alert per person's visit: the manager's read after their start, with the same reason, adds none.
  expect(alerts.map((a) => a.action)).toEqual([
    'process_instance.start',
    'process_instance.read',
    'process_instance.read',
  ]);
  expect((await caseworker.agent.get(`/api/process-instances?businessKey=${child.nhsNumber}`)).body.instances).toEqual(
    [],
  );
  const listed = await caseworker.agent
    .get(`/api/process-instances?businessKey=${child.nhsNumber}`)
    .set('X-Access-Reason', REASON);
  expect(listed.body.instances.map((i: { id: string }) => i.id)).toEqual([id]);
  expect(
    (await post(caseworker, '/api/process-instances', { key: 'api-await', businessKey: child.nhsNumber })).status,
  ).toBe(403);
});

test('bad input never a 500 and nothing written', async () => {
  const child = await makeChild(api.db, BIRMINGHAM);
  const counts = async () => ({
    instances: await countRows(api.db, 'process_instances'),
    audit: await countRows(api.db, 'audit_events'),
    alerts: await countRows(api.db, 'break_glass_alerts'),
  });
  const before = await counts();
  const cases: Array<
    [string, () => Promise<{ status: number; body: { errors?: Array<{ field: string }> } }>, number, string?]
  > = [
    ['unknown key', () => post(manager, '/api/process-instances', { key: 'no-such-process' }), 404, 'body.key'],
    [
      'unknown version',
      () => post(manager, '/api/process-instances', { key: 'api-await', version: 42 }),
      404,
      'body.version',
    ],
    [
      'wrong types',
      () => post(manager, '/api/process-instances', { key: 7, version: 'one', variables: [] }),
      400,
      'body.key',
    ],
    [
      'bad business key',
      () => post(manager, '/api/process-instances', { key: 'api-await', businessKey: '<script>' }),
      400,
      'body.businessKey',
    ],
    [
      'bad variable name',
      () => post(manager, '/api/process-instances', { key: 'api-await', variables: { 'not a name': 1 } }),
      400,
      'body.variables.not a name',
    ],
    [
      'unknown field',
      () => post(manager, '/api/process-instances', { key: 'api-await', priority: 'high' }),
      400,
      'body.priority',
    ],
    [
      'wrong start event',
      () => post(manager, '/api/process-instances', { key: 'api-await', startEventId: 'Nope' }),
      422,
      'body.startEventId',
    ],
    [
      'caseworker without a child',
      () => post(caseworker, '/api/process-instances', { key: 'api-await', businessKey: 'not-a-child' }),
      403,
    ],
    [
      'malformed JSON',
      () =>
        caseworker.agent
          .post('/api/process-instances')
          .set('X-CSRF-Token', caseworker.csrf)
          .set('Content-Type', 'application/json')
          .send('{"key": '),
      400,
      'body',
    ],
    ['unknown instance', () => manager.agent.get('/api/process-instances/no-such-instance'), 404],
    ['bad instance id', () => manager.agent.get('/api/process-instances/bad%20id'), 400, 'params.id'],
    [
      'cancel without a reason',
      () => post(manager, '/api/process-instances/no-such-instance/cancel', {}),
      400,
      'body.reason',
    ],
    [
      'cancel unknown instance',
      () => post(manager, '/api/process-instances/no-such-instance/cancel', { reason: 'Duplicate referral' }),
      404,
    ],
    [
      'message without a name',
      () => post(manager, '/api/process-instances/no-such-instance/messages', { variables: {} }),
      400,
      'body.name',
    ],
    [
      'message to unknown instance',
      () => post(manager, '/api/process-instances/no-such-instance/messages', { name: 'go' }),
      404,
    ],
    [
      'retry on unknown instance',
      () => post(admin, '/api/process-instances/no-such-instance/incidents/incident-1/retry'),
      404,
    ],
    [
      'publish without a correlation key field',
      () => post(admin, '/api/messages', { name: 'go' }),
      400,
      'body.correlationKey',
    ],
    [
      'publish with a wrong TTL field',
      () => post(admin, '/api/messages', { name: 'go', correlationKey: null, timeToLiveMs: 5 }),
      400,
      'body.timeToLiveMs',
    ],
    [
      'oversized body',
      () => post(manager, '/api/process-instances', { key: 'api-await', variables: { blob: 'x'.repeat(300 * 1024) } }),
      413,
    ],
  ];
  for (const [what, send, status, field] of cases) {
    const res = await send();
    expect({ what, status: res.status }).toEqual({ what, status });
    if (field)
      expect({ what, fields: (res.body.errors ?? []).map((e) => e.field) }).toEqual({
        what,
        fields: expect.arrayContaining([field]),
      });
  }
  expect(await counts()).toEqual(before);

  // Without the engine, routes that need it say so (503) and write nothing either.
  const noEngine = createApp({
    logger: pino({ level: 'silent' }),
    health: {},
    caseWork: { ...api.deps, engine: undefined },
  });
  const s = await signIn(noEngine, manager.user);
  const res = await s.agent
    .post('/api/process-instances')
    .set('X-CSRF-Token', s.csrf)
    .send({ key: 'api-await', businessKey: child.nhsNumber });
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await countRows(api.db, 'process_instances')).toBe(before.instances);
});
