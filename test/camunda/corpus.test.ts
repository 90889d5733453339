/**
 * The public Camunda 8 diagrams of ../shared/bpmn-corpus/ (read from there, never copied into the
 * project), deployed unchanged through the Camunda REST API (/v2/deployments, one file per
 * deployment as Camunda Modeler sends it), and driven to their end events through /v2 alone:
 * instances created (or started by a published message), their job types served by test job
 * workers (activation, completion, BPMN errors), user tasks assigned and completed, messages
 * published. The end events reached are read from the instance's own log and must be the ones
 * Camunda 8 reaches on that path.
 *
 * Diagrams using what CHIS Flow does not run yet are refused at deploy, by element id and with
 * the words "not supported yet" (never deployed and then ignored): REFUSED lists them, so the
 * test fails both when one of them regresses to another answer and when support arrives (then
 * it moves to the deployed ones).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryTypes } from 'sequelize';
import { selectOne } from '../../records/sql';
import type { StaffPrincipal } from '../../records/staff';
import { instanceStateQuery } from '../../workflows/contract';
import { PASSWORD } from '../api/support/case-work';
import { startCamundaStack, type CamundaStack } from './support/camunda-stack';

const CORPUS = join(__dirname, '..', '..', '..', 'shared', 'bpmn-corpus');
const CORPUS_DIR = existsSync(CORPUS) ? CORPUS : '/work/shared/bpmn-corpus';

/** Refused at deploy: file → the element ids named, each "not supported yet". */
const REFUSED: Record<string, string[]> = {};

/** A job's outcome: its variables, a BPMN error, or (a task listener's job) a job result with corrections. */
type JobHandler = (
  variables: Record<string, unknown>,
) =>
  | Record<string, unknown>
  | { bpmnError: string }
  | { jobResult: Record<string, unknown>; variables?: Record<string, unknown> };

interface Drive {
  file: string;
  /** How the instance starts: created with these variables, by a published message, or by a broadcast signal. */
  start:
    | { variables: Record<string, unknown> }
    | { message: { name: string; correlationKey: string } }
    | { signal: { name: string; variables: Record<string, unknown> } };
  processId: string;
  jobs?: Record<string, JobHandler>;
  /** User tasks by element id: the variables they are completed with. */
  userTasks?: Record<string, Record<string, unknown>>;
  /** Messages published (by a service manager, as corrections) once the instance waits. */
  messages?: Array<{ name: string; correlationKey: string; variables?: Record<string, unknown> }>;
  /** The end events the instance reaches, in any order (called instances' included). */
  endEvents: string[];
}

let cardCharges = 0;

const listenerCalls: string[] = [];
/** What 31's agent saw in each of its jobs: the tool results so far. */
const agentTurns: string[] = [];
/** 41's connector jobs in order: the queue item added, then (compensation) reverted. */
const rpaCalls: string[] = [];

const DRIVES: Drive[] = [
  {
    // A message start event whose end execution listener acknowledges the event (a job), then three services.
    file: '03-eventHandler.bpmn',
    processId: 'eventHandler',
    start: { message: { name: 'random', correlationKey: 'corpus-03' } },
    jobs: {
      correlated: () => (listenerCalls.push('correlated'), { acknowledged: true }),
      service1: (v) => (listenerCalls.push(`service1:${String(v.acknowledged)}`), {}),
      service2: () => ({}),
      service3: () => ({}),
    },
    endEvents: ['Event_06kbjy6'],
  },
  {
    // A creating task listener names the assignee (a job result with corrections) before the task opens.
    file: '29-Quick_Start_Task_Listeners.bpmn',
    processId: 'task-listener-tutorial',
    start: { variables: {} },
    jobs: {
      assign_new_task: () => ({ jobResult: { type: 'userTask', corrections: { assignee: 'corpus-listener' } } }),
    },
    userTasks: { Auto_assigned_by_task_listener_on_creating_event: { done: true } },
    endEvents: ['EndEvent'],
  },
  {
    // The RPA bot reports the queue item failed: the sub-process ends with error item_failed, the
    // boundary event catches it, and the compensation throw event runs the handler that reverts
    // the completed "add task to queue" (the same connector job type) before the manual path.
    file: '41-RPA_Orchestration_-_with_compensation.bpmn',
    processId: 'Orchestrate_UiPath_Bot',
    start: { variables: {} },
    jobs: {
      'io.camunda:http-json:1': (v) => {
        rpaCalls.push(v.operationType === 'addQueueItem' ? `add:${rpaCalls.length}` : String(v.operationType));
        return { queueItemId: 'Q-41' };
      },
    },
    messages: [
      {
        name: '36a59b39-c6d5-41e6-aa34-bd805badab31',
        correlationKey: 'Q-41',
        variables: { queueItemStatus: 'queueItem.transactionFailed' },
      },
    ],
    endEvents: ['Event_1wojnup', 'Event_0qel938'],
  },
  {
    // An AI agent: the job worker of the ad-hoc sub-process calls the Jokes API tool, gets a new
    // job with the tool's result in toolCallResults, then answers; the user is satisfied.
    file: '31-ai-agent-chat-with-tools.bpmn',
    processId: 'ai-agent-chat-with-tools',
    start: { variables: { inputText: 'Tell me a joke' } },
    jobs: {
      'io.camunda.agenticai:aiagent-job-worker:1': (v) => {
        const results = (v.toolCallResults ?? []) as Array<{ content: unknown }>;
        agentTurns.push(results.map((r) => String(r.content)).join('|') || 'no results yet');
        if (results.length === 0)
          return {
            jobResult: {
              type: 'adHocSubProcess',
              activateElements: [
                { elementId: 'Jokes_API', variables: { toolCall: { _meta: { id: 'call-1', name: 'Jokes_API' } } } },
              ],
            },
            variables: { agent: { context: { turn: 1 } } },
          };
        return {
          jobResult: { type: 'adHocSubProcess', isCompletionConditionFulfilled: true },
          variables: { agent: { responseText: `Here is one: ${String(results[0].content)}`, context: { turn: 2 } } },
        };
      },
      'io.camunda:http-json:1': () => ({ toolCallResult: 'a joke about BPMN' }),
    },
    userTasks: { User_Feedback: { userSatisfied: true } },
    endEvents: ['Event_0i39jej'],
  },
  {
    // A signal start event: a broadcast starts the process.
    file: '53-Signal.bpmn',
    processId: 'Signal',
    start: { signal: { name: 'test-signal', variables: { from: 'corpus' } } },
    jobs: { 'signal-service-task': (v) => ({ seen: v.from }) },
    endEvents: ['Event_0jluwfy'],
  },
  {
    file: '01-async-service-task.bpmn',
    processId: 'AsyncServiceTaskProcess',
    start: { variables: {} },
    jobs: { 'async-job': () => ({ done: true }) },
    endEvents: ['ProcessCompleteEndEvent'],
  },
  {
    file: '07-multi-instance-simple-example.bpmn',
    processId: 'MICallActivityProcess',
    start: { variables: {} },
    jobs: {
      sequenceCreation: () => ({ sequence: [1, 2, 3] }),
      elementCreation: (v) => ({ result: `element ${String(v.element)}` }),
      resultLogging: (v) => ({ logged: (v.resultList as unknown[]).length }),
    },
    endEvents: ['Event_05breed', 'Event_05breed', 'Event_05breed', 'Event_02e5cqb'],
  },
  {
    file: '09-payment_process.bpmn',
    processId: 'paymentProcess',
    start: { variables: { orderTotal: 40, customerCredit: 15 } },
    jobs: {
      customerCreditHandling: (v) => ({ remainingAmount: Number(v.orderTotal) - Number(v.customerCredit) }),
      // The first charge fails with the BPMN error the boundary event catches; after the check, it succeeds.
      creditCardCharging: (v) =>
        ++cardCharges === 1 ? { bpmnError: 'creditCardError' } : { charged: v.openAmount, remainingAmount: 0 },
    },
    userTasks: { CheckPaymentDataTask: { errorResolved: true } },
    endEvents: ['PaymentCompletedEndEvent'],
  },
  {
    file: '11-rollback-process.bpmn',
    processId: 'RollbackOnErrorProcess',
    // The job types are FEEL: the instance's variables name them.
    start: { variables: { validateDataType: 'validate-data', saveDataType: 'save-data' } },
    userTasks: { EnterDataTask: { data: 'entered' } },
    jobs: { 'validate-data': () => ({ valid: true }), 'save-data': () => ({ saved: true }) },
    endEvents: ['ProcessCompleteEndEvent'],
  },
  {
    file: '17-send-email.bpmn',
    processId: 'send-email',
    start: { variables: {} },
    userTasks: { enterMessageTask: { message_content: 'Hello' } },
    jobs: { email: (v) => ({ sent: v.message_content === 'Hello' }) },
    endEvents: ['EndEvent'],
  },
  {
    file: '21-message-event.bpmn',
    processId: 'message-event',
    start: { variables: { correlationKey: 'corpus-21' } },
    messages: [{ name: 'message', correlationKey: 'corpus-21', variables: { received: true } }],
    endEvents: ['Event_1pevv8z'],
  },
  {
    file: '23-test_timer_events.bpmn',
    processId: 'Process_Timer_Test_01',
    start: { variables: {} },
    jobs: { SimpleLog01: () => ({ logged: true }) },
    // A terminate end event: the instance completes (Camunda 8), the 30-day timer is cancelled.
    endEvents: ['EndEvent_FastFlow'],
  },
  {
    file: '25-looping-servicetask.bpmn',
    processId: 'looping-servicetask',
    start: { variables: { totalLoops: 3 } },
    jobs: { test: () => ({}) },
    endEvents: ['endevent'],
  },
  {
    file: '27-Quick_Start__Human_Tasks.bpmn',
    processId: 'template-human-task-tutorial-074nxxb',
    start: { variables: {} },
    userTasks: { 'decide-dinner': { meal: 'salad' }, 'prepare-salad': {} },
    endEvents: ['happy-end'],
  },
  {
    file: '39-Expense_Reimbursement.bpmn',
    processId: 'Process_ExpenseReimbursement-0yibie4',
    start: { variables: { supervisorEmail: 'supervisor@example.org' } },
    userTasks: {
      Activity_CreateExpenseReport: { amount: 120 },
      Activity_ReviewExpenseReport_Manager: { reviewOutcome: 'approved' },
      Activity_ReviewExpenseReport_Finance: { reviewOutcome: 'approved' },
    },
    endEvents: ['Event_0hfb7dz'],
  },
  {
    file: '45-exercise-2.bpmn',
    processId: 'PaymentProcess',
    start: { variables: { orderTotal: 40, customerCredit: 30 } },
    endEvents: ['Event_0u2kk5c'],
  },
  {
    file: '49-exercise-6.bpmn',
    processId: 'PaymentProcess',
    start: { variables: { orderTotal: 40, customerCredit: 30 } },
    jobs: {
      'credit-deduction': (v) => ({ openAmount: Number(v.orderTotal) - Number(v.customerCredit) }),
      'credit-card-charging': (v) => ({ charged: v.openAmount }),
    },
    endEvents: ['Event_0u2kk5c'],
  },
  {
    file: '55-conditional-pathway.bpmn',
    processId: 'condition-test',
    start: { variables: { conditionVariable: false } },
    jobs: { wait: () => ({}), pathA: () => ({ path: 'A' }), pathB: () => ({ path: 'B' }) },
    endEvents: ['EndEvent_1g2ztlo'],
  },
];

let stack: CamundaStack;

beforeAll(async () => {
  stack = await startCamundaStack();
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const auth = (user: StaffPrincipal) => `Basic ${Buffer.from(`${user.username}:${PASSWORD}`).toString('base64')}`;

async function v2(
  user: StaffPrincipal,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.address}/v2${path}`, {
    method,
    headers: { authorization: auth(user), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function expectOk(user: StaffPrincipal, method: string, path: string, body?: unknown) {
  const res = await v2(user, method, path, body);
  if (res.status >= 300) throw new Error(`${method} /v2${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function deploy(file: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('resources', new File([readFileSync(join(CORPUS_DIR, file))], file, { type: 'application/xml' }));
  const res = await fetch(`${stack.address}/v2/deployments`, {
    method: 'POST',
    headers: { authorization: auth(stack.admin) },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const corpusFiles = () =>
  readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.bpmn'))
    .sort();

test('the corpus is there: 29 public Camunda 8 diagrams', () => {
  expect(corpusFiles()).toHaveLength(29);
});

test('every diagram deploys unchanged through /v2/deployments, except those refused by element id as "not supported yet"', async () => {
  const outcomes: Record<string, string> = {};
  for (const file of corpusFiles()) {
    const res = await deploy(file);
    if (res.status === 200) {
      outcomes[file] = 'deployed';
      continue;
    }
    const fields = ((res.body.errors ?? []) as Array<{ field: string; message: string }>)
      .filter((p) => /not supported yet/.test(p.message))
      .map((p) => p.field.slice(p.field.indexOf('#') + 1));
    outcomes[file] =
      res.status === 400 && /not supported yet/.test(String(res.body.detail))
        ? `refused: ${[...new Set(fields)].sort().join(', ')}`
        : `${res.status} ${String(res.body.detail)}`;
  }
  const expected = Object.fromEntries(
    corpusFiles().map((f) => [f, REFUSED[f] ? `refused: ${[...REFUSED[f]].sort().join(', ')}` : 'deployed']),
  );
  expect(outcomes).toEqual(expected);
  expect(Object.values(outcomes).filter((o) => o === 'deployed').length).toBe(29 - Object.keys(REFUSED).length);
  expect(Object.keys(REFUSED)).toEqual([]);
}, 180_000);

/** `elementId:assignee` of every user task found assigned when it opened. */
const assignedByListener: string[] = [];

/** Serves the drive's job types and user tasks and publishes its messages until the instance completes. */
async function driveToEnd(d: Drive, instanceKey: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const pending = [...(d.messages ?? [])];
  for (;;) {
    const instance = await expectOk(stack.admin, 'GET', `/process-instances/${instanceKey}`);
    if (instance.state === 'COMPLETED') return;
    if (instance.state !== 'ACTIVE' || instance.hasIncident === true || Date.now() > deadline)
      throw new Error(`${d.file}: the instance is ${String(instance.state)}; ${await diagnosis(instanceKey)}`);
    for (const [type, handler] of Object.entries(d.jobs ?? {})) {
      const { jobs } = (await expectOk(stack.worker, 'POST', '/jobs/activation', {
        type,
        maxJobsToActivate: 10,
        timeout: 30_000,
        requestTimeout: -1,
      })) as { jobs: Array<{ jobKey: string; variables: Record<string, unknown> }> };
      for (const job of jobs) {
        const out = handler(job.variables);
        if ('bpmnError' in out && typeof out.bpmnError === 'string')
          await expectOk(stack.worker, 'POST', `/jobs/${job.jobKey}/error`, { errorCode: out.bpmnError });
        else if ('jobResult' in out)
          await expectOk(stack.worker, 'POST', `/jobs/${job.jobKey}/completion`, {
            result: out.jobResult,
            ...(out.variables ? { variables: out.variables } : {}),
          });
        else await expectOk(stack.worker, 'POST', `/jobs/${job.jobKey}/completion`, { variables: out });
      }
    }
    const { items } = (await expectOk(stack.admin, 'POST', '/user-tasks/search', {
      filter: { processInstanceKey: instanceKey, state: 'CREATED' },
    })) as { items: Array<{ userTaskKey: string; elementId: string; assignee?: string }> };
    for (const task of items) {
      assignedByListener.push(...(task.assignee ? [`${task.elementId}:${task.assignee}`] : []));
      const variables = d.userTasks?.[task.elementId];
      if (!variables) throw new Error(`${d.file}: no completion for user task ${task.elementId}`);
      await expectOk(stack.admin, 'POST', `/user-tasks/${task.userTaskKey}/assignment`, {
        assignee: stack.caseworker.username,
      });
      await expectOk(stack.caseworker, 'POST', `/user-tasks/${task.userTaskKey}/completion`, { variables });
    }
    const waiting = await selectOne<{ n: string }>(
      stack.db,
      `SELECT count(*) AS n FROM event_subscriptions s JOIN process_instances i ON i.id = s.process_instance_id WHERE i.key = $1`,
      [instanceKey],
    );
    if (pending.length > 0 && Number(waiting!.n) > 0) {
      const m = pending.shift()!;
      await expectOk(stack.manager, 'POST', '/messages/correlation', { variables: {}, ...m });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function diagnosis(instanceKey: string): Promise<string> {
  const row = await selectOne<{ id: string }>(stack.db, 'SELECT id FROM process_instances WHERE key = $1', [
    instanceKey,
  ]);
  if (!row) return 'no instance row';
  const s = await stack.engine.env.client.workflow.getHandle(row.id).query(instanceStateQuery);
  return JSON.stringify({ active: s.active.map((a) => a.elementId), incidents: s.incidents, variables: s.variables });
}

/** End events completed by the instance and by the instances it called, from their own logs. */
async function endEventsReached(instanceKey: string): Promise<string[]> {
  const rows = await stack.db.sequelize.query<{ id: string; compiled: { nodes: Record<string, { kind: string }> } }>(
    `SELECT c.id, d.compiled FROM process_instances p
       JOIN process_instances c ON c.id = p.id OR c.id LIKE p.id || '~call-%'
       JOIN process_definitions d ON d.id = c.definition_id
      WHERE p.key = $1 ORDER BY c.id`,
    { bind: [instanceKey], type: QueryTypes.SELECT },
  );
  const reached: string[] = [];
  for (const { id, compiled } of rows) {
    const s = await stack.engine.env.client.workflow.getHandle(id).query(instanceStateQuery);
    for (const e of s.completed)
      if (e.state === 'completed' && compiled.nodes[e.elementId]?.kind === 'endEvent') reached.push(e.elementId);
  }
  return reached.sort();
}

/** Starts the drive's instance as its diagram is started: created, by a message, or by a signal. */
async function startDrive(d: Drive, processDefinitionKey: string): Promise<string> {
  if ('variables' in d.start) {
    const created = await expectOk(stack.admin, 'POST', '/process-instances', {
      processDefinitionKey,
      variables: d.start.variables,
    });
    return String(created.processInstanceKey);
  }
  if ('message' in d.start) {
    // A message start stands for another system's event: the integration account publishes it.
    const m = await expectOk(stack.worker, 'POST', '/messages/correlation', { variables: {}, ...d.start.message });
    return String(m.processInstanceKey);
  }
  const broadcast = await expectOk(stack.manager, 'POST', '/signals/broadcast', {
    signalName: d.start.signal.name,
    variables: d.start.signal.variables,
  });
  expect(broadcast.signalKey).toMatch(/^\d+$/);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await selectOne<{ key: string }>(
      stack.db,
      `SELECT i.key::text AS key FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
        WHERE d.key = $1 ORDER BY i.started_at DESC LIMIT 1`,
      [d.processId],
    );
    if (row) return row.key;
    if (Date.now() > deadline) throw new Error(`${d.file}: the broadcast started no instance`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('driven to their end events through /v2 with job workers', () => {
  for (const d of DRIVES.filter((x) => x.endEvents.length > 0)) {
    test(`${d.file}: reaches ${[...new Set(d.endEvents)].join(', ')}`, async () => {
      const deployed = await deploy(d.file);
      expect(deployed.status).toBe(200);
      const process = (
        deployed.body.deployments as Array<
          Record<string, { processDefinitionId: string; processDefinitionKey: string }>
        >
      )
        .map((x) => x.processDefinition)
        .find((p) => p?.processDefinitionId === d.processId);
      expect(process).toBeDefined();
      const instanceKey = await startDrive(d, process!.processDefinitionKey);
      await driveToEnd(d, instanceKey);
      expect(await endEventsReached(instanceKey)).toEqual([...d.endEvents].sort());
    }, 120_000);
  }

  test('31: the agent got a second job holding the tool call result', () => {
    expect(agentTurns).toEqual(['no results yet', 'a joke about BPMN']);
  });

  test('41 compensated the completed task once, after the error was caught', () => {
    // Both jobs are addQueueItem connector calls: the task, then its compensation handler.
    expect(rpaCalls).toEqual(['add:0', 'add:1']);
  });

  test('the listeners of 03 and 29 ran as Camunda runs them', () => {
    // 03: the start event's end listener ran before the first service, which saw its variables.
    expect(listenerCalls).toEqual(['correlated', 'service1:true']);
    // 29: the task opened already assigned by its creating listener's correction.
    expect(assignedByListener).toContain('Auto_assigned_by_task_listener_on_creating_event:corpus-listener');
  });
});
