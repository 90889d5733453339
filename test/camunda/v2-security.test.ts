/**
 * The Camunda REST API (/v2) under the same security as /api: the start contract (no forged
 * starts at message start events, by create or by message), the message contract (system
 * messages, corrections, key-derived variables), the legitimate-relationship rule on user tasks
 * and jobs, audit rows committed before the engine is told, and 4xx (never 5xx) for bad input.
 */
import { QueryTypes } from 'sequelize';
import { addCondition, newFilter, orderOf, UnsupportedSearch } from '../../records/search-filter';
import { select, selectOne } from '../../records/sql';
import type { StaffPrincipal } from '../../records/staff';
import { COVENTRY, makeChild, makeProcessInstance, makeStaff, makeTask, PASSWORD } from '../api/support/case-work';
import { startCamundaStack, type CamundaStack } from './support/camunda-stack';

let stack: CamundaStack;

beforeAll(async () => {
  stack = await startCamundaStack();
  await deploy(
    stack.admin,
    'order-received.bpmn',
    `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="order-received" isExecutable="true">
    <bpmn:startEvent id="Received"><bpmn:messageEventDefinition id="MED" messageRef="Msg_Order" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Received" targetRef="Paid" />
    <bpmn:intermediateCatchEvent id="Paid"><bpmn:messageEventDefinition id="MED2" messageRef="Msg_Paid" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Paid" targetRef="Done" />
    <bpmn:endEvent id="Done" />
  </bpmn:process>
  <bpmn:message id="Msg_Order" name="order-received" />
  <bpmn:message id="Msg_Paid" name="order-paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
</bpmn:definitions>`,
  );
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const auth = (user: StaffPrincipal) => `Basic ${Buffer.from(`${user.username}:${PASSWORD}`).toString('base64')}`;

async function call(
  user: StaffPrincipal,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.address}/v2${path}`, {
    method,
    headers: {
      authorization: auth(user),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function deploy(user: StaffPrincipal, name: string, xml: string): Promise<void> {
  const form = new FormData();
  form.append('resources', new File([xml], name, { type: 'application/xml' }));
  const res = await fetch(`${stack.address}/v2/deployments`, {
    method: 'POST',
    headers: { authorization: auth(user) },
    body: form,
  });
  if (res.status !== 200) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
}

const instanceCount = async () =>
  Number((await selectOne<{ n: string }>(stack.db, 'SELECT count(*) AS n FROM process_instances'))!.n);

/** The audit rows of an action, oldest first. */
const auditOf = (action: string) =>
  select<{ actorUsername: string; detail: Record<string, unknown> }>(
    stack.db,
    'SELECT actor_username, detail FROM audit_events WHERE action = $1 ORDER BY id',
    [action],
  );

async function settled(): Promise<void> {
  await new Promise((r) => setTimeout(r, 500));
}

describe('the start contract on /v2', () => {
  test('a process that starts only at a message: no staff role creates an instance of it', async () => {
    const before = await instanceCount();
    for (const user of [stack.admin, stack.manager]) {
      const res = await call(user, 'POST', '/process-instances', { processDefinitionId: 'order-received' });
      expect({ status: res.status, detail: res.body.detail }).toEqual({
        status: 403,
        detail: expect.stringMatching(/may not start order-received at Received \(a message start event\)/),
      });
    }
    await settled();
    expect(await instanceCount()).toBe(before);
  });

  test('a message that starts a process: only from the account the start event allows; audited before delivery', async () => {
    const before = await instanceCount();
    for (const [user, path] of [
      [stack.admin, '/messages/publication'],
      [stack.manager, '/messages/correlation'],
    ] as const) {
      const res = await call(user, 'POST', path, { name: 'order-received', correlationKey: 'O-1', variables: {} });
      expect({ status: res.status, detail: res.body.detail }).toEqual({
        status: 403,
        detail: expect.stringMatching(/may not start order-received at Received \(a message start event\)/),
      });
    }
    await settled();
    expect(await instanceCount()).toBe(before);
    expect(await auditOf('message.publish')).toEqual([]);

    // Key-derived variables are never the sender's to set.
    const forged = await call(stack.worker, 'POST', '/messages/publication', {
      name: 'order-received',
      correlationKey: 'O-1',
      variables: { nhsNumber: '9990000018' },
    });
    expect(forged.status).toBe(422);
    expect(forged.body.detail).toMatch(/body\.variables\.nhsNumber/);

    const ok = await call(stack.worker, 'POST', '/messages/correlation', {
      name: 'order-received',
      correlationKey: 'O-1',
      variables: { orderId: 'O-1' },
    });
    expect(ok.status).toBe(200);
    expect(await instanceCount()).toBe(before + 1);
    const [row] = await auditOf('message.correlate');
    expect(row).toMatchObject({
      actorUsername: stack.worker.username,
      detail: { correlationKey: 'O-1', instances: [], starts: ['order-received:1'], api: 'v2' },
    });
  });

  test('a message this system publishes itself is refused on /v2 as on /api, for every role', async () => {
    for (const user of [stack.admin, stack.manager, stack.worker]) {
      const res = await call(user, 'POST', '/messages/publication', {
        name: 'birthNotified',
        correlationKey: '9990000018',
        variables: {},
      });
      expect({ status: res.status, detail: res.body.detail }).toEqual({
        status: 403,
        detail: expect.stringMatching(/may not publish birthNotified: it comes only from POST \/api\/events/),
      });
    }
  });

  test('a correction to a waiting instance: service managers and administrators only', async () => {
    const res = await call(stack.worker, 'POST', '/messages/publication', {
      name: 'order-paid',
      correlationKey: 'O-1',
      variables: {},
    });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/starts no process, and only service_manager, administrator send corrections/);
    const corrected = await call(stack.manager, 'POST', '/messages/correlation', {
      name: 'order-paid',
      correlationKey: 'O-1',
      variables: { paid: true },
    });
    expect(corrected.status).toBe(200);
    const [row] = await auditOf('message.correlate').then((rows) =>
      rows.filter((r) => r.actorUsername === stack.manager.username),
    );
    expect(row.detail).toMatchObject({ instances: [expect.any(String)], starts: [] });
  });
});

describe('the legitimate-relationship rule on /v2 user tasks', () => {
  test('a task about a child of another locality: hidden from search, readable only with a reason (break glass), never assigned to someone without a relationship', async () => {
    const child = await makeChild(stack.db, COVENTRY);
    const instanceId = await makeProcessInstance(stack.db, `v2-rel-${Date.now()}`);
    // The instance row needs a key and definition for the keyed views: makeProcessInstance gives both.
    const task = await makeTask(stack.db, {
      processInstanceId: instanceId,
      businessKey: child.nhsNumber,
      childId: child.id,
      localityId: COVENTRY,
    });
    const { key } = (await selectOne<{ key: string }>(
      stack.db,
      'SELECT key::text AS key FROM human_tasks WHERE id = $1',
      [task.id],
    ))!;
    // The administrator is of Birmingham: no relationship with a Coventry child.
    const found = await call(stack.admin, 'POST', '/user-tasks/search', { filter: { userTaskKey: key } });
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([]);

    const refused = await call(stack.admin, 'GET', `/user-tasks/${key}`);
    expect(refused.status).toBe(403);
    const read = await call(stack.admin, 'GET', `/user-tasks/${key}`, undefined, {
      'x-access-reason': 'Checking a reported safeguarding concern',
    });
    expect(read.status).toBe(200);
    const glass = await select<{ action: string }>(
      stack.db,
      `SELECT action FROM audit_events WHERE child_id = $1 AND action = 'child.break_glass'`,
      [child.id],
    );
    expect(glass).toHaveLength(1);

    const birminghamWorker = await makeStaff(stack.db, 'caseworker');
    const assigned = await call(
      stack.admin,
      'POST',
      `/user-tasks/${key}/assignment`,
      { assignee: birminghamWorker.username },
      { 'x-access-reason': 'Reassigning the task' },
    );
    expect(assigned.status).toBe(400);
    expect(assigned.body.detail).toMatch(/may not be given this task/);
    const row = await selectOne<{ assignee: string | null }>(
      stack.db,
      'SELECT assignee FROM human_tasks WHERE id = $1',
      [task.id],
    );
    expect(row!.assignee).toBeNull();
  });
});

describe('searches on /v2', () => {
  test('filters with advanced operators, sorts and a page limit; an operator or sort field not taken is a 400', async () => {
    const processKey = `v2-search-${Date.now()}`;
    const ids = [await makeProcessInstance(stack.db, processKey), await makeProcessInstance(stack.db, processKey)];
    const keys = (
      await select<{ key: string }>(
        stack.db,
        'SELECT key::text AS key FROM process_instances WHERE id = ANY($1) ORDER BY key',
        [ids],
      )
    ).map((r) => r.key);
    const search = (body: unknown) => call(stack.admin, 'POST', '/process-instances/search', body);
    const itemKeys = (res: { body: Record<string, unknown> }) =>
      (res.body.items as Array<{ processInstanceKey: string }>).map((i) => i.processInstanceKey);

    const byLike = await search({
      filter: { processDefinitionId: { $like: 'v2-search-*' } },
      sort: [{ field: 'processInstanceKey', order: 'DESC' }],
    });
    expect(byLike.status).toBe(200);
    expect(itemKeys(byLike)).toEqual([...keys].reverse());
    expect(itemKeys(await search({ filter: { processInstanceKey: { $in: keys, $neq: keys[0] } } }))).toEqual([keys[1]]);
    expect(itemKeys(await search({ filter: { processDefinitionId: processKey, endDate: { $exists: true } } }))).toEqual(
      [],
    );
    expect(
      itemKeys(
        await search({
          // Each instance is of its own version (1, 2) of the definition.
          filter: { processDefinitionId: processKey, processDefinitionVersion: { $gt: 1, $lte: 2 } },
        }),
      ),
    ).toEqual([keys[1]]);
    expect(itemKeys(await search({ filter: { processDefinitionId: processKey, tenantId: 'other' } }))).toEqual([]);

    const first = await search({ filter: { processDefinitionId: processKey }, page: { limit: 1 } });
    expect(itemKeys(first)).toEqual([keys[0]]);
    const page = first.body.page as { totalItems: number; endCursor: string };
    expect(page).toMatchObject({ totalItems: 2, endCursor: expect.any(String) });
    // A cursor page goes on from the cursor (Camunda's schema parses it as the first offset page).
    const second = await search({
      filter: { processDefinitionId: processKey },
      page: { limit: 1, after: page.endCursor },
    });
    expect(itemKeys(second)).toEqual([keys[1]]);
    const startCursor = (second.body.page as { startCursor: string }).startCursor;
    const back = await search({ filter: { processDefinitionId: processKey }, page: { limit: 1, before: startCursor } });
    expect(itemKeys(back)).toEqual([keys[0]]);

    // An operator a key filter does not take is refused, not dropped (it matched every instance).
    const badOperator = await search({
      filter: { processDefinitionId: processKey, processInstanceKey: { $gt: keys[0] } },
    });
    expect(badOperator).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining('body.filter.processInstanceKey.$gt') },
    });

    // Sort fields a search does not take are refused (by Camunda's schema or by records/v2-search.ts).
    for (const path of ['/process-instances/search', '/user-tasks/search', '/incidents/search']) {
      const refused = await call(stack.admin, 'POST', path, { sort: [{ field: 'businessKey' }] });
      expect({ path, status: refused.status, detail: refused.body.detail }).toEqual({
        path,
        status: 400,
        detail: expect.not.stringContaining('undefined'),
      });
    }
    // What the schemas let through but records/ does not take is an UnsupportedSearch, answered 400 (router.ts).
    expect(() => addCondition(newFilter(), 'i.key', { $regex: '1.*' })).toThrow(
      new UnsupportedSearch('The filter operator $regex is not supported yet'),
    );
    expect(() => orderOf([{ field: 'businessKey' }], { processInstanceKey: 'i.key' }, 'i.key')).toThrow(
      new UnsupportedSearch('Sorting by businessKey is not supported yet'),
    );
  });
});

describe('bad input on /v2', () => {
  test('malformed bodies and keys are 4xx problems, never 5xx', async () => {
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/process-instances', `{"processDefinitionId": "order-received", "variables": {"a": ${deep}}}`],
      ['POST', '/process-instances', '{"processDefinitionId":'],
      ['POST', '/process-instances', { processDefinitionId: 42 }],
      ['POST', '/messages/publication', { name: 'x'.repeat(10_000), correlationKey: { nested: true } }],
      ['GET', '/process-instances/not-a-key', undefined],
      ['GET', '/process-instances/99999999999999999999999', undefined],
      ['GET', '/user-tasks/%E0%A4%A', undefined],
      ['POST', '/jobs/activation', { type: 'x', maxJobsToActivate: -1, timeout: 'soon' }],
      ['POST', '/jobs/1/completion', []],
      ['PATCH', '/jobs/1', { changeset: { retries: 'many' } }],
    ];
    for (const [method, path, body] of cases) {
      const res = await fetch(`${stack.address}/v2${path}`, {
        method,
        headers: {
          authorization: auth(stack.admin),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      expect({
        method,
        path,
        status: res.status >= 400 && res.status < 500,
        type: res.headers.get('content-type'),
      }).toEqual({
        method,
        path,
        status: true,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(text).not.toMatch(/undefined/);
    }
    const invalidUtf8 = await fetch(`${stack.address}/v2/process-instances`, {
      method: 'POST',
      headers: { authorization: auth(stack.admin), 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    });
    expect(invalidUtf8.status).toBe(400);
    // Deployments: not multipart, a broken multipart body, files that are not what their names say.
    const deployments: Array<[Record<string, string>, string | FormData]> = [
      [{ 'content-type': 'application/json' }, '{"resources": []}'],
      [{ 'content-type': 'multipart/form-data' }, 'no boundary'],
      [
        { 'content-type': 'multipart/form-data; boundary=xyz' },
        '--xyz\r\nContent-Disposition: form-data; name="resources"',
      ],
    ];
    for (const [name, content] of [
      ['broken.bpmn', '<bpmn:definitions'],
      ['broken.dmn', '<definitions xmlns="nope">'],
      ['broken.form', '{"components": '],
      ['notes.txt', 'hello'],
      ['empty.bpmn', ''],
    ]) {
      const form = new FormData();
      form.append('resources', new File([content], name));
      deployments.push([{}, form]);
    }
    for (const [headers, body] of deployments) {
      const res = await fetch(`${stack.address}/v2/deployments`, {
        method: 'POST',
        headers: { authorization: auth(stack.admin), ...headers },
        body,
      });
      const text = await res.text();
      expect({ status: res.status >= 400 && res.status < 500, text }).toEqual({
        status: true,
        text: expect.not.stringMatching(/undefined/),
      });
    }
    // Nothing was started by any of them.
    const rows = await stack.db.sequelize.query(`SELECT 1 FROM audit_events WHERE action = 'process_instance.start'`, {
      type: QueryTypes.SELECT,
    });
    expect(rows).toEqual([]);
  });
});
