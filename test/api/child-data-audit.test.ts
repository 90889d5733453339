/**
 * Every route of the API is classified here: either it reads or changes a child's data, or it
 * says why it does not. Each child-data route is then called as its users call it, on the real
 * stack (PostgreSQL, the embedded Temporal server, the engine worker), and must leave an audit row
 * naming that child (`child_id`, or `child_ids` for a list). A new route fails the first test
 * until it is classified.
 */
import { randomUUID } from 'node:crypto';
import { CASE_WORK_ROUTES } from '../../api/routes';
import { breakGlass } from '../../records/children/access';
import type { ChildDetails } from '../../records/children/child-rows';
import { select, selectOne } from '../../records/sql';
import { raiseConcernAs, staffActor } from '../support/fixtures';
import {
  BIRMINGHAM,
  COVENTRY,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  makeTeam,
  signIn,
  type SignedIn,
} from './support/case-work';
import {
  diagram,
  eventually,
  incidentDiagram,
  RESULT_ARRIVED_MESSAGE,
  startProcessApi,
  type ProcessApi,
} from './support/process-api';

let api: ProcessApi;
let caseworker: SignedIn;
let lead: SignedIn;
let manager: SignedIn;
let admin: SignedIn;
let feed: SignedIn;
let deriveFails = true;

const REASON = 'Covering the Coventry rota this week';
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** A user task that waits for nothing: the instance carries the child's id, so its task row names the child. */
const reviewProcess = diagram(
  'audit-review',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="Review the record">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="caseworker" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Review" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="Result arrived">
      <bpmn:messageEventDefinition id="Med_1" messageRef="Msg_Result" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F3" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" name="Reviewed" />`,
  RESULT_ARRIVED_MESSAGE,
);

/** What one call of a child-data route needs: who calls, the request, and the child it is about. */
interface ChildDataCall {
  as: SignedIn;
  method: 'get' | 'post';
  path: string;
  body?: object;
  child: Pick<ChildDetails, 'id' | 'nhsNumber'>;
}
type Classification = { childData: () => Promise<ChildDataCall> } | { notChildData: string };

const birminghamChild = () => makeChild(api.db, BIRMINGHAM);

/** An instance of audit-review about the child, its task open. */
async function reviewInstance(child: ChildDetails): Promise<{ id: string; taskId: string }> {
  const res = await manager.agent.post('/api/process-instances').set('X-CSRF-Token', manager.csrf).send({
    key: 'audit-review',
    businessKey: child.nhsNumber,
    // The child comes from the business key (nhsNumber is derived from it, never sent).
    variables: {},
  });
  if (res.status !== 201) throw new Error(`start failed: ${res.status} ${JSON.stringify(res.body)}`);
  const [task] = await eventually(
    () => select<{ id: string }>(api.db, 'SELECT id FROM human_tasks WHERE process_instance_id = $1', [res.body.id]),
    (rows) => rows.length === 1,
    'the review task row',
  );
  return { id: res.body.id, taskId: task.id };
}

async function concernAbout(child: ChildDetails): Promise<string> {
  return (await raiseConcernAs(api.db, lead.user, child.id, 'Bruising noticed at the health visit')).concernId;
}

async function practice(): Promise<string> {
  await select(
    api.db,
    `INSERT INTO gp_practices (ods_code, name, email, locality_id) VALUES ('AUD001', 'Audit practice', 'audit@gp.example.nhs.uk', $1)
     ON CONFLICT DO NOTHING RETURNING ods_code`,
    [BIRMINGHAM],
  );
  return 'AUD001';
}

const event = (path: string, body: (child: ChildDetails) => Promise<object> | object) => async () => {
  const child = await birminghamChild();
  return { as: feed, method: 'post' as const, path: `/api/events/${path}`, body: await body(child), child };
};

const queue = (path: string) => async () => {
  const child = await birminghamChild();
  const instance = await makeProcessInstance(api.db, 'audit-queue');
  await makeTask(api.db, {
    processInstanceId: instance,
    childId: child.id,
    localityId: BIRMINGHAM,
    candidateGroups: ['caseworker'],
    dueAt: new Date(Date.now() - 3600_000),
    ...(path === 'mine' ? { assignee: caseworker.user.username } : {}),
  });
  if (path === 'escalated')
    await select(api.db, `UPDATE human_tasks SET escalated_at = now() WHERE child_id = $1 RETURNING id`, [child.id]);
  // Due today: an hour ago can be yesterday just after midnight in London; due in a minute is today.
  if (path === 'due-today')
    await select(
      api.db,
      `UPDATE human_tasks SET due_at = now() + interval '1 minute' WHERE child_id = $1 RETURNING id`,
      [child.id],
    );
  return { as: caseworker, method: 'get' as const, path: `/api/tasks/queues/${path}?limit=100`, child };
};

const openTask = async (claimed: boolean) => {
  const child = await birminghamChild();
  const task = await makeTask(api.db, {
    processInstanceId: await makeProcessInstance(api.db, 'audit-task'),
    childId: child.id,
    localityId: BIRMINGHAM,
    candidateGroups: ['caseworker'],
    ...(claimed ? { assignee: caseworker.user.username } : {}),
  });
  return { child, task };
};

const ROUTES: Record<string, Classification> = {
  'POST /auth/login': { notChildData: 'signs a member of staff in' },
  'POST /auth/logout': { notChildData: 'signs out' },
  'GET /auth/oidc/login': { notChildData: 'starts a sign-in' },
  'GET /auth/oidc/callback': { notChildData: 'finishes a sign-in' },
  'GET /auth/me': { notChildData: "the caller's own account" },
  'GET /auth/options': { notChildData: 'how staff can sign in' },
  'GET /localities': { notChildData: "the region's localities (reference data)" },
  'GET /tasks/queues/counts': { notChildData: 'how many tasks each queue holds; names no child' },
  'GET /safeguarding/summary': { notChildData: "counts of what waits in the lead's localities; names no child" },
  'GET /safeguarding/workload': { notChildData: 'tasks held per member of staff and team; names no child' },
  'GET /openapi.json': { notChildData: 'the API description' },
  'GET /mailbox': {
    notChildData: 'the embedded SMTP server’s copy of mail already sent to GP practices (audited as mailbox.read)',
  },
  'GET /mailbox/:id': { notChildData: 'one message of the embedded SMTP server (audited as mailbox.read)' },
  'GET /reports/coverage': {
    notChildData: 'immunisation coverage counts per locality and vaccine; names no child (audited as report.coverage)',
  },
  'POST /process-definitions': { notChildData: 'deploys a diagram' },
  'GET /process-definitions': { notChildData: 'definitions, not instances' },
  'GET /process-definitions/:key/versions': { notChildData: 'definitions, not instances' },
  'GET /process-definitions/:key/versions/:version': { notChildData: 'definitions, not instances' },
  'GET /process-definitions/:key/xml': { notChildData: 'definitions, not instances' },
  'GET /process-definitions/:key/versions/:version/element-stats': {
    notChildData: 'counts of instances per element of a version, naming no instance or child',
  },
  'GET /process-definitions/candidate-groups': { notChildData: 'the teams and roles a task may name' },
  'GET /process-definitions/element-templates': { notChildData: 'the activity catalogue as modeller templates' },
  'POST /process-definitions/validate': { notChildData: 'checks a diagram without deploying it' },
  'GET /process-definitions/:key/versions/:version/xml': { notChildData: 'definitions, not instances' },

  'GET /children': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/children?nhsNumber=${child.nhsNumber}`, child };
    },
  },
  'GET /children/:nhsNumber': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/children/${child.nhsNumber}`, child };
    },
  },
  'GET /children/:nhsNumber/timeline': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/children/${child.nhsNumber}/timeline`, child };
    },
  },
  'GET /children/:nhsNumber/schedule': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/children/${child.nhsNumber}/schedule`, child };
    },
  },
  'GET /children/:nhsNumber/screening': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/children/${child.nhsNumber}/screening`, child };
    },
  },
  'GET /tasks/queues/escalated': { childData: queue('escalated') },
  'GET /tasks/:id/assignees': {
    childData: async () => {
      const { child, task } = await openTask(false);
      return { as: lead, method: 'get', path: `/api/tasks/${task.id}/assignees`, child };
    },
  },
  'GET /children/:nhsNumber/tasks': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/children/${child.nhsNumber}/tasks`, child };
    },
  },
  'GET /tasks/queues/mine': { childData: queue('mine') },
  'GET /tasks/queues/unclaimed': { childData: queue('unclaimed') },
  'GET /tasks/queues/overdue': { childData: queue('overdue') },
  'GET /tasks/queues/due-today': { childData: queue('due-today') },
  'GET /tasks/queues/locality/:code': { childData: queue('locality/birmingham') },
  'GET /tasks/queues/process/:key': { childData: queue('process/audit-queue') },
  'GET /tasks/:id': {
    childData: async () => {
      const { child, task } = await openTask(false);
      return { as: caseworker, method: 'get', path: `/api/tasks/${task.id}`, child };
    },
  },
  'POST /tasks/:id/claim': {
    childData: async () => {
      const { child, task } = await openTask(false);
      return { as: caseworker, method: 'post', path: `/api/tasks/${task.id}/claim`, body: {}, child };
    },
  },
  'POST /tasks/:id/unclaim': {
    childData: async () => {
      const { child, task } = await openTask(true);
      return { as: caseworker, method: 'post', path: `/api/tasks/${task.id}/unclaim`, body: {}, child };
    },
  },
  'POST /tasks/:id/assign': {
    childData: async () => {
      const { child, task } = await openTask(false);
      const body = { assignee: caseworker.user.username };
      return { as: lead, method: 'post', path: `/api/tasks/${task.id}/assign`, body, child };
    },
  },
  'POST /tasks/:id/complete': {
    childData: async () => {
      const child = await birminghamChild();
      const { taskId } = await reviewInstance(child);
      await caseworker.agent.post(`/api/tasks/${taskId}/claim`).set('X-CSRF-Token', caseworker.csrf).send({});
      return { as: caseworker, method: 'post', path: `/api/tasks/${taskId}/complete`, body: { data: {} }, child };
    },
  },
  'GET /concerns': {
    childData: async () => {
      const child = await birminghamChild();
      await concernAbout(child);
      return { as: lead, method: 'get', path: '/api/concerns?limit=100', child };
    },
  },
  'POST /children/:nhsNumber/concerns': {
    childData: async () => {
      const child = await birminghamChild();
      const body = { summary: 'Was Not Brought to two appointments' };
      return { as: caseworker, method: 'post', path: `/api/children/${child.nhsNumber}/concerns`, body, child };
    },
  },
  'POST /children/:nhsNumber/merges': {
    childData: async () => {
      // Two records PDS says are one child (linked as pds-lookup.ts links them); a records caseworker merges them.
      const [child, duplicate] = [await birminghamChild(), await birminghamChild()];
      await select(
        api.db,
        'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
        [duplicate.nhsNumber, child.id, child.nhsNumber],
      );
      const records = await signIn(
        api.app,
        await makeStaff(api.db, 'caseworker', { teamCodes: [await makeTeam(api.db, BIRMINGHAM, 'records')] }),
      );
      const body = { mergedNhsNumber: duplicate.nhsNumber, reason: 'PDS superseded the number: one child' };
      return { as: records, method: 'post', path: `/api/children/${child.nhsNumber}/merges`, body, child };
    },
  },
  'GET /concerns/:id': {
    childData: async () => {
      const child = await birminghamChild();
      return { as: caseworker, method: 'get', path: `/api/concerns/${await concernAbout(child)}`, child };
    },
  },
  'POST /concerns/:id/notes': {
    childData: async () => {
      const child = await birminghamChild();
      const path = `/api/concerns/${await concernAbout(child)}/notes`;
      return { as: caseworker, method: 'post', path, body: { text: 'Spoke to the school nurse' }, child };
    },
  },
  'POST /concerns/:id/escalate': {
    childData: async () => {
      const child = await birminghamChild();
      const path = `/api/concerns/${await concernAbout(child)}/escalate`;
      return { as: caseworker, method: 'post', path, body: { reason: 'A second injury reported' }, child };
    },
  },
  'POST /concerns/:id/close': {
    childData: async () => {
      const child = await birminghamChild();
      const path = `/api/concerns/${await concernAbout(child)}/close`;
      const body = { outcome: 'no_further_action', note: 'Explained by a fall at nursery' };
      return { as: lead, method: 'post', path, body, child };
    },
  },
  'GET /alerts/break-glass': {
    childData: async () => {
      const child = await birminghamChild();
      const outsider = await makeStaff(api.db, 'caseworker', { localityIds: [COVENTRY] });
      await breakGlass(api.db, staffActor(outsider, REASON), child, 'child.read');
      return { as: lead, method: 'get', path: '/api/alerts/break-glass?limit=100', child };
    },
  },
  'POST /alerts/break-glass/:id/acknowledge': {
    childData: async () => {
      const child = await birminghamChild();
      const outsider = await makeStaff(api.db, 'caseworker', { localityIds: [COVENTRY] });
      await breakGlass(api.db, staffActor(outsider, REASON), child, 'child.read');
      const alert = await selectOne<{ id: string }>(api.db, 'SELECT id FROM break_glass_alerts WHERE child_id = $1', [
        child.id,
      ]);
      return { as: lead, method: 'post', path: `/api/alerts/break-glass/${alert!.id}/acknowledge`, child };
    },
  },
  'GET /audit': {
    notChildData: 'the audit trail itself, for administrators; each read is audited as audit.read with its filter',
  },
  'POST /events/birth-notifications': {
    childData: event('birth-notifications', async (child) => ({
      nhsNumber: child.nhsNumber,
      givenName: 'Ada',
      familyName: 'Audit',
      dateOfBirth: yesterday(),
      timeOfBirth: '08:30',
      sex: 'female',
      mother: { name: 'Mum Audit' },
      address: { lines: ['1 Audit Road'], postcode: 'B15 2TT' },
      gpPracticeCode: await practice(),
      maternityUnit: 'Audit Unit',
    })),
  },
  'POST /events/address-changes': {
    childData: event('address-changes', (child) => ({
      nhsNumber: child.nhsNumber,
      address: { lines: ['2 Audit Road'], postcode: 'B15 2TT' },
    })),
  },
  'POST /events/gp-changes': {
    childData: event('gp-changes', async (child) => ({ nhsNumber: child.nhsNumber, gpPracticeCode: await practice() })),
  },
  'POST /events/inbound-transfers': {
    childData: event('inbound-transfers', (child) => ({
      nhsNumber: child.nhsNumber,
      fromChis: 'Other CHIS',
      givenName: 'Tom',
      familyName: 'Audit',
      dateOfBirth: '2024-01-01',
      sex: 'male',
      address: { lines: ['3 Audit Road'], postcode: 'B15 2TT' },
    })),
  },
  'POST /events/immunisations': {
    childData: event('immunisations', (child) => ({
      nhsNumber: child.nhsNumber,
      vaccine: 'menb',
      dose: 1,
      givenOn: yesterday(),
      givenBy: 'Practice nurse',
    })),
  },
  'POST /events/screening-outcomes': {
    childData: event('screening-outcomes', (child) => ({
      nhsNumber: child.nhsNumber,
      programme: 'hearing',
      outcome: 'clear_response',
      recordedOn: yesterday(),
    })),
  },
  'POST /events/appointment-outcomes': {
    childData: event('appointment-outcomes', (child) => ({
      nhsNumber: child.nhsNumber,
      kind: 'health_visit',
      date: yesterday(),
      outcome: 'attended',
    })),
  },
  'POST /events/child-protection-alerts': {
    childData: event('child-protection-alerts', (child) => ({
      nhsNumber: child.nhsNumber,
      type: 'looked_after',
      startDate: yesterday(),
      localAuthority: 'Audit Council',
    })),
  },
  'POST /events/death-notifications': {
    childData: event('death-notifications', (child) => ({ nhsNumber: child.nhsNumber, dateOfDeath: yesterday() })),
  },
  'GET /events/:id': {
    childData: async () => {
      const child = await birminghamChild();
      const res = await feed.agent
        .post('/api/events/appointment-outcomes')
        .set('X-CSRF-Token', feed.csrf)
        .send({ nhsNumber: child.nhsNumber, kind: 'health_visit', date: yesterday(), outcome: 'attended' });
      if (res.status !== 202) throw new Error(`event refused: ${res.status} ${JSON.stringify(res.body)}`);
      return { as: feed, method: 'get', path: `/api/events/${res.body.eventId}`, child };
    },
  },
  'POST /process-instances': {
    childData: async () => {
      const child = await birminghamChild();
      const body = { key: 'audit-review', businessKey: child.nhsNumber, variables: {} };
      return { as: manager, method: 'post', path: '/api/process-instances', body, child };
    },
  },
  'GET /process-instances': {
    childData: async () => {
      const child = await birminghamChild();
      await reviewInstance(child);
      return { as: manager, method: 'get', path: `/api/process-instances?businessKey=${child.nhsNumber}`, child };
    },
  },
  'GET /process-instances/:id': {
    childData: async () => {
      const child = await birminghamChild();
      const { id } = await reviewInstance(child);
      return { as: manager, method: 'get', path: `/api/process-instances/${id}`, child };
    },
  },
  'POST /process-instances/:id/cancel': {
    childData: async () => {
      const child = await birminghamChild();
      const { id } = await reviewInstance(child);
      const body = { reason: 'Referred elsewhere' };
      return { as: manager, method: 'post', path: `/api/process-instances/${id}/cancel`, body, child };
    },
  },
  'POST /process-instances/:id/messages': {
    childData: async () => {
      const child = await birminghamChild();
      const { id } = await reviewInstance(child);
      const body = { name: 'resultArrived' };
      return { as: manager, method: 'post', path: `/api/process-instances/${id}/messages`, body, child };
    },
  },
  'POST /process-instances/:id/incidents/:incidentId/retry': {
    childData: async () => {
      const child = await birminghamChild();
      deriveFails = true;
      const started = await manager.agent
        .post('/api/process-instances')
        .set('X-CSRF-Token', manager.csrf)
        .send({ key: 'audit-incident', businessKey: child.nhsNumber, variables: { postcode: 'B15 2TT' } });
      const id = String(started.body.id);
      const state = await eventually(
        async () => (await admin.agent.get(`/api/process-instances/${id}`)).body,
        (b) => (b.state?.incidents?.length ?? 0) > 0,
        'the incident',
      );
      deriveFails = false;
      const path = `/api/process-instances/${id}/incidents/${state.state.incidents[0].id}/retry`;
      return { as: admin, method: 'post', path, body: {}, child };
    },
  },
  'POST /messages': {
    childData: async () => {
      const child = await birminghamChild();
      const body = { name: 'resultArrived', correlationKey: child.nhsNumber, messageId: randomUUID() };
      return { as: manager, method: 'post', path: '/api/messages', body, child };
    },
  },
};

const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

beforeAll(async () => {
  api = await startProcessApi(
    {
      'child.deriveLocality': async () => {
        if (deriveFails) throw new Error('gazetteer unavailable');
        return { locality: 'birmingham', inRegion: true };
      },
    },
    { requireClosedHistory: false },
  );
  caseworker = await signIn(api.app, await makeStaff(api.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
  lead = await signIn(api.app, await makeStaff(api.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
  manager = await signIn(api.app, await makeStaff(api.db, 'service_manager', { localityIds: [BIRMINGHAM] }));
  admin = await signIn(api.app, await makeStaff(api.db, 'administrator', { localityIds: [BIRMINGHAM] }));
  feed = await signIn(api.app, await makeStaff(api.db, 'integration', { localityIds: [] }));
  for (const xml of [reviewProcess, incidentDiagram('audit-incident')]) {
    const res = await manager.agent
      .post('/api/process-definitions')
      .set('X-CSRF-Token', manager.csrf)
      .set('Content-Type', 'application/xml')
      .send(xml);
    if (res.status !== 201) throw new Error(`deploy failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}, 180_000);
afterAll(() => api?.close(), 180_000);

test('every route is classified: child data, or why not', () => {
  const declared = CASE_WORK_ROUTES.map(key).sort();
  expect(Object.keys(ROUTES).sort()).toEqual(declared);
});

const childDataRoutes = Object.entries(ROUTES).filter(
  (e): e is [string, { childData: () => Promise<ChildDataCall> }] => 'childData' in e[1],
);

test.each(childDataRoutes)('%s writes an audit row naming the child', async (_route, { childData }) => {
  const call = await childData();
  const before = (await selectOne<{ id: string | null }>(api.db, 'SELECT max(id) AS id FROM audit_events'))!.id ?? '0';
  const request = call.as.agent[call.method](call.path);
  const res =
    call.method === 'post' ? await request.set('X-CSRF-Token', call.as.csrf).send(call.body ?? {}) : await request;
  expect(res.status < 300 ? 'answered' : `${res.status} ${JSON.stringify(res.body)}`).toBe('answered');
  const rows = await select<{ action: string; actorUsername: string }>(
    api.db,
    `SELECT action, actor_username FROM audit_events
     WHERE id > $1 AND (child_id = $2 OR child_ids @> ARRAY[$2::bigint]) ORDER BY id`,
    [before, call.child.id],
  );
  expect(rows.map((r) => r.actorUsername)).toContain(call.as.user.username);
});
