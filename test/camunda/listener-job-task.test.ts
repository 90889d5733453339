/**
 * What a task listener's job tells its worker (Camunda 8.8), with Camunda's own client
 * (@camunda8/orchestration-cluster-api) on the real engine: every listener job carries its user
 * task's key (header io.camunda.zeebe:userTaskKey and the activated job's `userTask`), a creating
 * listener's too (the key the task then opens with), so a listener worker fetches the task with
 * it; an assigning listener's job also carries the task's candidates and priority from the task
 * and the assignee being given. The stack's listener wait is 3 s (CHIS_TASK_LISTENER_WAIT_SECONDS
 * in production): a cancellation whose canceling listener nobody works answers 504 naming it,
 * and goes on once the listener completes. Every closed history replays when the stack closes.
 */
import {
  ProcessDefinitionId,
  UserTaskKey,
  type CamundaClient,
  type ProcessInstanceKey,
} from '@camunda8/orchestration-cluster-api';
import { camundaClientFor, startCamundaStack, type CamundaStack } from './support/camunda-stack';
import { eventually, nextJob as nextJobOf } from './support/jobs';

let stack: CamundaStack;
let admin: CamundaClient;
let worker: CamundaClient;

const WAIT_MS = 3_000;

const client = (username: string): CamundaClient => camundaClientFor(stack, username);
const nextJob = (type: string, what?: string) => nextJobOf(worker, type, what);

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';
const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

/** Triage (candidate group: the test team, priority 70) with creating, assigning and canceling listeners. */
const PROCESS = (team: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="keyed-triage" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Triage')}
    <bpmn:userTask id="Triage"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:formDefinition formId="triage-form" />
      <zeebe:assignmentDefinition candidateGroups="${team}" />
      <zeebe:priorityDefinition priority="70" />
      <zeebe:taskListeners>
        <zeebe:taskListener eventType="creating" type="kt-create" />
        <zeebe:taskListener eventType="assigning" type="kt-assign" />
        <zeebe:taskListener eventType="canceling" type="kt-cancel" />
      </zeebe:taskListeners>
    </bpmn:extensionElements></bpmn:userTask>
    ${flow('f2', 'Triage', 'E')}<bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

/** The triage task's linked form (Camunda gives its listeners the deployed form's key). */
const FORM = JSON.stringify({
  id: 'triage-form',
  type: 'default',
  components: [{ type: 'textfield', key: 'outcome', label: 'Outcome' }],
});
let formKey: string;

beforeAll(async () => {
  stack = await startCamundaStack({}, WAIT_MS);
  admin = client(stack.admin.username);
  worker = client(stack.worker.username);
  const deployment = await admin.createDeployment({
    resources: [
      new File([FORM], 'triage-form.form', { type: 'application/json' }),
      new File([PROCESS(stack.team)], 'keyed-triage.bpmn', { type: 'application/xml' }),
    ],
  });
  formKey = String(deployment.deployments.find((d) => d.form)?.form?.formKey);
  expect(formKey).toMatch(/^\d+$/);
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const USER_TASK_KEY = 'io.camunda.zeebe:userTaskKey';

async function startTriage(): Promise<{ instanceKey: ProcessInstanceKey; taskKey: string }> {
  const { processInstanceKey } = await admin.createProcessInstance({
    processDefinitionId: ProcessDefinitionId.assumeExists('keyed-triage'),
  });
  // The creating listener runs before the task opens, yet its job names the task's key already.
  const creating = await nextJob('kt-create', 'the creating listener job');
  expect(creating).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'CREATING' });
  const taskKey = String(creating.customHeaders[USER_TASK_KEY]);
  expect(taskKey).toMatch(/^\d+$/);
  expect(creating.userTask?.userTaskKey).toBe(taskKey);
  // It sees the task as it is about to open (no action: nothing is being done to it yet), with
  // its linked form's deployed key, as Camunda 8.8's creating listeners do.
  expect(creating.customHeaders).toMatchObject({
    'io.camunda.zeebe:candidateGroups': JSON.stringify([stack.team]),
    'io.camunda.zeebe:candidateUsers': '[]',
    'io.camunda.zeebe:priority': '70',
    'io.camunda.zeebe:formKey': formKey,
  });
  expect(creating.customHeaders).not.toHaveProperty(['io.camunda.zeebe:action']);
  expect(creating.userTask).toMatchObject({ candidateGroups: [stack.team], priority: 70, formKey });
  await worker.completeJob({ jobKey: creating.jobKey });
  const opened = await eventually('the triage task', async () => {
    const found = await admin.searchUserTasks(
      { filter: { processInstanceKey, state: 'CREATED' } },
      { consistency: { waitUpToMs: 0 } },
    );
    return found.items[0];
  });
  expect(opened.userTaskKey).toBe(taskKey);
  return { instanceKey: processInstanceKey, taskKey };
}

test("a listener worker reads the user task's key from its job and fetches the task with it", async () => {
  const { instanceKey, taskKey } = await startTriage();
  const assignee = stack.caseworker.username;
  const assignment = admin.assignUserTask({ userTaskKey: UserTaskKey.assumeExists(taskKey), assignee });
  const assigning = await nextJob('kt-assign', 'the assigning listener job');
  expect(assigning.customHeaders).toMatchObject({
    [USER_TASK_KEY]: taskKey,
    'io.camunda.zeebe:action': 'assign',
    'io.camunda.zeebe:assignee': assignee,
    'io.camunda.zeebe:candidateGroups': JSON.stringify([stack.team]),
    'io.camunda.zeebe:priority': '70',
    'io.camunda.zeebe:formKey': formKey,
  });
  expect(assigning.userTask).toMatchObject({
    userTaskKey: taskKey,
    action: 'assign',
    assignee,
    candidateGroups: [stack.team],
    candidateUsers: [],
    priority: 70,
  });
  // What a listener worker does with it (Camunda's listener examples): the user-task API, by that
  // key, with the worker's own account (integration) while the listener job is open for it.
  const task = await worker.getUserTask(
    { userTaskKey: UserTaskKey.assumeExists(String(assigning.customHeaders[USER_TASK_KEY])) },
    { consistency: { waitUpToMs: 0 } },
  );
  expect(task).toMatchObject({ elementId: 'Triage', processInstanceKey: instanceKey, priority: 70 });
  const [read] = await stack.db.sequelize.query(
    `SELECT detail->>'listenerJobKey' AS job FROM audit_events WHERE action = 'task.read' AND actor_username = :actor`,
    { replacements: { actor: stack.worker.username }, type: 'SELECT' },
  );
  expect(read).toEqual({ job: assigning.jobKey });
  await worker.completeJob({ jobKey: assigning.jobKey });
  await assignment;
  // Once no listener job of the task is open, the job-worker account reads it no more.
  await expect(
    worker.getUserTask({ userTaskKey: UserTaskKey.assumeExists(taskKey) }, { consistency: { waitUpToMs: 0 } }),
  ).rejects.toMatchObject({ status: 403 });
  const after = await admin.getUserTask(
    { userTaskKey: UserTaskKey.assumeExists(taskKey) },
    { consistency: { waitUpToMs: 0 } },
  );
  expect(after.assignee).toBe(assignee);
}, 120_000);

test('a cancellation whose canceling listener is not done within the configured wait answers 504, and goes on', async () => {
  const { instanceKey, taskKey } = await startTriage();
  const asked = Date.now();
  const outcome = await admin.cancelProcessInstance({ processInstanceKey: instanceKey }).then(
    () => 'answered',
    (e: unknown) => e,
  );
  const waited = Date.now() - asked;
  expect(outcome).toMatchObject({ status: 504 });
  expect(JSON.stringify(outcome)).toContain('within 3 s');
  expect(waited).toBeGreaterThanOrEqual(WAIT_MS);
  // Well short of the 30 s default.
  expect(waited).toBeLessThan(20_000);
  const canceling = await nextJob('kt-cancel', 'the canceling listener job');
  expect(canceling.customHeaders[USER_TASK_KEY]).toBe(taskKey);
  expect(canceling.userTask).toMatchObject({ userTaskKey: taskKey, action: 'cancel' });
  await worker.completeJob({ jobKey: canceling.jobKey });
  await eventually(
    'the cancelled instance',
    async () =>
      (await admin.getProcessInstance({ processInstanceKey: instanceKey }, { consistency: { waitUpToMs: 0 } }))
        .state === 'TERMINATED',
  );
}, 120_000);
