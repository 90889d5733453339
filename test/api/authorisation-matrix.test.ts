import { PERMISSIONS, roleMay } from '../../api/access/policy';
import { CASE_WORK_ROUTES } from '../../api/routes';
import { breakGlass } from '../../records/children/access';
import { raiseConcernAs, staffActor } from '../support/fixtures';
import { ROLES, type Role, type StaffPrincipal } from '../../records/staff';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { receiveInboundEvent } from '../../records/inbound-events';
import { receiveRawMail } from '../../mail';
import { deployDefinition } from '../../deployment/deploy-definition';
import { select } from '../../records/sql';
import { withDiagram } from '../workflows/diagram';
import {
  BIRMINGHAM,
  COVENTRY,
  countRows,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  signIn,
  startCaseWork,
  syntheticNhsNumber,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

const REASON = 'Covering the Coventry rota this week';

/** A concrete request for a route, built fresh for each call so that changes do not interfere. */
interface Sample {
  path: string;
  body?: object;
}
type Locality = typeof BIRMINGHAM | typeof COVENTRY;
type SampleBuilder = (h: CaseWorkHarness, caller: StaffPrincipal, locality: Locality) => Promise<Sample>;

let instance: string;
let assignee: StaffPrincipal;

const child = async (h: CaseWorkHarness, l: Locality) => (await makeChild(h.db, l)).nhsNumber;
const task = (h: CaseWorkHarness, caller: StaffPrincipal, l: Locality, claimed = false) =>
  makeTask(h.db, {
    processInstanceId: instance,
    localityId: l,
    candidateGroups: [caller.role],
    ...(claimed ? { assignee: caller.username } : {}),
  });
const concern = async (h: CaseWorkHarness, l: Locality) =>
  (await raiseConcernAs(h.db, assignee, (await makeChild(h.db, l)).id, 'Matrix concern')).concernId;

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
/** A GP practice of locality `l` (the case-work database has none). */
const practice = async (h: CaseWorkHarness, l: Locality) => {
  const ods = `MTX00${l}`;
  await select(
    h.db,
    `INSERT INTO gp_practices (ods_code, name, email, locality_id) VALUES ($1, 'Matrix practice', 'matrix@gp.example.nhs.uk', $2) ON CONFLICT DO NOTHING RETURNING ods_code`,
    [ods, l],
  );
  return ods;
};
const postcodeOf = (l: Locality) => (l === BIRMINGHAM ? 'B15 2TT' : 'CV1 1AA');
/** A one-step diagram; deploying the same key again is an unchanged no-op. */
const manualDiagram = (key: string) =>
  withDiagram(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_${key.replace(/-/g, '_')}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${key}" name="Matrix process" isExecutable="true">
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="File" />
    <bpmn:manualTask id="File" name="File the letter" />
    <bpmn:sequenceFlow id="F2" sourceRef="File" targetRef="End" />
    <bpmn:endEvent id="End" name="Done" />
  </bpmn:process>
</bpmn:definitions>`);
const matrixDefinition = async (h: CaseWorkHarness) => {
  await deployDefinition(h.database.sequelize, manualDiagram('matrix-def'), {
    activityTypes: new Set(),
    candidateGroups: new Set(),
  });
  return 'matrix-def';
};
/** A process instance whose business key is a child of locality `l`. */
const childInstance = async (h: CaseWorkHarness, l: Locality) => {
  const id = await makeProcessInstance(h.db, 'matrix');
  await select(h.db, 'UPDATE process_instances SET business_key = $2 WHERE id = $1 RETURNING id', [
    id,
    await child(h, l),
  ]);
  return id;
};

// One entry per declared route ("METHOD path"); a new route without a sample fails the completeness test.
const SAMPLES: Record<string, SampleBuilder> = {
  'POST /auth/login': async () => ({
    path: '/api/auth/login',
    body: { username: assignee.username, password: 'wrong password' },
  }),
  'POST /auth/logout': async () => ({ path: '/api/auth/logout' }),
  'GET /auth/oidc/login': async () => ({ path: '/api/auth/oidc/login' }),
  'GET /auth/oidc/callback': async () => ({ path: '/api/auth/oidc/callback?code=c&state=s' }),
  'GET /auth/me': async () => ({ path: '/api/auth/me' }),
  'GET /auth/options': async () => ({ path: '/api/auth/options' }),
  'GET /children': async (h, _c, l) => ({ path: `/api/children?nhsNumber=${await child(h, l)}` }),
  'GET /children/:nhsNumber': async (h, _c, l) => ({ path: `/api/children/${await child(h, l)}` }),
  'GET /children/:nhsNumber/timeline': async (h, _c, l) => ({ path: `/api/children/${await child(h, l)}/timeline` }),
  'GET /children/:nhsNumber/schedule': async (h, _c, l) => ({ path: `/api/children/${await child(h, l)}/schedule` }),
  'GET /children/:nhsNumber/tasks': async (h, _c, l) => ({ path: `/api/children/${await child(h, l)}/tasks` }),
  'GET /children/:nhsNumber/screening': async (h, _c, l) => ({ path: `/api/children/${await child(h, l)}/screening` }),
  'GET /tasks/queues/counts': async () => ({ path: '/api/tasks/queues/counts' }),
  'GET /tasks/queues/escalated': async () => ({ path: '/api/tasks/queues/escalated' }),
  'GET /tasks/:id/assignees': async (h, c, l) => ({ path: `/api/tasks/${(await task(h, c, l)).id}/assignees` }),
  'GET /localities': async () => ({ path: '/api/localities' }),
  'GET /safeguarding/summary': async () => ({ path: '/api/safeguarding/summary' }),
  'GET /safeguarding/workload': async () => ({ path: '/api/safeguarding/workload' }),
  'GET /tasks/queues/mine': async () => ({ path: '/api/tasks/queues/mine' }),
  'GET /tasks/queues/unclaimed': async () => ({ path: '/api/tasks/queues/unclaimed' }),
  'GET /tasks/queues/overdue': async () => ({ path: '/api/tasks/queues/overdue' }),
  'GET /tasks/queues/due-today': async () => ({ path: '/api/tasks/queues/due-today' }),
  'GET /tasks/queues/locality/:code': async () => ({ path: '/api/tasks/queues/locality/birmingham' }),
  'GET /tasks/queues/process/:key': async () => ({ path: '/api/tasks/queues/process/matrix' }),
  'GET /tasks/:id': async (h, c, l) => ({ path: `/api/tasks/${(await task(h, c, l)).id}` }),
  'POST /tasks/:id/claim': async (h, c, l) => ({ path: `/api/tasks/${(await task(h, c, l)).id}/claim`, body: {} }),
  'POST /tasks/:id/unclaim': async (h, c, l) => ({
    path: `/api/tasks/${(await task(h, c, l, true)).id}/unclaim`,
    body: {},
  }),
  'POST /tasks/:id/assign': async (h, c, l) => ({
    path: `/api/tasks/${(await task(h, c, l)).id}/assign`,
    body: { assignee: assignee.username },
  }),
  'POST /tasks/:id/complete': async (h, c, l) => ({
    path: `/api/tasks/${(await task(h, c, l, true)).id}/complete`,
    body: { outcome: 'done' },
  }),
  'GET /concerns': async () => ({ path: '/api/concerns' }),
  'POST /children/:nhsNumber/concerns': async (h, _c, l) => ({
    path: `/api/children/${await child(h, l)}/concerns`,
    body: { summary: 'Matrix' },
  }),
  // Two records PDS says are one child; the caller in a (Birmingham) child health records team.
  'POST /children/:nhsNumber/merges': async (h, c, l) => {
    const [into, merged] = [await makeChild(h.db, l), await makeChild(h.db, l)];
    await select(
      h.db,
      'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
      [merged.nhsNumber, into.id, into.nhsNumber],
    );
    await select(
      h.db,
      `INSERT INTO teams (code, name, kind, locality_id) VALUES ('matrix-records', 'Matrix records', 'records', $1)
       ON CONFLICT (code) DO NOTHING RETURNING id`,
      [BIRMINGHAM],
    );
    await select(
      h.db,
      `INSERT INTO staff_teams (staff_id, team_id) SELECT $1, id FROM teams WHERE code = 'matrix-records'
       ON CONFLICT DO NOTHING RETURNING team_id`,
      [c.id],
    );
    return {
      path: `/api/children/${into.nhsNumber}/merges`,
      body: { mergedNhsNumber: merged.nhsNumber, reason: 'Matrix: PDS superseded the number' },
    };
  },
  'GET /concerns/:id': async (h, _c, l) => ({ path: `/api/concerns/${await concern(h, l)}` }),
  'POST /concerns/:id/notes': async (h, _c, l) => ({
    path: `/api/concerns/${await concern(h, l)}/notes`,
    body: { text: 'Note' },
  }),
  'POST /concerns/:id/escalate': async (h, _c, l) => ({
    path: `/api/concerns/${await concern(h, l)}/escalate`,
    body: { reason: 'Pattern of missed appointments' },
  }),
  'POST /concerns/:id/close': async (h, _c, l) => ({
    path: `/api/concerns/${await concern(h, l)}/close`,
    body: { outcome: 'no_further_action', note: 'Resolved' },
  }),
  'GET /alerts/break-glass': async () => ({ path: '/api/alerts/break-glass' }),
  'POST /alerts/break-glass/:id/acknowledge': async (h, c, l) => {
    const c0 = await makeChild(h.db, l);
    await breakGlass(h.db, staffActor(assignee, REASON), c0, 'child.read');
    const [{ id }] = await select<{ id: string }>(
      h.db,
      'SELECT id FROM break_glass_alerts WHERE child_id = $1 ORDER BY id DESC LIMIT 1',
      [c0.id],
    );
    return { path: `/api/alerts/break-glass/${id}/acknowledge` };
  },
  'GET /audit': async () => ({ path: '/api/audit' }),
  'POST /events/birth-notifications': async (h, _c, l) => ({
    path: '/api/events/birth-notifications',
    body: {
      nhsNumber: syntheticNhsNumber(),
      givenName: 'Ada',
      familyName: 'Matrix',
      dateOfBirth: yesterday(),
      timeOfBirth: '08:30',
      sex: 'female',
      mother: { name: 'Mum Matrix' },
      address: { lines: ['1 Matrix Road'], postcode: postcodeOf(l) },
      gpPracticeCode: await practice(h, l),
      maternityUnit: 'Matrix Unit',
    },
  }),
  'POST /events/address-changes': async (h, _c, l) => ({
    path: '/api/events/address-changes',
    body: { nhsNumber: await child(h, l), address: { lines: ['2 Matrix Road'], postcode: postcodeOf(l) } },
  }),
  'POST /events/gp-changes': async (h, _c, l) => ({
    path: '/api/events/gp-changes',
    body: { nhsNumber: await child(h, l), gpPracticeCode: await practice(h, l) },
  }),
  'POST /events/inbound-transfers': async (_h, _c, l) => ({
    path: '/api/events/inbound-transfers',
    body: {
      nhsNumber: syntheticNhsNumber(),
      fromChis: 'Other CHIS',
      givenName: 'Tom',
      familyName: 'Matrix',
      dateOfBirth: '2024-01-01',
      sex: 'male',
      address: { lines: ['3 Matrix Road'], postcode: postcodeOf(l) },
    },
  }),
  'POST /events/immunisations': async (h, _c, l) => ({
    path: '/api/events/immunisations',
    body: { nhsNumber: await child(h, l), vaccine: 'menb', dose: 1, givenOn: yesterday(), givenBy: 'Practice nurse' },
  }),
  'POST /events/screening-outcomes': async (h, _c, l) => ({
    path: '/api/events/screening-outcomes',
    body: { nhsNumber: await child(h, l), programme: 'hearing', outcome: 'clear_response', recordedOn: yesterday() },
  }),
  'POST /events/appointment-outcomes': async (h, _c, l) => ({
    path: '/api/events/appointment-outcomes',
    body: { nhsNumber: await child(h, l), kind: 'health_visit', date: yesterday(), outcome: 'attended' },
  }),
  'POST /events/child-protection-alerts': async (h, _c, l) => ({
    path: '/api/events/child-protection-alerts',
    body: {
      nhsNumber: await child(h, l),
      type: 'looked_after',
      startDate: yesterday(),
      localAuthority: 'Matrix Council',
    },
  }),
  'POST /events/death-notifications': async (h, _c, l) => ({
    path: '/api/events/death-notifications',
    body: { nhsNumber: await child(h, l), dateOfDeath: yesterday() },
  }),
  'GET /events/:id': async (h, _c, l) => {
    const id = randomUUID();
    await receiveInboundEvent(
      h.db,
      staffActor(assignee),
      {
        id,
        kind: 'appointment_outcome',
        sourceEventId: null,
        contentHash: id.replace(/-/g, '').padEnd(64, '0'),
        nhsNumber: await child(h, l),
        childId: null,
        payload: {},
        routing: {},
        messageName: 'appointmentAttended',
        messageVariables: {},
        receivedBy: null,
      },
      { detail: {} },
    );
    return { path: `/api/events/${id}` };
  },
  'GET /mailbox': async () => ({ path: '/api/mailbox' }),
  'GET /reports/coverage': async () => ({ path: '/api/reports/coverage?cohort=12m' }),
  'GET /mailbox/:id': async (h) => ({
    path: `/api/mailbox/${(await receiveRawMail(h.db, { envelopeFrom: null, envelopeTo: ['gp@example.nhs.uk'], raw: Buffer.from(`Message-ID: <m-${randomUUID()}@test>\r\nSubject: x\r\n\r\nbody`) })).id}`,
  }),
  'GET /openapi.json': async () => ({ path: '/api/openapi.json' }),
  'POST /process-definitions': async () => ({
    path: '/api/process-definitions',
    body: { xml: manualDiagram(`matrix-${Math.random().toString(36).slice(2, 10)}`) },
  }),
  'GET /process-definitions': async () => ({ path: '/api/process-definitions' }),
  'POST /process-definitions/validate': async () => ({
    path: '/api/process-definitions/validate',
    body: { xml: manualDiagram('matrix-validate') },
  }),
  'GET /process-definitions/element-templates': async () => ({ path: '/api/process-definitions/element-templates' }),
  'GET /process-definitions/candidate-groups': async () => ({ path: '/api/process-definitions/candidate-groups' }),
  'GET /process-definitions/:key/versions/:version/element-stats': async (h) => ({
    path: `/api/process-definitions/${await matrixDefinition(h)}/versions/1/element-stats`,
  }),
  'GET /process-definitions/:key/versions': async (h) => ({
    path: `/api/process-definitions/${await matrixDefinition(h)}/versions`,
  }),
  'GET /process-definitions/:key/versions/:version': async (h) => ({
    path: `/api/process-definitions/${await matrixDefinition(h)}/versions/1`,
  }),
  'GET /process-definitions/:key/xml': async (h) => ({
    path: `/api/process-definitions/${await matrixDefinition(h)}/xml`,
  }),
  'GET /process-definitions/:key/versions/:version/xml': async (h) => ({
    path: `/api/process-definitions/${await matrixDefinition(h)}/versions/1/xml`,
  }),
  'POST /process-instances': async (h, _c, l) => ({
    path: '/api/process-instances',
    body: { key: await matrixDefinition(h), businessKey: await child(h, l) },
  }),
  'GET /process-instances': async () => ({ path: '/api/process-instances' }),
  'GET /process-instances/:id': async (h, _c, l) => ({ path: `/api/process-instances/${await childInstance(h, l)}` }),
  'POST /process-instances/:id/cancel': async (h, _c, l) => ({
    path: `/api/process-instances/${await childInstance(h, l)}/cancel`,
    body: { reason: 'Matrix' },
  }),
  'POST /process-instances/:id/messages': async (h, _c, l) => ({
    path: `/api/process-instances/${await childInstance(h, l)}/messages`,
    body: { name: 'matrix' },
  }),
  'POST /process-instances/:id/incidents/:incidentId/retry': async (h, _c, l) => ({
    path: `/api/process-instances/${await childInstance(h, l)}/incidents/incident-1/retry`,
  }),
  'POST /messages': async (h, _c, l) => ({
    path: '/api/messages',
    body: { name: 'matrix', correlationKey: await child(h, l) },
  }),
};

/**
 * Routes that need the Temporal engine, which this harness does not run: an allowed call passes
 * the access check and gets 503 (test/api/process-authorisation.test.ts runs them on the engine).
 */
const ENGINE_ROUTES = new Set([
  'POST /process-instances',
  'POST /process-instances/:id/cancel',
  'POST /process-instances/:id/messages',
  'POST /process-instances/:id/incidents/:incidentId/retry',
  'POST /messages',
  'POST /events/birth-notifications',
  'POST /events/address-changes',
  'POST /events/gp-changes',
  'POST /events/inbound-transfers',
  'POST /events/immunisations',
  'POST /events/screening-outcomes',
  'POST /events/appointment-outcomes',
  'POST /events/child-protection-alerts',
  'POST /events/death-notifications',
]);

/** Routes that read or change a record, and so must leave an audit event when allowed. */
const AUDITED = new Set([
  'POST /auth/logout',
  'GET /children',
  'GET /children/:nhsNumber',
  'GET /children/:nhsNumber/timeline',
  'GET /children/:nhsNumber/schedule',
  'GET /children/:nhsNumber/tasks',
  'GET /children/:nhsNumber/screening',
  'GET /tasks/:id',
  'GET /tasks/:id/assignees',
  'POST /tasks/:id/claim',
  'POST /tasks/:id/unclaim',
  'POST /tasks/:id/assign',
  'POST /tasks/:id/complete',
  'POST /children/:nhsNumber/concerns',
  'POST /children/:nhsNumber/merges',
  'GET /concerns/:id',
  'POST /concerns/:id/notes',
  'POST /concerns/:id/escalate',
  'POST /concerns/:id/close',
  'POST /alerts/break-glass/:id/acknowledge',
  'GET /audit',
  'POST /process-definitions',
  'GET /process-instances/:id',
  'GET /mailbox',
  'GET /mailbox/:id',
  'GET /reports/coverage',
]);

/** Routes that open a child's record, and so follow the legitimate-relationship rule. */
const CHILD_ROUTES = [
  'GET /children/:nhsNumber',
  'GET /children/:nhsNumber/timeline',
  'GET /children/:nhsNumber/schedule',
  'GET /children/:nhsNumber/screening',
  'GET /children/:nhsNumber/tasks',
  'POST /children/:nhsNumber/concerns',
  'POST /children/:nhsNumber/merges',
  'GET /concerns/:id',
  'POST /concerns/:id/notes',
  'POST /concerns/:id/escalate',
  'POST /concerns/:id/close',
  'GET /process-instances/:id',
];

/** Public routes whose sample is meant to fail after the access check: the wrong password, OIDC not configured here. */
const PUBLIC_FAILURES: Record<string, number> = {
  'POST /auth/login': 401,
  'GET /auth/oidc/login': 404,
  'GET /auth/oidc/callback': 404,
};

const ROUTES = CASE_WORK_ROUTES.map((r) => ({ key: `${r.method.toUpperCase()} ${r.path}`, route: r }));
const CASES = ROUTES.flatMap(({ key, route }) =>
  ROLES.map((role) => ({ key, role, route, allowed: roleMay(role, route.access) })),
);

describe('authorisation matrix: every role × every endpoint', () => {
  let h: CaseWorkHarness;
  const sessions = new Map<Role, SignedIn>();
  beforeAll(async () => {
    h = await startCaseWork('api_matrix');
    instance = await makeProcessInstance(h.db, 'matrix');
    assignee = await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] });
    for (const role of ROLES)
      sessions.set(role, await signIn(h.app, await makeStaff(h.db, role, { localityIds: [BIRMINGHAM] })));
  });
  afterAll(() => h.close());

  /** Builds the sample (fixtures included), runs `beforeSend`, then sends the request. */
  async function call(
    s: SignedIn,
    key: string,
    locality: Locality,
    reason?: string,
    beforeSend: () => Promise<void> = async () => {},
  ) {
    const method = key.split(' ')[0].toLowerCase() as 'get' | 'post';
    const sample = await SAMPLES[key](h, s.user, locality);
    await beforeSend();
    let req = s.agent[method](sample.path).set('X-CSRF-Token', s.csrf);
    if (reason) req = req.set('X-Access-Reason', reason);
    return method === 'get' ? req : req.send(sample.body ?? {});
  }

  test('every declared route has a sample request and names a known permission', () => {
    expect(ROUTES.map((r) => r.key).filter((k) => !SAMPLES[k])).toEqual([]);
    for (const { route } of ROUTES) expect(['public', 'signedIn', ...Object.keys(PERMISSIONS)]).toContain(route.access);
  });

  test.each(ROUTES.filter((r) => r.route.access !== 'public').map((r) => r.key))(
    '%s without a session → 401',
    async (key) => {
      const method = key.split(' ')[0].toLowerCase() as 'get' | 'post';
      const sample = await SAMPLES[key](h, assignee, BIRMINGHAM);
      const agent = request(h.app);
      const res = await agent[method](sample.path).send(sample.body ?? {});
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );

  test.each(CASES.map((c) => [c.role, c.key, c.allowed ? 'allowed' : 'refused'] as const))(
    '%s → %s: %s',
    async (role, key, expected) => {
      let s = sessions.get(role)!;
      if (key === 'POST /auth/logout') s = await signIn(h.app, s.user); // keep the shared session alive
      let before = 0;
      const res = await call(s, key, BIRMINGHAM, undefined, async () => {
        before = await countRows(h.db, 'audit_events');
      });
      const written = (await countRows(h.db, 'audit_events')) - before;
      if (expected === 'refused') expect(written).toBe(0);
      else if (AUDITED.has(key)) expect(written).toBeGreaterThanOrEqual(1);
      if (expected === 'refused') {
        expect(res.status).toBe(403);
        expect(res.body.detail).toMatch(new RegExp(`^Your role \\(${role}\\) may not`));
      } else if (PUBLIC_FAILURES[key]) {
        expect(res.status).toBe(PUBLIC_FAILURES[key]);
      } else if (ENGINE_ROUTES.has(key)) {
        expect(`${res.status}: ${res.body?.detail}`).toBe(
          '503: The process engine is not connected to this API; try again later',
        );
      } else {
        // The message carries the problem's detail when an allowed call fails.
        expect([200, 201, 204].includes(res.status) ? 'allowed' : `${res.status}: ${res.body?.detail}`).toBe('allowed');
      }
    },
  );

  const reasonCases = CHILD_ROUTES.flatMap((key) =>
    ROLES.filter((role) => roleMay(role, ROUTES.find((r) => r.key === key)!.route.access)).map(
      (role) => [role, key] as const,
    ),
  );

  test.each(reasonCases)(
    "%s → %s on another locality's child: 403 asking for a reason, 2xx with one",
    async (role, key) => {
      const s = sessions.get(role)!;
      const without = await call(s, key, COVENTRY);
      expect(without.status).toBe(403);
      expect(without.body.detail).toMatch(/outside your localities: state why/);
      const withReason = await call(s, key, COVENTRY, REASON);
      expect(
        [200, 201].includes(withReason.status) ? 'opened' : `${withReason.status}: ${withReason.body?.detail}`,
      ).toBe('opened');
    },
  );
});
