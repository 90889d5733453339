/**
 * Authorisation of the process endpoints with the engine running: each role × each process
 * definition, process instance and message route. Allowed calls succeed (2xx) and are audited;
 * refused calls are a 403 naming the role and write nothing.
 */
import { randomUUID } from 'node:crypto';
import { CORRECTION_ROLES } from '../../api/access/message-policy';
import { roleMay } from '../../api/access/policy';
import { START_POLICY } from '../../api/access/start-policy';
import { CASE_WORK_ROUTES } from '../../api/routes';
import { ROLES, type Role } from '../../records/staff';
import {
  diagram,
  eventually,
  incidentDiagram,
  RESULT_ARRIVED_MESSAGE,
  startProcessApi,
  type ProcessApi,
} from './support/process-api';
import { BIRMINGHAM, countRows, makeChild, makeStaff, signIn, type SignedIn } from './support/case-work';

let api: ProcessApi;
let owner: SignedIn;
const sessions = new Map<Role, SignedIn>();

const awaiting = diagram(
  'authz-await',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Result arrived"><bpmn:messageEventDefinition id="Med_1" messageRef="Msg_Result" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
  RESULT_ARRIVED_MESSAGE,
);

const failing = incidentDiagram('authz-incident');

const manual = (key: string) =>
  diagram(
    key,
    `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="File" />
    <bpmn:manualTask id="File" name="File the letter" />
    <bpmn:sequenceFlow id="F2" sourceRef="File" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />`,
  );

interface Sample {
  path: string;
  body?: object;
}

const childKey = async () => (await makeChild(api.db, BIRMINGHAM)).nhsNumber;

/** A running instance about a Birmingham child, started by the owner. */
async function instance(): Promise<string> {
  const nhsNumber = await childKey();
  const res = await owner.agent
    .post('/api/process-instances')
    .set('X-CSRF-Token', owner.csrf)
    .send({ key: 'authz-await', businessKey: nhsNumber });
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** An instance stuck on an incident, and the incident's id (only built when the call will be allowed). */
async function incident(allowed: boolean): Promise<string> {
  if (!allowed) return `/api/process-instances/authz-incident-${randomUUID()}/incidents/incident-1/retry`;
  const res = await owner.agent
    .post('/api/process-instances')
    .set('X-CSRF-Token', owner.csrf)
    .send({ key: 'authz-incident', variables: { fail: true } });
  const id: string = res.body.id;
  const state = await eventually(
    async () => (await owner.agent.get(`/api/process-instances/${id}`)).body,
    (b) => b.state?.incidents.length > 0,
    'the incident',
  );
  return `/api/process-instances/${id}/incidents/${state.state.incidents[0].id}/retry`;
}

const SAMPLES: Record<string, (allowed: boolean) => Promise<Sample>> = {
  'POST /process-definitions': async () => ({
    path: '/api/process-definitions',
    body: { xml: manual(`authz-${randomUUID()}`) },
  }),
  'GET /process-definitions': async () => ({ path: '/api/process-definitions' }),
  'GET /process-definitions/:key/versions': async () => ({ path: '/api/process-definitions/authz-await/versions' }),
  'GET /process-definitions/:key/versions/:version': async () => ({
    path: '/api/process-definitions/authz-await/versions/1',
  }),
  'GET /process-definitions/:key/versions/:version/element-stats': async () => ({
    path: '/api/process-definitions/authz-await/versions/1/element-stats',
  }),
  'POST /process-definitions/validate': async () => ({
    path: '/api/process-definitions/validate',
    body: { xml: manual(`authz-${randomUUID()}`) },
  }),
  'GET /process-definitions/element-templates': async () => ({ path: '/api/process-definitions/element-templates' }),
  'GET /process-definitions/candidate-groups': async () => ({ path: '/api/process-definitions/candidate-groups' }),
  'GET /process-definitions/:key/xml': async () => ({ path: '/api/process-definitions/authz-await/xml' }),
  'GET /process-definitions/:key/versions/:version/xml': async () => ({
    path: '/api/process-definitions/authz-await/versions/1/xml',
  }),
  'POST /process-instances': async () => {
    const nhsNumber = await childKey();
    return {
      path: '/api/process-instances',
      body: { key: 'authz-await', businessKey: nhsNumber },
    };
  },
  'GET /process-instances': async () => ({ path: '/api/process-instances?key=authz-await' }),
  'GET /process-instances/:id': async () => ({ path: `/api/process-instances/${await instance()}` }),
  'POST /process-instances/:id/cancel': async () => ({
    path: `/api/process-instances/${await instance()}/cancel`,
    body: { reason: 'Authorisation test' },
  }),
  'POST /process-instances/:id/messages': async () => ({
    path: `/api/process-instances/${await instance()}/messages`,
    body: { name: 'resultArrived' },
  }),
  'POST /process-instances/:id/incidents/:incidentId/retry': async (allowed) => ({ path: await incident(allowed) }),
  'POST /messages': async () => ({
    path: '/api/messages',
    body: { name: 'resultArrived', correlationKey: await childKey() },
  }),
};

const ROUTES = CASE_WORK_ROUTES.filter((r) => r.tag === 'process-definitions' || r.tag === 'process-instances').map(
  (r) => ({ key: `${r.method.toUpperCase()} ${r.path}`, route: r }),
);
/**
 * Reads of definitions hold no personal data and are not audited, nor is checking a diagram
 * without deploying it (it stores nothing); the GET list audits only rows about a child.
 */
const UNAUDITED = new Set(
  ROUTES.filter((r) => r.key.startsWith('GET /process-definitions'))
    .map((r) => r.key)
    .concat('GET /process-instances', 'POST /process-definitions/validate'),
);

beforeAll(async () => {
  api = await startProcessApi(
    {
      'child.deriveLocality': async (input: { fail?: boolean }) => {
        if (input.fail) throw new Error('gazetteer unavailable');
        return { locality: 'Birmingham', inRegion: true };
      },
    },
    { requireClosedHistory: false },
  );
  owner = await signIn(api.app, await makeStaff(api.db, 'service_manager', { localityIds: [BIRMINGHAM] }));
  for (const xml of [awaiting, failing]) {
    await owner.agent
      .post('/api/process-definitions')
      .set('X-CSRF-Token', owner.csrf)
      .set('Content-Type', 'application/xml')
      .send(xml)
      .expect(201);
  }
  for (const role of ROLES)
    sessions.set(role, await signIn(api.app, await makeStaff(api.db, role, { localityIds: [BIRMINGHAM] })));
}, 180_000);
afterAll(() => api?.close(), 180_000);

test('every process route has a sample', () => {
  expect(ROUTES).toHaveLength(17);
  expect(ROUTES.map((r) => r.key).filter((k) => !SAMPLES[k])).toEqual([]);
});

/**
 * Beyond the route's permission, the start and message contracts (api/access/start-policy.ts,
 * message-policy.ts) decide by what is started or sent: these samples start at a plain start
 * event and publish a message that starts nothing.
 */
const CONTRACT: Record<string, readonly Role[]> = {
  'POST /process-instances': START_POLICY.none,
  'POST /messages': CORRECTION_ROLES,
};
const CASES = ROUTES.flatMap(({ key, route }) =>
  ROLES.map(
    (role) =>
      [
        role,
        key,
        roleMay(role, route.access) && (CONTRACT[key]?.includes(role) ?? true) ? 'allowed' : 'refused',
      ] as const,
  ),
);

test.each(CASES)('%s → %s: %s', async (role, key, expected) => {
  const s = sessions.get(role)!;
  const method = key.split(' ')[0].toLowerCase() as 'get' | 'post';
  const sample = await SAMPLES[key](expected === 'allowed');
  const before = {
    audit: await countRows(api.db, 'audit_events'),
    instances: await countRows(api.db, 'process_instances'),
    definitions: await countRows(api.db, 'process_definitions'),
  };
  const req = s.agent[method](sample.path).set('X-CSRF-Token', s.csrf);
  const res = method === 'get' ? await req : await req.send(sample.body ?? {});
  const after = {
    audit: await countRows(api.db, 'audit_events'),
    instances: await countRows(api.db, 'process_instances'),
    definitions: await countRows(api.db, 'process_definitions'),
  };
  if (expected === 'refused') {
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(new RegExp(`^Your role \\(${role}\\) may not`));
    expect(after).toEqual(before);
  } else {
    expect([200, 201, 202].includes(res.status) ? 'allowed' : `${res.status}: ${res.body?.detail}`).toBe('allowed');
    if (!UNAUDITED.has(key)) expect(after.audit).toBeGreaterThan(before.audit);
  }
});
