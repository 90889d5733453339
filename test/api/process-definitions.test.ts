/**
 * Process definitions through HTTP against real PostgreSQL: deploy (XML or JSON), unchanged
 * re-deploys, refusals listing every problem by element id, oversized and malformed bodies,
 * versions, the compiled summary and the XML; nothing written on bad input.
 */
import request from 'supertest';
import { createTeam } from '../../records/staff';
import { diagram } from './support/process-api';
import {
  auditRows,
  countRows,
  makeStaff,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

let h: CaseWorkHarness;
let manager: SignedIn;
let admin: SignedIn;
let caseworker: SignedIn;

const reviewProcess = (key: string, taskName = 'Review the referral') =>
  diagram(
    key,
    `
    <bpmn:startEvent id="Start" name="Referred"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="${taskName}">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="health-visitors" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="Notify" />
    <bpmn:serviceTask id="Notify" name="Email the GP">
      <bpmn:extensionElements><zeebe:taskDefinition type="notify.emailGpPractice" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Notify" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
  );

const faultyProcess = diagram(
  'api-faulty',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Lookup" />
    <bpmn:serviceTask id="Lookup" name="Look up" />
    <bpmn:sequenceFlow id="F2" sourceRef="Lookup" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review">
      <bpmn:extensionElements><zeebe:assignmentDefinition assignee="=owner +" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />
    <bpmn:complexGateway id="Orphan" name="Never reached" />`,
);

// What Camunda 8 deploys with a warning: a job type without a built-in worker, an unknown group, dead parts.
const warnedProcess = diagram(
  'api-warned',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Lookup" />
    <bpmn:serviceTask id="Lookup" name="Look up">
      <bpmn:extensionElements><zeebe:taskDefinition type="nope.unknown" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Lookup" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="martians" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />
    <bpmn:task id="Orphan" name="Never reached" />`,
);

const deployXml = (s: SignedIn, xml: string, type = 'application/xml') =>
  s.agent.post('/api/process-definitions').set('X-CSRF-Token', s.csrf).set('Content-Type', type).send(xml);
const deployJson = (s: SignedIn, body: unknown) =>
  s.agent
    .post('/api/process-definitions')
    .set('X-CSRF-Token', s.csrf)
    .send(body as object);
const written = async () => ({
  definitions: await countRows(h.db, 'process_definitions'),
  audit: await countRows(h.db, 'audit_events'),
});

beforeAll(async () => {
  h = await startCaseWork('api_procdef');
  await createTeam(h.db, {
    code: 'health-visitors',
    name: 'Health visitors',
    kind: 'health_visiting',
    localityId: null,
  });
  manager = await signIn(h.app, await makeStaff(h.db, 'service_manager'));
  admin = await signIn(h.app, await makeStaff(h.db, 'administrator'));
  caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
});
afterAll(() => h.close());

test('deploy as XML: 201 version 1, audited; the same XML again: 200 unchanged, no new version', async () => {
  const xml = reviewProcess('api-review');
  const first = await deployXml(manager, xml);
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({
    status: 'deployed',
    definition: { key: 'api-review', version: 1, name: 'Test api-review', deployedBy: manager.user.username },
  });
  expect(first.body.definition.checksum).toMatch(/^[0-9a-f]{64}$/);

  const before = await countRows(h.db, 'process_definitions');
  const again = await deployJson(admin, { xml });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ status: 'unchanged', definition: { key: 'api-review', version: 1 } });
  expect(await countRows(h.db, 'process_definitions')).toBe(before);

  const events = (await auditRows(h.db, {})).filter(
    (e) => e.action === 'definition.deploy' && e.entityId === 'api-review:1',
  );
  expect(events.map((e) => [e.actorUsername, e.detail.outcome])).toEqual([
    [manager.user.username, 'deployed'],
    [admin.user.username, 'unchanged'],
  ]);
});

test('a changed diagram becomes version 2; versions, one version with its compiled summary, and the XML of each', async () => {
  const v1 = reviewProcess('api-versions');
  const v2 = reviewProcess('api-versions', 'Review the referral again');
  expect((await deployXml(manager, v1)).status).toBe(201);
  const second = await deployJson(manager, { xml: v2 });
  expect(second.status).toBe(201);
  expect(second.body.definition.version).toBe(2);

  const list = await caseworker.agent.get('/api/process-definitions').expect(200);
  expect(list.body.definitions.find((d: { key: string }) => d.key === 'api-versions')).toMatchObject({ version: 2 });

  const versions = await caseworker.agent.get('/api/process-definitions/api-versions/versions').expect(200);
  expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

  const one = await caseworker.agent.get('/api/process-definitions/api-versions/versions/1').expect(200);
  expect(one.body).toMatchObject({
    key: 'api-versions',
    version: 1,
    compiled: {
      processId: 'api-versions',
      startEvents: [{ id: 'Start', kind: 'startEvent', trigger: 'none', name: 'Referred' }],
      userTasks: [{ id: 'Review', name: 'Review the referral' }],
      serviceTasks: [{ id: 'Notify', activityType: 'notify.emailGpPractice' }],
      elementCounts: { startEvent: 1, userTask: 1, serviceTask: 1, endEvent: 1 },
    },
  });

  const latestXml = await caseworker.agent.get('/api/process-definitions/api-versions/xml').expect(200);
  expect(latestXml.headers['content-type']).toMatch(/^application\/xml/);
  expect(latestXml.text).toBe(v2);
  const firstXml = await caseworker.agent.get('/api/process-definitions/api-versions/versions/1/xml').expect(200);
  expect(firstXml.text).toBe(v1);
});

test('a faulty diagram: 422 listing every problem by element id, in plain words; nothing written', async () => {
  const before = await written();
  const res = await deployXml(manager, faultyProcess);
  expect(res.status).toBe(422);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.detail).toMatch(/^The diagram cannot be deployed: \d+ problems \(Lookup, Orphan, Review\)$/);
  const fields = res.body.errors.map((e: { field: string }) => e.field);
  expect(fields).toEqual(expect.arrayContaining(['body.xml#Lookup', 'body.xml#Review', 'body.xml#Orphan']));
  const messages = res.body.errors.map((e: { message: string }) => e.message).join('\n');
  expect(messages).toMatch(/Lookup: The service task has no job type/);
  expect(messages).toMatch(/Review: The assignee is not valid FEEL/);
  expect(messages).toMatch(/Orphan: The complex gateway "Never reached" is not supported yet/);
  expect(await written()).toEqual(before);
});

test('what Camunda 8 deploys is deployed, with its warnings: an external job type, an unknown group, an unreachable task', async () => {
  const res = await deployXml(manager, warnedProcess);
  expect(res.status).toBe(201);
  const warnings = res.body.warnings.map((w: { elementId: string; rule: string }) => `${w.elementId} ${w.rule}`);
  expect(warnings).toEqual(
    expect.arrayContaining([
      'Lookup chis/known-activity-type',
      'Review chis/known-candidate-group',
      'Orphan chis/reachable-from-start',
    ]),
  );
  const lookup = res.body.warnings.find((w: { elementId: string }) => w.elementId === 'Lookup');
  expect(lookup.message).toMatch(/runs as an external job and waits for a job worker/);
});

test.each([
  ['not XML at all', 'hello, this is not a diagram'],
  ['truncated XML', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="x">'],
  ['XML that is not BPMN', '<?xml version="1.0"?><invoice><total>3</total></invoice>'],
  [
    'a DOCTYPE (entity expansion)',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
  ],
])('malformed: %s → 400 problem+json naming body.xml, nothing written', async (_what, xml) => {
  const before = await written();
  for (const res of [await deployXml(manager, xml), await deployJson(manager, { xml })]) {
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toBe('The body is not well-formed BPMN 2.0 XML');
    expect(res.body.errors[0].field).toBe('body.xml');
  }
  expect(await written()).toEqual(before);
});

test('oversized: over 2 MB as XML → 413; over the JSON limit inside JSON → 413; nothing written', async () => {
  const before = await written();
  const padding = `<!-- ${'x'.repeat(2 * 1024 * 1024)} -->`;
  const huge = reviewProcess('api-huge').replace('</bpmn:definitions>', `${padding}</bpmn:definitions>`);
  const asXml = await deployXml(manager, huge);
  expect(asXml.status).toBe(413);
  expect(asXml.body.detail).toMatch(/larger than the limit of 2097152 bytes/);
  const asJson = await deployJson(manager, { xml: huge });
  expect(asJson.status).toBe(413);
  expect(asJson.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await written()).toEqual(before);
});

test('bad requests: wrong media type 415, missing or wrong xml field 400, unknown fields 400; nothing written', async () => {
  const before = await written();
  const plain = await deployXml(manager, reviewProcess('api-plain'), 'text/plain');
  expect(plain.status).toBe(415);
  const missing = await deployJson(manager, {});
  expect(missing.status).toBe(400);
  expect(missing.body.errors).toEqual([{ field: 'body.xml', message: 'is required' }]);
  const wrongType = await deployJson(manager, { xml: 42 });
  expect(wrongType.status).toBe(400);
  expect(wrongType.body.errors[0]).toEqual({ field: 'body.xml', message: 'must be the BPMN 2.0 XML as a string' });
  const unknown = await deployJson(manager, { xml: reviewProcess('api-unknown'), key: 'x' });
  expect(unknown.status).toBe(400);
  expect(unknown.body.errors).toEqual([{ field: 'body.key', message: 'is not an allowed field' }]);
  const empty = await deployXml(manager, '   ');
  expect(empty.status).toBe(400);
  const badJson = await manager.agent
    .post('/api/process-definitions')
    .set('X-CSRF-Token', manager.csrf)
    .set('Content-Type', 'application/json')
    .send('{"xml": ');
  expect(badJson.status).toBe(400);
  expect(await written()).toEqual(before);
});

test('unknown keys and versions → 404; malformed keys and versions → 400 naming the parameter', async () => {
  expect((await caseworker.agent.get('/api/process-definitions/no-such-process/versions')).status).toBe(404);
  expect((await caseworker.agent.get('/api/process-definitions/no-such-process/xml')).status).toBe(404);
  expect((await caseworker.agent.get('/api/process-definitions/api-review/versions/99')).body.detail).toBe(
    'Process definition api-review has no version 99',
  );
  expect((await caseworker.agent.get('/api/process-definitions/api-review/versions/99/xml')).status).toBe(404);
  const badVersion = await caseworker.agent.get('/api/process-definitions/api-review/versions/1.5');
  expect(badVersion.status).toBe(400);
  expect(badVersion.body.errors).toEqual([{ field: 'params.version', message: 'must be a whole number' }]);
  const badKey = await caseworker.agent.get('/api/process-definitions/9lives/versions');
  expect(badKey.status).toBe(400);
  expect(badKey.body.errors[0].field).toBe('params.key');
});

test('only service managers and administrators deploy; everyone signed in reads; nobody signed out', async () => {
  const res = await deployXml(caseworker, reviewProcess('api-by-caseworker'));
  expect(res.status).toBe(403);
  expect(res.body.detail).toBe('Your role (caseworker) may not deploy a BPMN process definition');
  const lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead'));
  expect((await deployXml(lead, reviewProcess('api-by-lead'))).status).toBe(403);
  expect((await lead.agent.get('/api/process-definitions')).status).toBe(200);
  expect((await request(h.app).get('/api/process-definitions')).status).toBe(401);
  expect((await request(h.app).get('/api/process-definitions/api-review/xml')).status).toBe(401);
});

test('the OpenAPI document lists the definition routes with their roles', async () => {
  const doc = (await request(h.app).get('/api/openapi.json').expect(200)).body;
  expect(doc.paths['/process-definitions'].post['x-roles']).toEqual(['service_manager', 'administrator']);
  expect(Object.keys(doc.paths['/process-definitions/{key}/versions/{version}/xml'])).toEqual(['get']);
  expect(doc.paths['/process-definitions'].post.responses['422'].description).toMatch(/every problem by element id/);
});

test('a stored version without a usable compiled graph is still readable (never a 500)', async () => {
  await h.database.sequelize.query(
    `INSERT INTO process_definitions (key, version, xml, compiled, checksum) VALUES ('api-legacy', 1, '<definitions/>', '{}', repeat('0', 64))`,
  );
  const res = await caseworker.agent.get('/api/process-definitions/api-legacy/versions/1');
  expect(res.status).toBe(200);
  expect(res.body.compiled).toMatchObject({ elementCounts: {}, elements: [], startEvents: [], messageNames: [] });
});
