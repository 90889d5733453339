/**
 * Camunda's own TypeScript client (@camunda8/orchestration-cluster-api), unmodified, against CHIS
 * Flow's /v2: it deploys a process with a linked form and a DMN decision, starts an instance, its
 * job workers complete jobs, a message is correlated, a user task is completed, an incident is
 * resolved and the instance completes. The client validates our answers against Camunda's
 * published schemas (CAMUNDA_SDK_VALIDATION strict on responses too).
 */
import { DecisionDefinitionId, ProcessDefinitionId, type CamundaClient } from '@camunda8/orchestration-cluster-api';
import { QueryTypes } from 'sequelize';
import { selectOne } from '../../records/sql';
import { instanceStateQuery } from '../../workflows/contract';
import { camundaClientFor, startCamundaStack, type CamundaStack } from './support/camunda-stack';
import { eventually } from './support/jobs';

let stack: CamundaStack;
const clients: CamundaClient[] = [];

const clientFor = (username: string, validation = 'req:strict,res:strict'): CamundaClient => {
  const client = camundaClientFor(stack, username, validation);
  clients.push(client);
  return client;
};

const PROCESS = (team: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="Defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="order-fulfilment" name="Order fulfilment" isExecutable="true">
    <bpmn:startEvent id="Start" name="Order received" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Check" />
    <bpmn:serviceTask id="Check" name="Check the order"><bpmn:extensionElements><zeebe:taskDefinition type="check-order" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Check" targetRef="Discount" />
    <bpmn:businessRuleTask id="Discount" name="Work out the discount"><bpmn:extensionElements><zeebe:calledDecision decisionId="discount" resultVariable="discount" /></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Discount" targetRef="Paid" />
    <bpmn:intermediateCatchEvent id="Paid" name="Payment received"><bpmn:messageEventDefinition id="MED" messageRef="Msg_Paid" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F4" sourceRef="Paid" targetRef="Approve" />
    <bpmn:userTask id="Approve" name="Approve the order"><bpmn:extensionElements><zeebe:userTask /><zeebe:formDefinition formId="approve-order" /><zeebe:assignmentDefinition candidateGroups="${team}" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="F5" sourceRef="Approve" targetRef="Approved" />
    <bpmn:exclusiveGateway id="Approved" name="Approved?" default="F_No" />
    <bpmn:sequenceFlow id="F_Yes" name="yes" sourceRef="Approved" targetRef="Ship"><bpmn:conditionExpression>=approved</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F_No" name="no" sourceRef="Approved" targetRef="Rejected" />
    <bpmn:serviceTask id="Ship" name="Ship the order"><bpmn:extensionElements><zeebe:taskDefinition type="ship-order" retries="1" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="F6" sourceRef="Ship" targetRef="Shipped" />
    <bpmn:endEvent id="Shipped" name="Shipped" />
    <bpmn:endEvent id="Rejected" name="Rejected" />
  </bpmn:process>
  <bpmn:message id="Msg_Paid" name="payment-received"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
</bpmn:definitions>`;

const DMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="discounts" name="Discounts" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="discount" name="Discount">
    <decisionTable id="DiscountTable" hitPolicy="UNIQUE">
      <input id="InTotal" label="Order total"><inputExpression id="InTotalExpr" typeRef="number"><text>total</text></inputExpression></input>
      <output id="OutPercent" name="percent" typeRef="number" />
      <rule id="Big"><inputEntry id="BigIn"><text>&gt;= 100</text></inputEntry><outputEntry id="BigOut"><text>10</text></outputEntry></rule>
      <rule id="Small"><inputEntry id="SmallIn"><text>&lt; 100</text></inputEntry><outputEntry id="SmallOut"><text>0</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`;

const FORM = JSON.stringify({
  id: 'approve-order',
  type: 'default',
  components: [{ type: 'checkbox', key: 'approved', label: 'Approved', validate: { required: true } }],
});

beforeAll(async () => {
  stack = await startCamundaStack();
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.stopAllWorkers();
  await stack?.close();
}, 120_000);

/** What the instances, jobs and incidents look like, for a failure message. */
async function diagnosis(): Promise<string> {
  const rows = await Promise.all([
    stack.db.sequelize.query('SELECT id, status FROM process_instances', { type: QueryTypes.SELECT }),
    stack.db.sequelize.query('SELECT key, type, state, retries, error_message FROM jobs', { type: QueryTypes.SELECT }),
    stack.db.sequelize.query('SELECT element_id, message, state FROM incidents', { type: QueryTypes.SELECT }),
    stack.db.sequelize.query(
      'SELECT name, correlation_key, expires_at > now() AS alive, correlated_processes FROM messages',
      {
        type: QueryTypes.SELECT,
      },
    ),
    stack.db.sequelize.query('SELECT wait_id, name, correlation_key FROM event_subscriptions', {
      type: QueryTypes.SELECT,
    }),
  ]);
  const states = await Promise.all(
    (rows[0] as Array<{ id: string }>).map(async (r) => {
      const s = await stack.engine.env.client.workflow.getHandle(r.id).query(instanceStateQuery);
      return { active: s.active.map((a) => a.elementId), incidents: s.incidents.map((i) => i.message) };
    }),
  );
  return JSON.stringify({
    instances: rows[0],
    jobs: rows[1],
    incidents: rows[2],
    messages: rows[3],
    subscriptions: rows[4],
    states,
  });
}

test('a form, a DMN decision and a process deploy together; job workers, a message, a user task and an incident take the instance to its end', async () => {
  const admin = clientFor(stack.admin.username);
  const manager = clientFor(stack.manager.username);
  const workerClient = clientFor(stack.worker.username);
  const caseworker = clientFor(stack.caseworker.username);

  const topology = await admin.getTopology();
  expect(topology.brokers[0].partitions[0]).toMatchObject({ role: 'leader', health: 'healthy' });

  const deployment = await admin.createDeployment({
    resources: [
      new File([PROCESS(stack.team)], 'order-fulfilment.bpmn', { type: 'application/xml' }),
      new File([DMN], 'discounts.dmn', { type: 'application/xml' }),
      new File([FORM], 'approve-order.form', { type: 'application/json' }),
    ],
  });
  const kinds = deployment.deployments.map((d) => Object.keys(d)[0]).sort();
  expect(kinds).toEqual(['decisionDefinition', 'decisionRequirements', 'form', 'processDefinition']);

  // The decision on its own, as a client evaluates it. Responses unchecked for this one call: the
  // published schema wants a non-empty failedDecisionDefinitionId, where Camunda itself answers ""
  // when nothing failed (as we do).
  const evaluation = await clientFor(stack.admin.username, 'req:strict,res:none').evaluateDecision({
    decisionDefinitionId: DecisionDefinitionId.assumeExists('discount'),
    variables: { total: 50 },
  });
  expect(JSON.parse(evaluation.output)).toBe(0);
  expect(evaluation).toMatchObject({
    decisionDefinitionId: 'discount',
    failedDecisionDefinitionId: '',
    failureMessage: '',
  });

  let shipAttempts = 0;
  workerClient.createJobWorker({
    jobType: 'check-order',
    maxParallelJobs: 2,
    jobTimeoutMs: 30_000,
    pollTimeoutMs: 2_000,
    jobHandler: (job) => job.complete({ total: 150, checked: job.variables.orderId === 'A-1' }),
  });
  workerClient.createJobWorker({
    jobType: 'ship-order',
    maxParallelJobs: 1,
    jobTimeoutMs: 30_000,
    pollTimeoutMs: 2_000,
    jobHandler: (job) => {
      shipAttempts++;
      if (shipAttempts === 1) return job.fail({ errorMessage: 'the courier is down', retries: 0 });
      return job.complete({ shipped: true, discountApplied: job.variables.discount });
    },
  });

  const created = await admin.createProcessInstance({
    processDefinitionId: ProcessDefinitionId.assumeExists('order-fulfilment'),
    variables: { orderId: 'A-1' },
  });
  const instanceKey = created.processInstanceKey;

  // Published with a time to live: it waits for the instance to reach the catch event if need be.
  await manager.publishMessage({
    name: 'payment-received',
    correlationKey: 'A-1',
    timeToLive: 60_000,
    variables: { paidBy: 'card' },
  });

  const task = await eventually(
    'the approval task',
    async () => {
      const found = await admin.searchUserTasks(
        { filter: { processInstanceKey: instanceKey } },
        { consistency: { waitUpToMs: 0 } },
      );
      return found.items[0];
    },
    diagnosis,
  );
  expect(task).toMatchObject({ name: 'Approve the order', state: 'CREATED', candidateGroups: [stack.team] });
  await admin.assignUserTask({ userTaskKey: task.userTaskKey, assignee: stack.caseworker.username });
  // The linked form's required field is checked; other variables are taken as they are.
  await expect(
    caseworker.completeUserTask({ userTaskKey: task.userTaskKey, variables: { note: 'no decision' } }),
  ).rejects.toMatchObject({ status: 400 });
  await caseworker.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true, note: 'fine' } });

  const incident = await eventually(
    'the shipping incident',
    async () => {
      const found = await admin.searchIncidents(
        { filter: { processInstanceKey: instanceKey } },
        { consistency: { waitUpToMs: 0 } },
      );
      return found.items?.find((i) => i.state === 'ACTIVE');
    },
    diagnosis,
  );
  expect(incident).toMatchObject({
    errorType: 'JOB_NO_RETRIES',
    elementId: 'Ship',
    errorMessage: 'the courier is down',
  });
  // Camunda refuses to resolve a job incident before the job has retries again.
  await expect(admin.resolveIncident({ incidentKey: incident.incidentKey! })).rejects.toMatchObject({ status: 409 });
  await workerClient.updateJob({ jobKey: incident.jobKey!, changeset: { retries: 1 } });
  await admin.resolveIncident({ incidentKey: incident.incidentKey! });

  const done = await eventually(
    'the completed instance',
    async () => {
      const found = await admin.getProcessInstance(
        { processInstanceKey: instanceKey },
        { consistency: { waitUpToMs: 0 } },
      );
      return found.state === 'COMPLETED' && found;
    },
    diagnosis,
  );
  expect(done).toMatchObject({ processDefinitionId: 'order-fulfilment', hasIncident: false });
  expect(shipAttempts).toBe(2);

  const variables = await admin.searchVariables(
    { filter: { processInstanceKey: instanceKey } },
    { consistency: { waitUpToMs: 0 } },
  );
  const value = (name: string) => JSON.parse(variables.items.find((v) => v.name === name)?.value ?? 'null');
  expect({
    checked: value('checked'),
    discount: value('discount'),
    paidBy: value('paidBy'),
    approved: value('approved'),
    note: value('note'),
    shipped: value('shipped'),
    discountApplied: value('discountApplied'),
  }).toEqual({
    checked: true,
    discount: 10,
    paidBy: 'card',
    approved: true,
    note: 'fine',
    shipped: true,
    discountApplied: 10,
  });
  const path = await selectOne<{ status: string }>(stack.db, 'SELECT status FROM process_instances WHERE key = $1', [
    instanceKey,
  ]);
  expect(path?.status).toBe('completed');
}, 180_000);

test('without credentials, or with a wrong password, /v2 answers 401 and names no detail of the account', async () => {
  const anonymous = await fetch(`${stack.address}/v2/topology`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
  const wrong = await fetch(`${stack.address}/v2/topology`, {
    headers: { authorization: `Basic ${Buffer.from(`${stack.admin.username}:nope`).toString('base64')}` },
  });
  expect(wrong.status).toBe(401);
  expect(await wrong.json()).toMatchObject({
    title: 'UNAUTHORIZED',
    detail: 'The username or password is not correct',
  });
});
