/**
 * What the editor asks of the API besides deploying: a dry run that reports exactly what a
 * deployment would (and writes nothing), element templates generated from the activity
 * catalogue, the candidate groups a user task may name, and instance counts per version.
 */
import { createTeam } from '../../records/staff';
import { select } from '../../records/sql';
import { diagram } from './support/process-api';
import { countRows, makeStaff, signIn, startCaseWork, type CaseWorkHarness, type SignedIn } from './support/case-work';

let h: CaseWorkHarness;
let manager: SignedIn;
let caseworker: SignedIn;

// What Camunda 8 also refuses (a service task without a job type, a FEEL syntax error) is an
// error; an unknown job type, an unknown candidate group and an unreachable task are warnings,
// as Camunda 8 deploys them.
const faulty = diagram(
  'modelling-faulty',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Lookup" />
    <bpmn:serviceTask id="Lookup" name="Look up">
      <bpmn:extensionElements><zeebe:taskDefinition type="" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Lookup" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="=[martians" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />
    <bpmn:task id="Orphan" name="Never reached" />`,
);

const fine = (key: string) =>
  diagram(
    key,
    `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="modelling-team" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
  );

const post = (s: SignedIn, path: string, body: object) => s.agent.post(path).set('X-CSRF-Token', s.csrf).send(body);

beforeAll(async () => {
  h = await startCaseWork('api_modelling');
  await createTeam(h.db, { code: 'modelling-team', name: 'Modelling team', kind: 'records', localityId: null });
  manager = await signIn(h.app, await makeStaff(h.db, 'service_manager'));
  caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
});
afterAll(() => h.close());

test('validate reports the problems a deployment reports, with severities and elements; nothing is written', async () => {
  const written = async () => ({
    definitions: await countRows(h.db, 'process_definitions'),
    audit: await countRows(h.db, 'audit_events'),
  });
  const before = await written();
  const checked = await post(manager, '/api/process-definitions/validate', { xml: faulty }).expect(200);
  expect(checked.body).toMatchObject({ processId: 'modelling-faulty', deployable: false });
  const errors = checked.body.problems.filter((p: { severity: string }) => p.severity === 'error');
  expect(checked.body.errors).toBe(errors.length);
  expect(errors.map((p: { elementId: string }) => p.elementId)).toEqual(expect.arrayContaining(['Lookup', 'Review']));
  expect(checked.body.problems).toContainEqual(
    expect.objectContaining({ elementId: 'Orphan', severity: 'warning', rule: 'chis/reachable-from-start' }),
  );
  const deployed = await post(manager, '/api/process-definitions', { xml: faulty }).expect(422);
  // The same problems, worded and placed as the refused deployment words and places them.
  expect(
    errors.map((p: { field: string; elementId: string; message: string; rule: string }) => ({
      field: p.field,
      message: `${p.elementId}: ${p.message} (${p.rule})`,
    })),
  ).toEqual(deployed.body.errors);
  // The refused deployment writes nothing either, so the counts are those from before the dry run.
  expect(await written()).toEqual(before);
});

test('validate a deployable diagram: no errors; the same XML sent as application/xml; malformed XML is a problem, not a 500', async () => {
  const ok = await post(manager, '/api/process-definitions/validate', { xml: fine('modelling-fine') }).expect(200);
  expect(ok.body).toMatchObject({ processId: 'modelling-fine', deployable: true, errors: 0 });
  const asXml = await manager.agent
    .post('/api/process-definitions/validate')
    .set('X-CSRF-Token', manager.csrf)
    .set('Content-Type', 'application/xml')
    .send(fine('modelling-fine'))
    .expect(200);
  expect(asXml.body.deployable).toBe(true);
  const broken = await post(manager, '/api/process-definitions/validate', { xml: '<bpmn:definitions' }).expect(200);
  expect(broken.body.deployable).toBe(false);
  expect(broken.body.problems[0]).toMatchObject({ severity: 'error', elementId: null, field: 'body.xml' });
  const missing = await post(manager, '/api/process-definitions/validate', {}).expect(400);
  expect(missing.body.errors).toEqual([{ field: 'body.xml', message: 'is required' }]);
  await post(caseworker, '/api/process-definitions/validate', { xml: fine('modelling-fine') }).expect(403);
});

test('element templates: one per catalogue activity, the job type fixed, inputs as fields, enums as choices', async () => {
  const res = await manager.agent.get('/api/process-definitions/element-templates').expect(200);
  const templates = res.body.templates as Array<{
    id: string;
    name: string;
    properties: Array<{ type: string; value?: string; label?: string; binding: Record<string, string> }>;
  }>;
  const email = templates.find((t) => t.name === 'Email the GP practice')!;
  expect(email.id).toBe('chis.notify.emailGpPractice');
  expect(email.properties).toEqual(
    expect.arrayContaining([
      { type: 'Hidden', value: 'notify.emailGpPractice', binding: { type: 'zeebe:taskDefinition', property: 'type' } },
      expect.objectContaining({
        label: 'Template',
        type: 'Dropdown',
        binding: { type: 'zeebe:input', name: 'template' },
      }),
      expect.objectContaining({ label: 'GP practice code', binding: { type: 'zeebe:input', name: 'gpPracticeCode' } }),
      expect.objectContaining({ binding: { type: 'zeebe:output', source: '=messageId' } }),
    ]),
  );
  // Caseworkers read definitions, so they may read the templates too.
  await caseworker.agent.get('/api/process-definitions/element-templates').expect(200);
});

test('candidate groups: locality teams as expressions over `locality`, every team, the roles', async () => {
  const res = await manager.agent.get('/api/process-definitions/candidate-groups').expect(200);
  expect(res.body.teams).toEqual(
    expect.arrayContaining([{ code: 'modelling-team', name: 'Modelling team', locality: null }]),
  );
  expect(res.body.roles).toEqual(['caseworker', 'safeguarding_lead', 'service_manager', 'administrator']);
  const [locality] = await select<{ code: string }>(h.db, 'SELECT code FROM localities ORDER BY id LIMIT 1');
  await createTeam(h.db, {
    code: `${locality.code}-health-visiting`,
    name: 'Somewhere health visiting',
    kind: 'health_visiting',
    localityId: 1,
  });
  const again = await manager.agent.get('/api/process-definitions/candidate-groups').expect(200);
  expect(again.body.localityTeams).toEqual(
    expect.arrayContaining([
      { suffix: 'health-visiting', label: 'Health visiting', expression: '=[locality + "-health-visiting"]' },
    ]),
  );
});

test('definitions and versions list the instances still running on each version', async () => {
  await post(manager, '/api/process-definitions', { xml: fine('modelling-counted') }).expect(201);
  const [v1] = await select<{ id: number }>(
    h.db,
    "SELECT id FROM process_definitions WHERE key = 'modelling-counted' AND version = 1",
  );
  for (const [n, status] of [
    [1, 'running'],
    [2, 'running'],
    [3, 'incident'],
    [4, 'completed'],
  ] as const)
    await select(h.db, `INSERT INTO process_instances (id, definition_id, status) VALUES ($1, $2, $3) RETURNING id`, [
      `modelling-counted-${n}`,
      v1.id,
      status,
    ]);
  await post(manager, '/api/process-definitions', {
    xml: fine('modelling-counted').replace('name="Review"', 'name="Review again"'),
  }).expect(201);
  const list = await manager.agent.get('/api/process-definitions').expect(200);
  const counted = list.body.definitions.find((d: { key: string }) => d.key === 'modelling-counted');
  expect(counted).toMatchObject({
    version: 2,
    instances: { running: 3, incident: 1, byVersion: [{ version: 1, running: 3, incident: 1 }] },
  });
  const versions = await manager.agent.get('/api/process-definitions/modelling-counted/versions').expect(200);
  expect(versions.body.versions.map((v: { version: number; instances: object }) => [v.version, v.instances])).toEqual([
    [2, { running: 0, incident: 0 }],
    [1, { running: 3, incident: 1 }],
  ]);
});

test('the instance list filters by version, start day (UK time) and open incident; bad filters name the field', async () => {
  await post(manager, '/api/process-definitions', { xml: fine('modelling-listed') }).expect(201);
  await post(manager, '/api/process-definitions', {
    xml: fine('modelling-listed').replace('name="Review"', 'name="Review twice"'),
  }).expect(201);
  const ids = await select<{ version: number; id: number }>(
    h.db,
    "SELECT version, id FROM process_definitions WHERE key = 'modelling-listed'",
  );
  const v = new Map(ids.map((r) => [r.version, r.id]));
  // 2026-06-30 23:30Z is 1 July in London (BST): the day filters are UK days.
  for (const [id, version, status, startedAt] of [
    ['listed-a', 1, 'running', '2026-06-29T10:00:00Z'],
    ['listed-b', 1, 'incident', '2026-06-30T23:30:00Z'],
    ['listed-c', 2, 'running', '2026-07-02T09:00:00Z'],
    ['listed-d', 2, 'incident', '2026-07-03T09:00:00Z'],
  ] as const)
    await select(
      h.db,
      'INSERT INTO process_instances (id, definition_id, status, started_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [id, v.get(version), status, startedAt],
    );
  const list = async (q: string) =>
    (await manager.agent.get(`/api/process-instances?key=modelling-listed&${q}`).expect(200)).body.instances.map(
      (i: { id: string }) => i.id,
    );
  expect(await list('version=1')).toEqual(['listed-b', 'listed-a']);
  expect(await list('hasIncident=true')).toEqual(['listed-d', 'listed-b']);
  expect(await list('hasIncident=false')).toEqual(['listed-c', 'listed-a']);
  expect(await list('startedFrom=2026-07-01&startedTo=2026-07-02')).toEqual(['listed-c', 'listed-b']);
  expect(await list('startedTo=2026-06-30')).toEqual(['listed-a']);
  expect(await list('version=2&hasIncident=true')).toEqual(['listed-d']);
  const noKey = await manager.agent.get('/api/process-instances?version=2').expect(400);
  expect(noKey.body.errors).toEqual([
    { field: 'query.version', message: 'needs key: a version number belongs to one key' },
  ]);
  const backwards = await manager.agent
    .get('/api/process-instances?startedFrom=2026-07-02&startedTo=2026-07-01')
    .expect(400);
  expect(backwards.body.errors).toEqual([{ field: 'query.startedTo', message: 'must not be before startedFrom' }]);
  const notADay = await manager.agent.get('/api/process-instances?startedFrom=yesterday').expect(400);
  expect(notADay.body.errors[0].field).toBe('query.startedFrom');
  const notBoolean = await manager.agent.get('/api/process-instances?hasIncident=maybe').expect(400);
  expect(notBoolean.body.errors).toEqual([{ field: 'query.hasIncident', message: 'must be true or false' }]);
});
