/**
 * Canceling task listeners through the Camunda REST API with Camunda's own client
 * (@camunda8/orchestration-cluster-api), on the real engine (Camunda 8.8 semantics):
 * - a user task interrupted by a message boundary event stays terminating until its canceling
 *   listener's job has completed; only then does the boundary event's path start;
 * - cancelling the instance runs the canceling listeners of its open user tasks, and the
 *   cancellation request answers once they have completed and the instance is cancelled; the
 *   cancelled task keeps what they corrected;
 * - a canceling listener that fails without retries is an incident that holds the cancellation;
 *   once resolved, the listener runs again and the instance ends as cancelled;
 * - a parallel multi-instance user task whose completion condition holds after one completion
 *   cancels the other tasks, and the process goes on only once their canceling listeners' jobs
 *   have completed.
 * Every closed history replays when the stack closes.
 */
import { ProcessDefinitionId, type CamundaClient, type ProcessInstanceKey } from '@camunda8/orchestration-cluster-api';
import { select, selectOne } from '../../records/sql';
import { camundaClientFor, startCamundaStack, type CamundaStack } from './support/camunda-stack';
import { eventually, nextJob as nextJobOf } from './support/jobs';

let stack: CamundaStack;
let admin: CamundaClient;
let worker: CamundaClient;

const client = (username: string): CamundaClient => camundaClientFor(stack, username);
const nextJob = (type: string, what?: string) => nextJobOf(worker, type, what);

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';
const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

/** Review (canceling listener `archive-draft`); a `withdrawn` message interrupts it → Notify (job `notify-withdrawn`). */
const PROCESS = (team: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="withdrawable-review" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
    <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:assignmentDefinition candidateGroups="${team}" />
      <zeebe:taskListeners><zeebe:taskListener eventType="canceling" type="archive-draft" retries="1" /></zeebe:taskListeners>
    </bpmn:extensionElements></bpmn:userTask>
    ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />
    <bpmn:boundaryEvent id="Withdrawn" attachedToRef="Review"><bpmn:messageEventDefinition messageRef="M" /></bpmn:boundaryEvent>
    ${flow('f3', 'Withdrawn', 'Notify')}
    <bpmn:serviceTask id="Notify"><bpmn:extensionElements><zeebe:taskDefinition type="notify-withdrawn" /></bpmn:extensionElements></bpmn:serviceTask>
    ${flow('f4', 'Notify', 'E2')}<bpmn:endEvent id="E2" />
  </bpmn:process>
  <bpmn:message id="M" name="withdrawn"><bpmn:extensionElements><zeebe:subscription correlationKey="=case" /></bpmn:extensionElements></bpmn:message>
</bpmn:definitions>`;

/** Second opinions: a parallel multi-instance user task over `reviewers`, done after one (canceling listener `withdraw-request`) → Record (job `record-opinion`). */
const OPINIONS = (team: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${NS} id="D2" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="second-opinions" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Opinion')}
    <bpmn:userTask id="Opinion"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:assignmentDefinition candidateGroups="${team}" />
      <zeebe:taskListeners><zeebe:taskListener eventType="canceling" type="withdraw-request" /></zeebe:taskListeners>
    </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=reviewers" inputElement="reviewer" outputCollection="opinions" outputElement="=opinion" />
      </bpmn:extensionElements><bpmn:completionCondition>=numberOfCompletedInstances &gt;= 1</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    ${flow('f2', 'Opinion', 'Record')}
    <bpmn:serviceTask id="Record"><bpmn:extensionElements><zeebe:taskDefinition type="record-opinion" /></bpmn:extensionElements></bpmn:serviceTask>
    ${flow('f3', 'Record', 'E')}<bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>`;

beforeAll(async () => {
  stack = await startCamundaStack();
  admin = client(stack.admin.username);
  worker = client(stack.worker.username);
  await admin.createDeployment({
    resources: [
      new File([PROCESS(stack.team)], 'withdrawable-review.bpmn', { type: 'application/xml' }),
      new File([OPINIONS(stack.team)], 'second-opinions.bpmn', { type: 'application/xml' }),
    ],
  });
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

/** The jobs of `type` a worker can activate now (none is an answer too). */
async function activate(type: string) {
  const { jobs } = await worker.activateJobs({ type, maxJobsToActivate: 5, timeout: 60_000, requestTimeout: 200 });
  return jobs;
}

async function startReview(caseId: string): Promise<ProcessInstanceKey> {
  const { processInstanceKey } = await admin.createProcessInstance({
    processDefinitionId: ProcessDefinitionId.assumeExists('withdrawable-review'),
    variables: { case: caseId },
  });
  await eventually('the review task', async () => {
    const found = await admin.searchUserTasks(
      { filter: { processInstanceKey, state: 'CREATED' } },
      { consistency: { waitUpToMs: 0 } },
    );
    return found.items[0];
  });
  return processInstanceKey;
}

const instanceState = async (processInstanceKey: ProcessInstanceKey) =>
  (await admin.getProcessInstance({ processInstanceKey }, { consistency: { waitUpToMs: 0 } })).state;

test("an interrupting message's path starts only once the task's canceling listener has completed", async () => {
  const instanceKey = await startReview('case-1');
  await admin.correlateMessage({ name: 'withdrawn', correlationKey: 'case-1', variables: { why: 'moved' } });
  const archive = await nextJob('archive-draft', 'the canceling listener job');
  expect(archive).toMatchObject({ kind: 'TASK_LISTENER', listenerEventType: 'CANCELING' });
  // The task is terminating: the boundary event's job does not exist yet.
  await new Promise((r) => setTimeout(r, 500));
  expect(await activate('notify-withdrawn')).toEqual([]);
  expect(await instanceState(instanceKey)).toBe('ACTIVE');
  await worker.completeJob({ jobKey: archive.jobKey });
  const notify = await nextJob('notify-withdrawn', 'the boundary path job');
  expect(notify.variables).toMatchObject({ why: 'moved' });
  await worker.completeJob({ jobKey: notify.jobKey });
  await eventually('the completed instance', async () => (await instanceState(instanceKey)) === 'COMPLETED');
}, 120_000);

test("cancelling the instance runs its open task's canceling listener and answers once the instance is cancelled", async () => {
  const instanceKey = await startReview('case-2');
  let answered = false;
  const cancellation = admin.cancelProcessInstance({ processInstanceKey: instanceKey }).then(() => {
    answered = true;
  });
  const archive = await nextJob('archive-draft', 'the canceling listener job');
  await new Promise((r) => setTimeout(r, 300));
  expect(answered).toBe(false);
  expect(await instanceState(instanceKey)).toBe('ACTIVE');
  // Its corrections are kept by the cancelled task (Camunda 8.8 applies them as it is cancelled).
  await worker.completeJob({
    jobKey: archive.jobKey,
    result: { type: 'userTask', corrections: { priority: 7, candidateGroups: ['records-archive'] } },
  });
  await cancellation;
  expect(await instanceState(instanceKey)).toBe('TERMINATED');
  const task = await eventually('the corrected cancelled task', () =>
    selectOne<{ status: string; priority: number; candidateGroups: string[] }>(
      stack.db,
      `SELECT t.status, t.priority, t.candidate_groups FROM human_tasks t JOIN process_instances i ON i.id = t.process_instance_id
        WHERE i.key = $1 AND t.priority = 7`,
      [instanceKey],
    ),
  );
  expect(task).toEqual({ status: 'cancelled', priority: 7, candidateGroups: ['records-archive'] });
}, 120_000);

test('a canceling listener that fails during the cancellation is an incident that holds it until resolved', async () => {
  const instanceKey = await startReview('case-3');
  const cancellation = admin.cancelProcessInstance({ processInstanceKey: instanceKey }).catch((e: unknown) => e);
  const archive = await nextJob('archive-draft', 'the canceling listener job');
  await worker.failJob({ jobKey: archive.jobKey, retries: 0, errorMessage: 'the archive is down' });
  const incident = await eventually('the listener incident', async () => {
    const found = await admin.searchIncidents(
      { filter: { processInstanceKey: instanceKey } },
      { consistency: { waitUpToMs: 0 } },
    );
    return found.items?.find((i) => i.state === 'ACTIVE');
  });
  expect(incident).toMatchObject({ elementId: 'Review', errorMessage: 'the archive is down' });
  expect(await instanceState(instanceKey)).toBe('ACTIVE');
  await worker.updateJob({ jobKey: archive.jobKey, changeset: { retries: 1 } });
  await admin.resolveIncident({ incidentKey: incident.incidentKey! });
  const again = await nextJob('archive-draft', 'the listener job again');
  await worker.completeJob({ jobKey: again.jobKey });
  await eventually('the cancelled instance', async () => (await instanceState(instanceKey)) === 'TERMINATED');
  // The request itself may have answered 504 meanwhile (past its wait): it did not fail otherwise.
  const outcome = await cancellation;
  if (outcome !== undefined) expect(outcome).toMatchObject({ status: 504 });
}, 120_000);

test("a multi-instance user task ended by its completion condition goes on only once the other tasks' canceling listeners have completed", async () => {
  const { processInstanceKey } = await admin.createProcessInstance({
    processDefinitionId: ProcessDefinitionId.assumeExists('second-opinions'),
    variables: { reviewers: ['north', 'south', 'east'] },
  });
  const tasks = await eventually('the three opinion tasks', async () => {
    const found = await admin.searchUserTasks(
      { filter: { processInstanceKey, state: 'CREATED' } },
      { consistency: { waitUpToMs: 0 } },
    );
    return found.items.length === 3 && found.items;
  });
  await admin.assignUserTask({ userTaskKey: tasks[0].userTaskKey, assignee: stack.caseworker.username });
  await client(stack.caseworker.username).completeUserTask({
    userTaskKey: tasks[0].userTaskKey,
    variables: { opinion: 'refer' },
  });
  // Both cancelled tasks' listener jobs (activated as they come: an activated job is the worker's).
  const jobs: Awaited<ReturnType<typeof activate>> = [];
  await eventually('the two canceling listener jobs', async () => {
    jobs.push(...(await activate('withdraw-request')));
    return jobs.length >= 2;
  });
  expect(jobs.map((j) => j.listenerEventType)).toEqual(['CANCELING', 'CANCELING']);
  await worker.completeJob({ jobKey: jobs[0].jobKey });
  // One of the cancelled tasks is still terminating: the body has not completed, Record has no job.
  await new Promise((r) => setTimeout(r, 500));
  expect(await activate('record-opinion')).toEqual([]);
  expect(await instanceState(processInstanceKey)).toBe('ACTIVE');
  await worker.completeJob({ jobKey: jobs[1].jobKey });
  const record = await nextJob('record-opinion', 'the job after the multi-instance task');
  expect(record.variables).toMatchObject({ opinions: ['refer', null, null] });
  await worker.completeJob({ jobKey: record.jobKey });
  await eventually('the completed instance', async () => (await instanceState(processInstanceKey)) === 'COMPLETED');
  const statuses = await select<{ status: string }>(
    stack.db,
    'SELECT t.status FROM human_tasks t JOIN process_instances i ON i.id = t.process_instance_id WHERE i.key = $1 ORDER BY t.status',
    [processInstanceKey],
  );
  expect(statuses.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'completed']);
}, 120_000);
