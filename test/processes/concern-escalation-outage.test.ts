/**
 * A caseworker raises a safeguarding concern while the process engine is down (the embedded
 * Temporal server SIGKILLed): the concern and the start of its escalation are written together,
 * the answer says the escalation has not started, and the process outbox relay keeps trying.
 * When the server is back, the relay starts the safeguarding-escalation process, once, however
 * many times it (or anyone) delivers again. The same holds for a process started and a message
 * published through the API (POST /api/process-instances, POST /api/messages), and for a process
 * created and a signal broadcast through the Camunda REST API (POST /v2/process-instances,
 * POST /v2/signals/broadcast; a create awaiting its result times out and starts once, later).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import pino from 'pino';
import request from 'supertest';
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { createApp } from '../../api/app';
import type { Database } from '../../db/database';
import { DEMO_PASSWORD, seedRegion } from '../../db/seed';
import { knownCandidateGroups } from '../../records/candidate-groups';
import { deployDefinition } from '../../deployment/deploy-definition';
import type { ProcessOutbox } from '../../engine-client/process-outbox';
import { select, selectOne, type Db } from '../../records/sql';
import { createEngineWorker } from '../../workers/engine-worker';
import type { ProcessOutboxRelay } from '../../workers/process-outbox-relay';
import { caseWorkDependencies, engineActivities, startEngineLoops, type EngineLoops } from '../../system/composition';
import { TEST_AUTH } from '../api/support/case-work';
import { diagram } from '../api/support/process-api';
import { createMigratedDatabase } from '../support/databases';
import { DEFINITIONS_DIR } from '../support/chis-stack';
import { quietRuntime } from '../temporal-conformance/support/env';
import { ServerUnderTest } from '../temporal-crash/server-process';

jest.setTimeout(240_000);

const TASK_QUEUE = 'concern-outage';

/** A plain start (caseworkers start it for a child of their locality) and a user task. */
const VISIT_PROCESS = diagram(
  'outage-visit',
  `
    <bpmn:startEvent id="Start" name="Started"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Visit" />
    <bpmn:userTask id="Visit" name="Visit the family">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="birmingham-safeguarding" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Visit" targetRef="End" />
    <bpmn:endEvent id="End" name="Visited" />`,
);

/** A message start (an integration account's event) and a user task. */
const REFERRAL_PROCESS = diagram(
  'outage-referral',
  `
    <bpmn:startEvent id="Start" name="Referral received">
      <bpmn:outgoing>F1</bpmn:outgoing>
      <bpmn:messageEventDefinition id="Med_Referral" messageRef="Msg_Referral" />
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Triage" />
    <bpmn:userTask id="Triage" name="Triage the referral">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="birmingham-safeguarding" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Triage" targetRef="End" />
    <bpmn:endEvent id="End" name="Triaged" />`,
  `<bpmn:message id="Msg_Referral" name="outageReferral" />`,
);
/** Started by a signal (broadcast through /v2), then a user task. */
const RECALL_PROCESS = diagram(
  'outage-recall',
  `
    <bpmn:startEvent id="Start" name="Recall signalled">
      <bpmn:outgoing>F1</bpmn:outgoing>
      <bpmn:signalEventDefinition id="Sed_Recall" signalRef="Sig_Recall" />
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Check" />
    <bpmn:userTask id="Check" name="Check the recalled batch">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="birmingham-safeguarding" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Check" targetRef="End" />
    <bpmn:endEvent id="End" name="Checked" />`,
  `<bpmn:signal id="Sig_Recall" name="outageRecall" />`,
);
let database: Database;
let db: Db;
let server: ServerUnderTest;
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let workerRunning: Promise<void>;
let outbox: ProcessOutbox;
let relay: ProcessOutboxRelay;
let loops: EngineLoops;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  quietRuntime('ERROR'); // the worker's pollers complain while the server is down, by design
  database = await createMigratedDatabase('concern_outage');
  db = { sequelize: database.sequelize };
  await seedRegion(database.sequelize, { children: 20, concurrency: 1 });
  const xml = await readFile(join(DEFINITIONS_DIR, 'safeguarding-escalation.bpmn'), 'utf8');
  const deployed = await deployDefinition(database.sequelize, xml, {
    activityTypes: ACTIVITY_TYPES,
    candidateGroups: await knownCandidateGroups(database.sequelize),
  });
  if (deployed.status === 'refused') throw new Error(`not deployed: ${JSON.stringify(deployed.problems)}`);
  for (const fixture of [VISIT_PROCESS, REFERRAL_PROCESS, RECALL_PROCESS]) {
    const outcome = await deployDefinition(database.sequelize, fixture, {
      activityTypes: ACTIVITY_TYPES,
      candidateGroups: await knownCandidateGroups(database.sequelize),
    });
    if (outcome.status === 'refused') throw new Error(`not deployed: ${JSON.stringify(outcome.problems)}`);
  }

  server = await ServerUnderTest.create();
  await server.start();
  connection = await Connection.connect({ address: server.address });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection });
  const engine = { client, taskQueue: TASK_QUEUE };
  // Wired by the composition root, as npm start wires it; the relay polls fast and leaves no grace.
  loops = startEngineLoops({ db, engine, logger: pino({ level: 'silent' }), relay: { intervalMs: 500, graceMs: 0 } });
  outbox = loops.outbox;
  relay = loops.processRelay;
  worker = await createEngineWorker({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    sequelize: database.sequelize,
    client,
    activities: engineActivities({ sequelize: database.sequelize, client, taskQueue: TASK_QUEUE, outbox }),
  });
  workerRunning = worker.run();
  app = createApp({
    logger: pino({ level: 'silent' }),
    health: {},
    caseWork: caseWorkDependencies({ db, auth: TEST_AUTH, engine }),
  });
});

afterAll(async () => {
  await loops?.processRelay.stop();
  await loops?.reconciliation.stop();
  if (worker) {
    worker.shutdown();
    await workerRunning.catch(() => undefined);
  }
  await nativeConnection?.close();
  await connection?.close();
  await server?.crash();
  await database?.close();
});

const escalations = (childId: string) =>
  select<{ id: string; status: string }>(
    db,
    `SELECT i.id, i.status FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
     WHERE d.key = 'safeguarding-escalation' AND i.business_key = (SELECT nhs_number FROM children WHERE id = $1)`,
    [childId],
  );

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('the engine down while a caseworker raises a concern: the escalation starts once, when it is back', async () => {
  const child = (await selectOne<{ id: string; nhsNumber: string }>(
    db,
    `SELECT c.id, c.nhs_number FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE l.code = 'birmingham' AND NOT EXISTS (SELECT 1 FROM safeguarding_concerns k WHERE k.child_id = c.id)
     ORDER BY c.id LIMIT 1`,
  ))!;
  const agent = request.agent(app);
  const login = await agent.post('/api/auth/login').send({ username: 'cw.birmingham.hv', password: DEMO_PASSWORD });
  expect(login.status).toBe(200);

  await server.crash();
  const raised = await agent
    .post(`/api/children/${child.nhsNumber}/concerns`)
    .set('X-CSRF-Token', login.body.csrfToken)
    .send({ summary: 'Unexplained bruising seen at the 9-month review' });
  expect(raised.status).toBe(201);
  expect(raised.body.escalationStarted).toBe(false);

  // The concern stands, and its escalation waits in the outbox, tried and not delivered.
  const key = `concern:${raised.body.id}`;
  const pending = await until(
    () =>
      selectOne<{ id: string; deliveredAt: Date | null; attempts: number; lastError: string | null }>(
        db,
        'SELECT id, delivered_at, attempts, last_error FROM process_outbox WHERE idempotency_key = $1',
        [key],
      ),
    (row) => row !== null && row.attempts >= 2,
    'the relay to try again while the engine is down',
  );
  expect(pending).toMatchObject({ deliveredAt: null, lastError: expect.any(String) });
  expect(await escalations(child.id)).toEqual([]);

  await server.start();
  const [instance] = await until(
    () => escalations(child.id),
    (rows) => rows.length > 0,
    'the escalation process to start',
  );
  const delivered = await until(
    () =>
      selectOne<{ deliveredAt: Date | null; result: { started: number } | null }>(
        db,
        'SELECT delivered_at, result FROM process_outbox WHERE idempotency_key = $1',
        [key],
      ),
    (row) => row?.deliveredAt != null,
    'the outbox row to be marked delivered',
  );
  expect(delivered!.result).toMatchObject({ started: 1 });

  // Delivered again by hand and by further relay rounds: nothing new starts.
  expect(await outbox.deliver(pending!.id)).toMatchObject({ status: 'delivered-before' });
  expect(await relay.sweep()).toBe(0);
  const task = await until(
    () =>
      select<{ candidateGroups: string[] }>(
        db,
        'SELECT candidate_groups FROM human_tasks WHERE process_instance_id = $1',
        [instance.id],
      ),
    (rows) => rows.length > 0,
    "the safeguarding lead's decision task",
  );
  expect(task).toEqual([{ candidateGroups: ['birmingham-safeguarding'] }]);
  expect(await escalations(child.id)).toEqual([{ id: instance.id, status: 'running' }]);
});

test('the engine down while a process is started and a message published through the API: each happens once, when it is back', async () => {
  const child = (await selectOne<{ id: string; nhsNumber: string }>(
    db,
    `SELECT c.id, c.nhs_number FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE l.code = 'birmingham' ORDER BY c.id DESC LIMIT 1`,
  ))!;
  const signIn = async (username: string) => {
    const agent = request.agent(app);
    const login = await agent.post('/api/auth/login').send({ username, password: DEMO_PASSWORD });
    expect(login.status).toBe(200);
    return { agent, csrf: String(login.body.csrfToken) };
  };
  const caseworker = await signIn('cw.birmingham.hv');
  const feed = await signIn('feed');
  const publish = () =>
    feed.agent
      .post('/api/messages')
      .set('X-CSRF-Token', feed.csrf)
      .send({ name: 'outageReferral', correlationKey: child.nhsNumber, messageId: 'referral-outage-1' });
  const instancesOf = (key: string) =>
    select<{ id: string }>(
      db,
      `SELECT i.id FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
       WHERE d.key = $1 AND i.business_key = $2`,
      [key, child.nhsNumber],
    );
  const tasksOf = (instanceId: string) =>
    select<{ name: string }>(db, 'SELECT name FROM human_tasks WHERE process_instance_id = $1', [instanceId]);
  const apiRows = () =>
    select<{ idempotencyKey: string; kind: string; deliveredAt: Date | null; attempts: number }>(
      db,
      "SELECT idempotency_key, kind, delivered_at, attempts FROM process_outbox WHERE idempotency_key LIKE 'api-%' ORDER BY created_at, id",
    );

  await server.crash();
  const started = await caseworker.agent
    .post('/api/process-instances')
    .set('X-CSRF-Token', caseworker.csrf)
    .send({ key: 'outage-visit', businessKey: child.nhsNumber });
  expect(started.status).toBe(201);
  expect(started.body).toMatchObject({ key: 'outage-visit', status: 'running', engineStarted: false });
  const published = await publish();
  expect(published.status).toBe(200);
  expect(published.body).toMatchObject({ delivered: 0, started: 0, queued: true });
  // Published again while the engine is down (the sender retries): still one message in the outbox.
  expect((await publish()).body).toMatchObject({ queued: true });

  const pending = await until(
    apiRows,
    (rows) => rows.length === 2 && rows.every((r) => r.attempts >= 2),
    'the relay to try the start and the message again while the engine is down',
  );
  expect(pending.map((r) => [r.kind, r.deliveredAt])).toEqual([
    ['start', null],
    ['publish', null],
  ]);
  expect(pending[0].idempotencyKey).toBe(`api-start:${started.body.id}`);
  expect(await instancesOf('outage-referral')).toEqual([]);

  await server.start();
  await until(apiRows, (rows) => rows.every((r) => r.deliveredAt !== null), 'the relay to deliver both');
  // The start ran the instance the API answered with (its task opened), the message started one referral.
  expect(
    await until(
      () => tasksOf(started.body.id),
      (rows) => rows.length > 0,
      "the started instance's task",
    ),
  ).toEqual([{ name: 'Visit the family' }]);
  const [referral] = await until(
    () => instancesOf('outage-referral'),
    (rows) => rows.length > 0,
    'the referral process to start',
  );
  expect(
    await until(
      () => tasksOf(referral.id),
      (rows) => rows.length > 0,
      'the triage task',
    ),
  ).toEqual([{ name: 'Triage the referral' }]);

  // Delivered again by the relay, and published again by the sender: nothing new starts.
  expect(await relay.sweep()).toBe(0);
  const again = await publish();
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ delivered: 0, started: 0, queued: false });
  expect(await instancesOf('outage-visit')).toEqual([{ id: started.body.id }]);
  expect(await instancesOf('outage-referral')).toEqual([{ id: referral.id }]);
  expect((await apiRows()).length).toBe(2);
});

test('the engine down while a process is created and a signal broadcast through /v2: each happens once, when it is back', async () => {
  const v2 = async (path: string, body: unknown) => {
    const res = await request(app)
      .post(`/v2${path}`)
      .set('Authorization', `Basic ${Buffer.from(`manager:${DEMO_PASSWORD}`).toString('base64')}`)
      .send(body as object);
    return { status: res.status, body: res.body as Record<string, unknown> };
  };
  const instancesOf = (key: string) =>
    select<{ id: string }>(
      db,
      `SELECT i.id FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE d.key = $1`,
      [key],
    );
  const tasksOf = (instanceId: string) =>
    select<{ name: string }>(db, 'SELECT name FROM human_tasks WHERE process_instance_id = $1', [instanceId]);
  const v2Rows = () =>
    select<{ idempotencyKey: string; kind: string; deliveredAt: Date | null; attempts: number; result: unknown }>(
      db,
      "SELECT idempotency_key, kind, delivered_at, attempts, result FROM process_outbox WHERE idempotency_key LIKE 'v2-%' ORDER BY created_at, id",
    );

  await server.crash();
  const created = await v2('/process-instances', { processDefinitionId: 'outage-visit' });
  expect(created.status).toBe(200);
  const key = String(created.body.processInstanceKey);
  expect(key).toMatch(/^\d+$/);
  // Awaiting the result needs the engine: the request times out, the instance still starts later.
  const awaited = await v2('/process-instances', {
    processDefinitionId: 'outage-visit',
    awaitCompletion: true,
    requestTimeout: 1500,
  });
  expect(awaited.status).toBe(504);
  const broadcast = await v2('/signals/broadcast', { signalName: 'outageRecall' });
  expect(broadcast.status).toBe(200);
  expect(broadcast.body.signalKey).toEqual(expect.any(String));

  const pending = await until(
    v2Rows,
    // Each was tried by its request; the relay tries the oldest again each round (and the rest after it once it goes).
    (rows) => rows.length === 3 && rows.every((r) => r.attempts >= 1) && rows[0].attempts >= 3,
    'the relay to try the creates and the broadcast again while the engine is down',
  );
  expect(pending.map((r) => [r.kind, r.deliveredAt])).toEqual([
    ['start', null],
    ['start', null],
    ['signal', null],
  ]);
  expect(await instancesOf('outage-recall')).toEqual([]);

  await server.start();
  await until(v2Rows, (rows) => rows.every((r) => r.deliveredAt !== null), 'the relay to deliver all three');
  expect((await v2Rows()).map((r) => r.result)).toEqual([
    { delivered: 0, started: 1 },
    { delivered: 0, started: 1 },
    { delivered: 0, started: 1 },
  ]);
  const [instance] = await select<{ id: string }>(db, 'SELECT id FROM process_instances WHERE key = $1', [key]);
  expect(
    await until(
      () => tasksOf(instance.id),
      (rows) => rows.length > 0,
      "the created instance's task",
    ),
  ).toEqual([{ name: 'Visit the family' }]);
  const [recall] = await until(
    () => instancesOf('outage-recall'),
    (rows) => rows.length > 0,
    'the recall process to start',
  );
  expect(
    await until(
      () => tasksOf(recall.id),
      (rows) => rows.length > 0,
      'the recall task',
    ),
  ).toEqual([{ name: 'Check the recalled batch' }]);

  // Delivered again by the relay and by hand: nothing new starts.
  expect(await relay.sweep()).toBe(0);
  for (const row of await select<{ id: string }>(db, "SELECT id FROM process_outbox WHERE idempotency_key LIKE 'v2-%'"))
    expect(await outbox.deliver(row.id)).toMatchObject({ status: 'delivered-before' });
  const createdIds = await select<{ id: string }>(
    db,
    "SELECT command->>'workflowId' AS id FROM process_outbox WHERE idempotency_key LIKE 'v2-start:%' ORDER BY id",
  );
  expect(createdIds).toHaveLength(2);
  for (const { id } of createdIds)
    expect(await select<{ status: string }>(db, 'SELECT status FROM process_instances WHERE id = $1', [id])).toEqual([
      { status: 'running' },
    ]);
  expect(await instancesOf('outage-recall')).toEqual([{ id: recall.id }]);
  expect((await v2Rows()).length).toBe(3);
});
