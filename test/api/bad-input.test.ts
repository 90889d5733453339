import { raiseConcernAs } from '../support/fixtures';
import {
  BIRMINGHAM,
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

const TABLES = [
  'audit_events',
  'sessions',
  'safeguarding_concerns',
  'safeguarding_concern_notes',
  'break_glass_alerts',
  'children',
];

describe('bad input: 4xx problem+json naming the problem, never a 500, nothing written', () => {
  let h: CaseWorkHarness;
  let lead: SignedIn;
  let nhs: string;
  let taskId: string;
  let concernId: string;
  beforeAll(async () => {
    h = await startCaseWork('api_bad_input');
    lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
    const child = await makeChild(h.db, BIRMINGHAM);
    nhs = child.nhsNumber;
    const task = await makeTask(h.db, {
      processInstanceId: await makeProcessInstance(h.db),
      localityId: BIRMINGHAM,
      candidateGroups: ['safeguarding_lead'],
      assignee: lead.user.username,
      form: { fields: [{ key: 'decision', type: 'radio', required: true, options: ['close', 'monitor', 'refer'] }] },
    });
    taskId = task.id;
    concernId = (await raiseConcernAs(h.db, lead.user, child.id, 'Existing concern')).concernId;
  });
  afterAll(() => h.close());

  const counts = async () =>
    Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await countRows(h.db, t)])));

  type Case = {
    name: string;
    method: 'get' | 'post';
    path: () => string;
    body?: string | object;
    type?: string;
    status: number;
    errors?: Array<{ field: string; message: string | RegExp }>;
  };

  const CASES: Case[] = [
    {
      name: 'malformed JSON (login)',
      method: 'post',
      path: () => '/api/auth/login',
      body: '{"username": "a",',
      type: 'application/json',
      status: 400,
      errors: [{ field: 'body', message: 'is not valid JSON' }],
    },
    {
      name: 'malformed JSON (concern)',
      method: 'post',
      path: () => `/api/children/${nhs}/concerns`,
      body: '{summary:',
      type: 'application/json',
      status: 400,
      errors: [{ field: 'body', message: 'is not valid JSON' }],
    },
    {
      name: 'a JSON string instead of an object',
      method: 'post',
      path: () => `/api/concerns/${concernId}/notes`,
      body: '"hello"',
      type: 'application/json',
      status: 400,
    },
    {
      name: 'a JSON array instead of an object',
      method: 'post',
      path: () => `/api/concerns/${concernId}/notes`,
      body: '[1,2]',
      type: 'application/json',
      status: 400,
      errors: [{ field: 'body', message: /expected object/ }],
    },
    {
      name: 'text/plain instead of JSON',
      method: 'post',
      path: () => `/api/concerns/${concernId}/notes`,
      body: 'text=hello',
      type: 'text/plain',
      status: 400,
      errors: [{ field: 'body.text', message: /expected string/ }],
    },
    {
      name: 'wrong type (login username)',
      method: 'post',
      path: () => '/api/auth/login',
      body: { username: 5, password: 'x' },
      status: 400,
      errors: [{ field: 'body.username', message: /expected string, received number/ }],
    },
    {
      name: 'wrong type (assignee)',
      method: 'post',
      path: () => `/api/tasks/${taskId}/assign`,
      body: { assignee: 7 },
      status: 400,
      errors: [{ field: 'body.assignee', message: /expected string/ }],
    },
    {
      name: 'wrong type (form data)',
      method: 'post',
      path: () => `/api/tasks/${taskId}/complete`,
      body: { data: 'close' },
      status: 400,
      errors: [{ field: 'body.data', message: /expected record/ }],
    },
    {
      name: 'wrong type in form data',
      method: 'post',
      path: () => `/api/tasks/${taskId}/complete`,
      body: { data: { decision: true } },
      status: 400,
      errors: [{ field: 'body.data.decision', message: 'must be one of the options' }],
    },
    {
      name: 'wrong type (expectedVersion)',
      method: 'post',
      path: () => `/api/tasks/${taskId}/claim`,
      body: { expectedVersion: '1' },
      status: 400,
      errors: [{ field: 'body.expectedVersion', message: /expected number/ }],
    },
    {
      name: 'wrong type (query limit)',
      method: 'get',
      path: () => '/api/tasks/queues/mine?limit=ten',
      status: 400,
      errors: [{ field: 'query.limit', message: 'must be a number' }],
    },
    {
      name: 'out of range (query limit)',
      method: 'get',
      path: () => '/api/tasks/queues/mine?limit=1000',
      status: 400,
      errors: [{ field: 'query.limit', message: 'must be at most 100' }],
    },
    {
      name: 'repeated query parameter',
      method: 'get',
      path: () => '/api/tasks/queues/mine?limit=1&limit=2',
      status: 400,
    },
    {
      name: 'oversized body',
      method: 'post',
      path: () => `/api/concerns/${concernId}/notes`,
      body: { text: 'x'.repeat(300_000) },
      status: 413,
    },
    {
      name: 'note longer than allowed',
      method: 'post',
      path: () => `/api/concerns/${concernId}/notes`,
      body: { text: 'x'.repeat(10_001) },
      status: 400,
      errors: [{ field: 'body.text', message: 'must be at most 10000 characters' }],
    },
    {
      name: 'unknown body field',
      method: 'post',
      path: () => '/api/auth/login',
      body: { username: 'a.b.c', password: 'x', role: 'administrator' },
      status: 400,
      errors: [{ field: 'body.role', message: 'is not an allowed field' }],
    },
    {
      name: 'unknown body field (concern)',
      method: 'post',
      path: () => `/api/children/${nhs}/concerns`,
      body: { summary: 'S', status: 'closed' },
      status: 400,
      errors: [{ field: 'body.status', message: 'is not an allowed field' }],
    },
    {
      name: 'body on a route that takes none',
      method: 'post',
      path: () => '/api/alerts/break-glass/1/acknowledge',
      body: { force: true },
      status: 400,
      errors: [{ field: 'body.force', message: 'is not an allowed field' }],
    },
    {
      name: 'unknown query parameter',
      method: 'get',
      path: () => '/api/tasks/queues/mine?sort=id',
      status: 400,
      errors: [{ field: 'query.sort', message: 'is not an allowed field' }],
    },
    {
      name: 'NHS number too short',
      method: 'get',
      path: () => '/api/children/123',
      status: 400,
      errors: [{ field: 'params.nhsNumber', message: 'must be 10 digits long, got 3' }],
    },
    {
      name: 'NHS number with letters',
      method: 'get',
      path: () => '/api/children/94347659AB',
      status: 400,
      errors: [{ field: 'params.nhsNumber', message: 'must contain digits only' }],
    },
    {
      name: 'NHS number with a wrong check digit',
      method: 'get',
      path: () => '/api/children/9434765918/timeline',
      status: 400,
      errors: [{ field: 'params.nhsNumber', message: 'has a wrong check digit' }],
    },
    {
      name: 'NHS number whose check value is 10',
      method: 'post',
      path: () => '/api/children/1000000010/concerns',
      body: { summary: 'S' },
      status: 400,
      errors: [{ field: 'params.nhsNumber', message: /check value is 10/ }],
    },
    {
      name: 'invalid NHS number in a search',
      method: 'get',
      path: () => '/api/children?nhsNumber=0000000001',
      status: 400,
      errors: [{ field: 'query.nhsNumber', message: 'has a wrong check digit' }],
    },
    {
      name: 'impossible date of birth',
      method: 'get',
      path: () => '/api/children?familyName=Smith&dateOfBirth=2025-02-30',
      status: 400,
      errors: [{ field: 'query.dateOfBirth', message: 'must be a date as YYYY-MM-DD' }],
    },
    {
      name: 'unknown child',
      method: 'post',
      path: () => '/api/children/9434765919/concerns',
      body: { summary: 'S' },
      status: 404,
    },
    {
      name: 'unknown task',
      method: 'post',
      path: () => '/api/tasks/6f1c3a2e-0000-4000-8000-000000000000/claim',
      body: {},
      status: 404,
    },
    {
      name: 'malformed task id',
      method: 'post',
      path: () => '/api/tasks/1;DROP TABLE human_tasks/claim',
      body: {},
      status: 400,
      errors: [{ field: 'params.id', message: 'must be a task id (UUID)' }],
    },
    {
      name: 'unknown concern',
      method: 'post',
      path: () => '/api/concerns/987654321/escalate',
      body: { reason: 'Because' },
      status: 404,
    },
    {
      name: 'malformed concern id',
      method: 'get',
      path: () => '/api/concerns/-1',
      status: 400,
      errors: [{ field: 'params.id', message: 'must be a concern id' }],
    },
    { name: 'unknown alert', method: 'post', path: () => '/api/alerts/break-glass/987654321/acknowledge', status: 404 },
    { name: 'unknown route', method: 'post', path: () => '/api/children/9434765919/delete', body: {}, status: 404 },
  ];

  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await counts();
    let req = lead.agent[c.method](c.path()).set('X-CSRF-Token', lead.csrf);
    if (c.type) req = req.set('Content-Type', c.type);
    const res = c.body === undefined ? await req : await req.send(c.body as object);
    expect(res.status).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: c.status, title: expect.any(String) });
    if (c.errors) {
      expect(res.body.errors).toEqual(
        c.errors.map((e) => ({
          field: e.field,
          message: typeof e.message === 'string' ? e.message : expect.stringMatching(e.message),
        })),
      );
    }
    // Login attempts are recorded only for well-formed logins; none of these reached the handler's writes.
    expect(await counts()).toEqual(before);
  });

  test('the task is untouched by all of the above', async () => {
    const res = await lead.agent.get(`/api/tasks/${taskId}`);
    expect(res.body).toMatchObject({ status: 'claimed', assignee: lead.user.username, rowVersion: 1, data: null });
  });
});
