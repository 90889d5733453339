/**
 * The end-to-end test stack itself: seeded region, deployed definitions, the engine on the
 * time-skipping server, the API with demo logins, the PDS simulator.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { publishMessage } from '../../engine-client/publish-message';
import { FhirPdsClient } from '../../pds';
import { startChisStack, type ChisStack } from '../support/chis-stack';

let stack: ChisStack;

beforeAll(async () => {
  stack = await startChisStack({ children: 20 });
  await stack.deploy(readFileSync(resolve(__dirname, 'fixtures/stack-smoke.bpmn'), 'utf8'));
}, 120_000);

afterAll(async () => {
  await stack?.close();
}, 60_000);

async function startSmoke(nhsNumber: string, locality: string, key: string): Promise<void> {
  const deps = { sequelize: stack.database.sequelize, client: stack.engine.env.client, taskQueue: stack.taskQueue };
  const r = await publishMessage(
    deps,
    { name: 'stackSmokeStarted', correlationKey: nhsNumber, variables: { nhsNumber, locality }, sourceInstanceId: '' },
    key,
  );
  expect(r.started).toBe(1);
}

test('the region is seeded and every definitions/*.bpmn is deployed', async () => {
  expect(stack.seeded.rows.children).toBe(20);
  const files = stack.deployed.map((d) => d.file);
  expect(files).toContain('example-hello.bpmn');
  expect(stack.deployed.every((d) => d.outcome.status !== 'refused')).toBe(true);
});

test('a demo caseworker works a task that a message-started process created for their team', async () => {
  const nhs = stack.newNhsNumber();
  await startSmoke(nhs, 'birmingham', `smoke-${nhs}`);
  const [task] = await stack.waitFor(async () => {
    const tasks = await stack.tasksFor(nhs);
    return tasks.length > 0 && tasks;
  }, 'the smoke visit task');
  expect(task).toMatchObject({
    name: 'Smoke visit',
    candidateGroups: ['birmingham-health-visiting'],
    status: 'open',
    processKey: 'stack-smoke',
  });
  const dueInDays = (task.dueAt!.getTime() - stack.now().getTime()) / 86_400_000;
  expect(dueInDays).toBeGreaterThan(9.9);
  expect(dueInDays).toBeLessThanOrEqual(10);

  const hv = await stack.signIn('cw.birmingham.hv');
  const queue = await hv.get('/api/tasks/queues/unclaimed');
  expect(queue.status).toBe(200);
  expect(JSON.stringify(queue.body)).toContain(task.id);
  expect((await hv.post(`/api/tasks/${task.id}/claim`).send({})).status).toBe(200);
  const done = await hv.post(`/api/tasks/${task.id}/complete`).send({ outcome: 'visited' });
  expect(done.status).toBe(200);

  await stack.waitFor(
    async () => (await stack.instancesFor(nhs))[0]?.status === 'completed',
    'the smoke instance to complete',
  );
  const instances = await stack.instancesFor(nhs);
  expect(instances).toHaveLength(1);
  expect(instances[0]).toMatchObject({ processKey: 'stack-smoke', businessKey: nhs, status: 'completed' });
});

test('skip() moves workflow time: the boundary timer fires and now() follows', async () => {
  const nhs = stack.newNhsNumber();
  await startSmoke(nhs, 'coventry', `smoke-${nhs}`);
  await stack.waitFor(async () => (await stack.tasksFor(nhs)).length === 1, 'the smoke visit task');
  const before = stack.now().getTime();
  await stack.skip('15 days');
  expect(stack.now().getTime() - before).toBeGreaterThanOrEqual(15 * 86_400_000);
  const tasks = await stack.waitFor(async () => {
    const t = await stack.tasksFor(nhs);
    return t.some((x) => x.name === 'Smoke visit overdue') && t;
  }, 'the escalation task');
  expect(tasks.map((t) => [t.name, t.status])).toEqual([
    ['Smoke visit', 'cancelled'],
    ['Smoke visit overdue', 'open'],
  ]);
  expect(tasks[1].candidateGroups).toEqual(['safeguarding_lead']);
});

test('the PDS simulator serves seeded children and added patients as UK Core Patients', async () => {
  const pds = new FhirPdsClient(stack.pds.url);
  const [seededChild] = await stack.database.sequelize.query<{ nhs_number: string; family_name: string }>(
    'SELECT nhs_number, family_name FROM children ORDER BY id LIMIT 1',
    { type: 'SELECT' as never },
  );
  const found = await pds.lookupPatient(seededChild.nhs_number);
  expect(found).toMatchObject({ nhsNumber: seededChild.nhs_number, familyName: seededChild.family_name });
  const nhs = stack.newNhsNumber();
  expect(await pds.lookupPatient(nhs)).toBeNull();
  stack.pds.addPatient({
    nhsNumber: nhs,
    givenName: 'Iris',
    familyName: 'Stack',
    dateOfBirth: '2026-01-02',
    sex: 'female',
  });
  expect(await pds.lookupPatient(nhs)).toMatchObject({ nhsNumber: nhs, givenName: 'Iris' });
});

test('an outbox row reaches the embedded SMTP server through the relay', async () => {
  const to = `practice.smoke.${Date.now()}@gp.example.nhs.uk`;
  await stack.database.sequelize.query(
    `INSERT INTO notifications (idempotency_key, recipient, subject, text_body, message_id) VALUES ($1, $2, 'Stack smoke', 'Hello from the stack', $3)`,
    { bind: [`smoke-${to}`, to, `<smoke-${Date.now()}@chis-flow.local>`] },
  );
  const mail = await stack.waitFor(async () => {
    const m = await stack.receivedMail(to);
    return m.length > 0 && m;
  }, 'the smoke email');
  expect(mail).toHaveLength(1);
  expect(mail[0]).toMatchObject({ subject: 'Stack smoke', envelopeTo: [to], timesReceived: 1 });
  expect(mail[0].textBody).toContain('Hello from the stack');
});

test('the inbound-events client is signed in with the integration role', async () => {
  const me = await stack.events.get('/api/auth/me');
  expect(me.status).toBe(200);
  expect(JSON.stringify(me.body)).toContain('integration');
});
