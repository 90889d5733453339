/**
 * Variables set on a running instance with Camunda's own client (@camunda8/orchestration-cluster-api,
 * PUT /v2/element-instances/{key}/variables), Camunda 8.8 semantics on the real engine: on a user
 * task's element instance they are an update of the task, so its `updating` listener runs first
 * (changed attribute `variables`, the job seeing the new values), may correct the task, and the
 * request answers once it has completed; a denial leaves the variables as they were (409). On
 * the process instance's key they are set on the process at once. Only operators may set them.
 * Every closed history replays when the stack closes.
 */
import {
  ElementInstanceKey,
  ProcessDefinitionId,
  UserTaskKey,
  type CamundaClient,
  type ProcessInstanceKey,
} from '@camunda8/orchestration-cluster-api';
import { camundaClientFor, startCamundaStack, type CamundaStack } from './support/camunda-stack';
import { eventually, nextJob as nextJobOf } from './support/jobs';

const nextJob = (type: string, what?: string) => nextJobOf(worker, type, what);

let stack: CamundaStack;
let manager: CamundaClient;
let admin: CamundaClient;
let worker: CamundaClient;

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';
const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

/** Approval (candidate group: the test team, priority 40) with an updating listener. */
const PROCESS = (team: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="variable-updates" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Approve')}
    <bpmn:userTask id="Approve"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:assignmentDefinition candidateGroups="${team}" />
      <zeebe:priorityDefinition priority="40" />
      <zeebe:taskListeners><zeebe:taskListener eventType="updating" type="tv-update" /></zeebe:taskListeners>
    </bpmn:extensionElements></bpmn:userTask>
    ${flow('f2', 'Approve', 'E')}<bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

beforeAll(async () => {
  stack = await startCamundaStack();
  manager = camundaClientFor(stack, stack.manager.username);
  admin = camundaClientFor(stack, stack.admin.username);
  worker = camundaClientFor(stack, stack.worker.username);
  await admin.createDeployment({
    resources: [new File([PROCESS(stack.team)], 'variable-updates.bpmn', { type: 'application/xml' })],
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const NOW = { consistency: { waitUpToMs: 0 } };

/** The instance's variables by scope key: name → parsed value. */
async function variablesOf(instanceKey: ProcessInstanceKey): Promise<Record<string, Record<string, unknown>>> {
  const found = await manager.searchVariables({ filter: { processInstanceKey: instanceKey } }, NOW);
  const out: Record<string, Record<string, unknown>> = {};
  for (const v of found.items) (out[v.scopeKey] ??= {})[v.name] = JSON.parse(v.value) as unknown;
  return out;
}

async function startApproval() {
  const { processInstanceKey } = await manager.createProcessInstance({
    processDefinitionId: ProcessDefinitionId.assumeExists('variable-updates'),
    variables: { approvalStatus: 'PENDING', employeeId: 'E12345' },
  });
  const task = await eventually('the approval task', async () => {
    const found = await admin.searchUserTasks({ filter: { processInstanceKey, state: 'CREATED' } }, NOW);
    return found.items[0];
  });
  return { instanceKey: processInstanceKey, task };
}

test("variables set on a user task's element instance pass its updating listener, which sees them and may correct the task", async () => {
  const { instanceKey, task } = await startApproval();
  const scope = String(task.elementInstanceKey);
  const update = manager.createElementInstanceVariables({
    elementInstanceKey: ElementInstanceKey.assumeExists(scope),
    variables: { approvalStatus: 'APPROVED' },
  });
  const job = await nextJob('tv-update');
  expect(job).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'UPDATING' });
  expect(job.customHeaders).toMatchObject({
    'io.camunda.zeebe:action': 'update',
    'io.camunda.zeebe:changedAttributes': '["variables"]',
    'io.camunda.zeebe:userTaskKey': task.userTaskKey,
  });
  expect(job.userTask).toMatchObject({ changedAttributes: ['variables'], userTaskKey: task.userTaskKey });
  // The job sees the values being set; the task's scope does not hold them yet.
  expect(job.variables).toMatchObject({ approvalStatus: 'APPROVED', employeeId: 'E12345' });
  expect((await variablesOf(instanceKey))[scope]?.approvalStatus).toBeUndefined();
  let answered = false;
  void update.then(() => (answered = true));
  await new Promise((r) => setTimeout(r, 300));
  expect(answered).toBe(false);

  await worker.completeJob({ jobKey: job.jobKey, result: { type: 'userTask', corrections: { priority: 90 } } });
  await update;
  // As Camunda: on a user task's instance they go to its own scope (local or not).
  const after = await variablesOf(instanceKey);
  expect(after[scope]).toMatchObject({ approvalStatus: 'APPROVED' });
  expect(after[String(instanceKey)]).toMatchObject({ approvalStatus: 'PENDING', employeeId: 'E12345' });
  const corrected = await admin.getUserTask({ userTaskKey: UserTaskKey.assumeExists(task.userTaskKey) }, NOW);
  expect(corrected.priority).toBe(90);
  // The instance goes on to its end (its closed history, the update in it, replays at the end).
  await camundaClientFor(stack, stack.caseworker.username).completeUserTask({
    userTaskKey: UserTaskKey.assumeExists(task.userTaskKey),
  });
  await eventually(
    'the completed instance',
    async () => (await admin.getProcessInstance({ processInstanceKey: instanceKey }, NOW)).state === 'COMPLETED',
  );
}, 120_000);

test('a denial leaves the variables as they were and answers 409 with the reason', async () => {
  const { instanceKey, task } = await startApproval();
  const scope = String(task.elementInstanceKey);
  const update = manager
    .createElementInstanceVariables({
      elementInstanceKey: ElementInstanceKey.assumeExists(scope),
      variables: { approvalStatus: 'REJECTED' },
      local: true,
    })
    .then(
      () => 'answered',
      (e: unknown) => e,
    );
  const job = await nextJob('tv-update');
  // While its updating listener runs, the task takes no other variables (Camunda: INVALID_STATE).
  await expect(
    manager.createElementInstanceVariables({
      elementInstanceKey: ElementInstanceKey.assumeExists(scope),
      variables: { approvalStatus: 'WITHDRAWN' },
    }),
  ).rejects.toMatchObject({ status: 409 });
  await worker.completeJob({
    jobKey: job.jobKey,
    result: { type: 'userTask', denied: true, deniedReason: 'only the panel rejects' },
  });
  const outcome = await update;
  expect(outcome).toMatchObject({ status: 409 });
  expect(JSON.stringify(outcome)).toContain('only the panel rejects');
  expect((await variablesOf(instanceKey))[scope]?.approvalStatus).toBeUndefined();
  await manager.cancelProcessInstance({ processInstanceKey: instanceKey });
}, 120_000);

test("variables set on the process instance's key are set on the process at once; job workers may not set any", async () => {
  const { instanceKey, task } = await startApproval();
  await manager.createElementInstanceVariables({
    elementInstanceKey: ElementInstanceKey.assumeExists(String(instanceKey)),
    variables: { approvalStatus: 'ESCALATED', escalatedBy: 'manager' },
  });
  expect((await variablesOf(instanceKey))[String(instanceKey)]).toMatchObject({
    approvalStatus: 'ESCALATED',
    escalatedBy: 'manager',
  });
  await expect(
    worker.createElementInstanceVariables({
      elementInstanceKey: ElementInstanceKey.assumeExists(String(task.elementInstanceKey)),
      variables: { approvalStatus: 'FORGED' },
    }),
  ).rejects.toMatchObject({ status: 403 });
  await expect(
    manager.createElementInstanceVariables({
      elementInstanceKey: ElementInstanceKey.assumeExists('2251799813999999'),
      variables: { x: 1 },
    }),
  ).rejects.toMatchObject({ status: 404 });
}, 120_000);
