/**
 * Runs the pure engine inside the workflow: feeds it events and carries out its commands with
 * Temporal primitives (activities, timers, child workflows). Everything here is workflow code:
 * deterministic, time from the workflow clock, no I/O except through activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  executeChild,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { handleEvent, instanceView, startInstance, userTaskCompletionProblems } from './engine';
import type {
  BpmnErrorThrown,
  EngineCommand,
  EngineEvent,
  EngineState,
  UserTaskChanges,
  Variables,
} from './engine/types';
import { jobActivity, LOCAL_RETRY_THRESHOLD_MS } from './job-activities';
import {
  BPMN_ERROR_TYPE,
  DENIED_ERROR_TYPE,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ChangeUserTaskInput,
  type ChangeUserTaskResult,
  type SetVariablesInput,
  type SetVariablesResult,
  type CompleteJobInput,
  type FailJobInput,
  type ThrowJobErrorInput,
  type CompleteUserTaskInput,
  type CompleteUserTaskResult,
  type EngineActivities,
  type InstanceStateView,
  type ProcessInstanceInput,
  type ProcessInstanceResult,
  type RecordInstanceInput,
  type RetryIncidentInput,
} from './contract';

/** Database work (task rows, status mirror, publishing): retried until it succeeds. */
const DB_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const queuedDb = proxyActivities<EngineActivities>(DB_OPTIONS);
/**
 * The same work as local activities: this worker runs it and records a marker, with no
 * task-queue round trip (each instance has at least two: its status when it starts and ends).
 * Retries back off by at most the threshold, so they stay in the worker under one activity id.
 */
const localDb = proxyLocalActivities<EngineActivities>({
  ...DB_OPTIONS,
  localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
});
/**
 * Instances started before the engine's database work ran locally have queued activities in
 * their history; they must replay with those (test/workflows/fixtures/histories).
 */
export const LOCAL_ENGINE_DB_PATCH = 'engine-db-as-local-activities';
/**
 * Plain dates in timers and due dates start at midnight in England (UK local time); instances
 * started before keep midnight UTC, so their timers replay as armed.
 */
export const PLAIN_DATES_IN_ENGLAND_PATCH = 'plain-dates-in-england';
/**
 * Timers take cron cycles and date-times with a zone id; instances started before refused them
 * (an incident) and keep doing so on replay.
 */
export const CRON_AND_ZONE_IDS_PATCH = 'timers-with-cron-and-zone-ids';
/**
 * Called instances were `<parent>/<call id>`, which no `/process-instances/{id}` route can take;
 * they are `<parent>~<call id>` now. Instances that called before keep the old ids on replay.
 */
export const CHILD_ID_PATCH = 'called-instance-ids-without-slash';
/**
 * User task due and follow-up dates take date-times with a zone id; instances started before
 * raised an incident for them and keep doing so on replay.
 */
export const ZONED_TASK_DATES_PATCH = 'user-task-dates-with-zone-ids';
/**
 * Canceling task listeners hold the interrupting event's path and the instance's cancellation
 * until they have run; instances started before ran them beside the path and not on cancellation.
 */
export const CANCELING_LISTENERS_HOLD_PATCH = 'canceling-task-listeners-hold';
/**
 * Creating task listeners' jobs (and assigning ones as a task with an assignee opens) carry the
 * task's attributes as Camunda 8.8 gives them; instances started before gave them only the key.
 */
export const NEW_TASK_LISTENER_HEADERS_PATCH = 'new-task-listener-headers';
/**
 * A multi-instance body or ad-hoc sub-process ended by its completion condition completes once the
 * canceling listeners of the user tasks it cut short have run; instances started before completed
 * at once and ran them beside.
 */
export const CANCELING_LISTENERS_HOLD_COMPLETION_PATCH = 'canceling-task-listeners-hold-completion-condition';
/**
 * Canceling task listeners' corrections are seen by the next canceling listener and written to the
 * cancelled task; instances started before ignored them.
 */
export const CANCELING_LISTENER_CORRECTIONS_PATCH = 'canceling-task-listener-corrections';

/** Resolving a called definition: a missing definition is not going to appear by retrying. */
const resolver = proxyActivities<Pick<EngineActivities, 'engineResolveDefinition'>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['DefinitionNotFound'] },
});

type Outcome = Extract<EngineCommand, { type: 'complete' | 'terminate' | 'fail' }>;

/** Error type of a refused update (the validator said no). */
export const REFUSED_ERROR_TYPE = 'Refused';

function asVariables(value: unknown): Variables {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Variables) : {};
}

/** What a failed activity or child means for the engine: a BPMN error (catchable) or a plain failure (incident). */
function describeFailure(err: unknown): { message: string; bpmnError?: BpmnErrorThrown } {
  let cause: unknown = err;
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) cause = err.cause ?? err;
  if (cause instanceof ApplicationFailure && cause.type === BPMN_ERROR_TYPE) {
    const details = (cause.details?.[0] ?? {}) as { errorCode?: unknown; variables?: unknown };
    const code = typeof details.errorCode === 'string' ? details.errorCode : cause.message;
    const variables = asVariables(details.variables);
    return {
      message: cause.message,
      bpmnError: { code, message: cause.message, ...(Object.keys(variables).length > 0 ? { variables } : {}) },
    };
  }
  return { message: cause instanceof Error ? cause.message : String(cause) };
}

export class InstanceRunner {
  state!: EngineState;
  outcome: Outcome | undefined;
  /** Jobs, child calls and database writes still running: continue-as-new waits for none. */
  inFlight = 0;
  /**
   * Parent of every job, timer and child scope. Not cancellable: when Temporal cancels the
   * workflow, the engine decides what ends (and the runner cancels exactly that).
   */
  private readonly workScope = new CancellationScope({ cancellable: false });
  private readonly timers = new Map<string, CancellationScope>();
  private readonly jobs = new Map<string, CancellationScope>();
  private readonly children = new Map<string, CancellationScope>();
  /** Jobs and children this instance cancelled itself (their cancellation is not a failure). */
  private readonly cancelledByUs = new Set<string>();
  private dbQueue: Promise<void> = Promise.resolve();
  /** Queued or local engine activities, decided once per run (see LOCAL_ENGINE_DB_PATCH). */
  private db: EngineActivities = queuedDb;
  private mirroredStatus: RecordInstanceInput['status'] | undefined;
  /** Task transitions held by listeners that have ended, by `<task id>:<event>`, until their update reads them. */
  private readonly transitionsEnded = new Map<string, Extract<EngineCommand, { type: 'userTaskTransitionEnded' }>>();

  constructor(private readonly input: ProcessInstanceInput) {}

  private get graph() {
    return this.input.definition.graph;
  }

  /** Graphs of semantics 2 (Camunda 8) mirror jobs, subscriptions and incidents for the /v2 API. */
  private get camunda(): boolean {
    return (this.graph.semantics ?? 1) >= 2;
  }

  /** A new instance runs its start; a continued one re-arms its timers from their absolute deadlines. */
  start(): void {
    if (patched(LOCAL_ENGINE_DB_PATCH)) this.db = localDb;
    if (this.input.state) {
      this.state = this.input.state;
      this.mirroredStatus = Object.keys(this.state.incidents).length > 0 ? 'incident' : 'running';
      for (const wait of Object.values(this.state.waits)) {
        if (wait.type === 'timer') this.startTimer(wait.id, wait.fireAt);
      }
      return;
    }
    const step = startInstance(this.graph, this.input.variables ?? {}, Date.now(), {
      idSeed: uuid4().slice(0, 24),
      // Instances started before keep midnight UTC for plain dates (their histories have no marker).
      plainDatesInEngland: patched(PLAIN_DATES_IN_ENGLAND_PATCH),
      cronAndZoneIds: patched(CRON_AND_ZONE_IDS_PATCH),
      zonedTaskDates: patched(ZONED_TASK_DATES_PATCH),
      cancelingListenersHold: patched(CANCELING_LISTENERS_HOLD_PATCH),
      newTaskListenerHeaders: patched(NEW_TASK_LISTENER_HEADERS_PATCH),
      cancelingListenersHoldCompletion: patched(CANCELING_LISTENERS_HOLD_COMPLETION_PATCH),
      cancelingListenerCorrections: patched(CANCELING_LISTENER_CORRECTIONS_PATCH),
      ...(this.input.startEventId ? { startEventId: this.input.startEventId } : {}),
      ...(this.input.messageName ? { messageName: this.input.messageName } : {}),
    });
    this.state = step.state;
    // The row comes first: task rows refer to it, and the queue keeps database writes in order.
    this.mirror('running');
    this.execute(step.commands);
  }

  /** Feeds one event to the engine and carries out the resulting commands. */
  dispatch(event: EngineEvent): boolean {
    if (this.outcome) return false;
    const step = handleEvent(this.graph, this.state, event, Date.now(), { inPlace: true });
    this.state = step.state;
    this.execute(step.commands);
    return step.accepted;
  }

  view(): InstanceStateView {
    const d = this.input.definition;
    return {
      ...instanceView(this.state),
      definition: { id: d.id, key: d.key, version: d.version },
      businessKey: this.input.businessKey ?? null,
      historyLength: workflowInfo().historyLength,
    };
  }

  // ------------------------------------------------------------------ updates

  validateCompletion(input: CompleteUserTaskInput): void {
    const problems: string[] = [];
    if (!input || typeof input.taskId !== 'string') problems.push('taskId is required');
    else if (typeof input.actor !== 'string' || input.actor.trim() === '')
      problems.push('actor (the username completing the task) is required');
    else if (input.outcome !== undefined && input.outcome !== null && typeof input.outcome !== 'string')
      problems.push('outcome should be text');
    else if (this.heldTransition(input.taskId))
      problems.push(`the task is waiting for its ${this.heldTransition(input.taskId)} listeners`);
    else problems.push(...userTaskCompletionProblems(this.state, input.taskId, input.data));
    if (problems.length > 0)
      throw ApplicationFailure.create({
        type: REFUSED_ERROR_TYPE,
        message: problems.join('; '),
        details: [problems],
        nonRetryable: true,
      });
  }

  completeUserTask(input: CompleteUserTaskInput): CompleteUserTaskResult | Promise<CompleteUserTaskResult> {
    const wait = this.state.waits[input.taskId];
    this.transitionsEnded.delete(`${input.taskId}:completing`);
    const accepted = this.dispatch({
      type: 'userTaskCompleted',
      taskId: input.taskId,
      data: input.data,
      actor: input.actor,
      ...(typeof input.outcome === 'string' ? { outcome: input.outcome } : {}),
    });
    if (!accepted || !wait)
      throw ApplicationFailure.create({
        type: REFUSED_ERROR_TYPE,
        message: `user task ${input.taskId} is not open`,
        nonRetryable: true,
      });
    const done = () => ({ taskId: input.taskId, elementId: wait.nodeId, status: this.state.status });
    // With completing listeners the update answers once they have run (Camunda's blocking behaviour).
    if (this.heldTransition(input.taskId) === 'completing')
      return this.transitionOutcome(input.taskId, 'completing').then((corrections) => ({
        ...done(),
        ...(Object.keys(corrections).length > 0 ? { corrections } : {}),
      }));
    return done();
  }

  /** The transition task listeners hold on an open task, if any. */
  private heldTransition(taskId: string): string | undefined {
    const wait = this.state.waits[taskId];
    return wait?.type === 'userTask' ? this.state.instances[wait.ownerId]?.pendingTransition?.eventType : undefined;
  }

  validateChange(input: ChangeUserTaskInput): void {
    const problems: string[] = [];
    const wait = typeof input?.taskId === 'string' ? this.state.waits[input.taskId] : undefined;
    if (wait?.type !== 'userTask') problems.push(`user task ${String(input?.taskId)} is not open`);
    else if (this.heldTransition(input.taskId))
      problems.push(`the task is waiting for its ${this.heldTransition(input.taskId)} listeners`);
    if (input?.eventType !== 'assigning' && input?.eventType !== 'updating')
      problems.push('eventType should be assigning or updating');
    if (!input?.changes || typeof input.changes !== 'object' || Array.isArray(input.changes))
      problems.push('changes should be an object');
    if (typeof input?.actor !== 'string' || input.actor.trim() === '') problems.push('actor is required');
    if (problems.length > 0)
      throw ApplicationFailure.create({ type: REFUSED_ERROR_TYPE, message: problems.join('; '), nonRetryable: true });
  }

  /** An assignment or update: its listeners run, then the changes to make come back. */
  changeUserTask(input: ChangeUserTaskInput): Promise<ChangeUserTaskResult> {
    this.transitionsEnded.delete(`${input.taskId}:${input.eventType}`);
    this.dispatch({
      type: 'userTaskChangeRequested',
      taskId: input.taskId,
      eventType: input.eventType,
      changes: input.changes,
      actor: input.actor,
    });
    return this.transitionOutcome(input.taskId, input.eventType).then((changes) => ({ taskId: input.taskId, changes }));
  }

  /** The open user task an element instance waits on, if any. */
  private openTaskOf(elementInstanceId: string): string | undefined {
    return Object.values(this.state.waits).find((w) => w.type === 'userTask' && w.ownerId === elementInstanceId)?.id;
  }

  validateSetVariables(input: SetVariablesInput): void {
    const problems: string[] = [];
    const id = input?.elementInstanceId ?? this.state.rootId;
    const inst = typeof id === 'string' ? this.state.instances[id] : undefined;
    if (this.state.status !== 'running') problems.push(`the process instance is ${this.state.status}`);
    else if (!inst || inst.state !== 'active') problems.push(`element instance ${String(id)} is not active`);
    else {
      const taskId = this.openTaskOf(inst.id);
      const held = taskId ? this.heldTransition(taskId) : undefined;
      if (held) problems.push(`the user task is waiting for its ${held} listeners`);
    }
    if (!input?.variables || typeof input.variables !== 'object' || Array.isArray(input.variables))
      problems.push('variables should be an object');
    if (typeof input?.actor !== 'string' || input.actor.trim() === '') problems.push('actor is required');
    if (problems.length > 0)
      throw ApplicationFailure.create({ type: REFUSED_ERROR_TYPE, message: problems.join('; '), nonRetryable: true });
  }

  /** Variables set on an element instance: on a user task's, once its updating listeners have completed. */
  async setVariables(input: SetVariablesInput): Promise<SetVariablesResult> {
    const elementInstanceId = input.elementInstanceId ?? this.state.rootId;
    const taskId = this.openTaskOf(elementInstanceId);
    if (taskId) this.transitionsEnded.delete(`${taskId}:updating`);
    const accepted = this.dispatch({
      type: 'variablesSet',
      elementInstanceId,
      variables: input.variables,
      ...(input.local === true ? { local: true } : {}),
    });
    if (!accepted)
      throw ApplicationFailure.create({
        type: REFUSED_ERROR_TYPE,
        message: `element instance ${elementInstanceId} took no variables`,
        nonRetryable: true,
      });
    if (!taskId) return { changes: {} };
    const changes = await this.transitionOutcome(taskId, 'updating');
    return { taskId, changes };
  }

  /** Waits until the task's transition has ended: its changes when done; a failure when denied or cancelled. */
  private async transitionOutcome(
    taskId: string,
    eventType: 'assigning' | 'updating' | 'completing',
  ): Promise<UserTaskChanges> {
    const key = `${taskId}:${eventType}`;
    await condition(() => this.transitionsEnded.has(key) || this.outcome !== undefined);
    const ended = this.transitionsEnded.get(key);
    this.transitionsEnded.delete(key);
    if (ended?.outcome === 'done') return ended.changes ?? {};
    if (ended?.outcome === 'denied')
      throw ApplicationFailure.create({
        type: DENIED_ERROR_TYPE,
        message: `a ${eventType} task listener denied it${ended.reason ? `: ${ended.reason}` : ''}`,
        nonRetryable: true,
      });
    throw ApplicationFailure.create({
      type: REFUSED_ERROR_TYPE,
      message: ended
        ? 'the task was cancelled while its listeners ran'
        : `the process instance is ${this.state.status}`,
      nonRetryable: true,
    });
  }

  validateRetry(input: RetryIncidentInput): void {
    if (this.state.status !== 'running')
      throw ApplicationFailure.create({
        type: REFUSED_ERROR_TYPE,
        message: `the process instance is ${this.state.status}`,
        nonRetryable: true,
      });
    if (!input || typeof input.incidentId !== 'string' || !this.state.incidents[input.incidentId]) {
      throw ApplicationFailure.create({
        type: REFUSED_ERROR_TYPE,
        message: `incident ${String(input?.incidentId)} is not open in this process instance`,
        nonRetryable: true,
      });
    }
    if (
      input.variables !== undefined &&
      (input.variables === null || typeof input.variables !== 'object' || Array.isArray(input.variables))
    ) {
      throw ApplicationFailure.create({
        type: REFUSED_ERROR_TYPE,
        message: 'variables should be an object',
        nonRetryable: true,
      });
    }
  }

  retryIncident(input: RetryIncidentInput): { incidentId: string; status: EngineState['status'] } {
    this.dispatch({
      type: 'incidentRetried',
      incidentId: input.incidentId,
      ...(input.variables ? { variables: input.variables } : {}),
    });
    return { incidentId: input.incidentId, status: this.state.status };
  }

  // ------------------------------------------------------------------ external jobs

  /** Refuses (with no history) a job that is not an external job this instance waits for. */
  validateJob(input: { jobId?: unknown } | undefined, extra: string[] = []): void {
    const problems = [...extra];
    const wait = typeof input?.jobId === 'string' ? this.state.waits[input.jobId] : undefined;
    if (this.state.status !== 'running') problems.push(`the process instance is ${this.state.status}`);
    else if (wait?.type !== 'job' || !wait.external)
      problems.push(`job ${String(input?.jobId)} is not open in this process instance`);
    if (problems.length > 0)
      throw ApplicationFailure.create({ type: REFUSED_ERROR_TYPE, message: problems.join('; '), nonRetryable: true });
  }

  completeJob(input: CompleteJobInput): { jobId: string; status: EngineState['status'] } {
    this.dispatch({
      type: 'jobCompleted',
      jobId: input.jobId,
      variables: asVariables(input.variables),
      ...(input.corrections ? { corrections: input.corrections } : {}),
      ...(input.denied === true
        ? { denied: true, ...(input.deniedReason ? { deniedReason: input.deniedReason } : {}) }
        : {}),
      ...(input.adHoc ? { adHoc: input.adHoc } : {}),
    });
    this.closeJob(input.jobId, 'completed');
    return { jobId: input.jobId, status: this.state.status };
  }

  failJob(input: FailJobInput): { jobId: string; status: EngineState['status'] } {
    this.dispatch({ type: 'jobFailed', jobId: input.jobId, message: input.errorMessage || 'the job failed' });
    this.closeJob(input.jobId, 'failed', input.errorMessage);
    return { jobId: input.jobId, status: this.state.status };
  }

  throwJobError(input: ThrowJobErrorInput): { jobId: string; status: EngineState['status'] } {
    const variables = asVariables(input.variables);
    this.dispatch({
      type: 'jobFailed',
      jobId: input.jobId,
      message: input.errorMessage || input.errorCode,
      bpmnError: {
        code: input.errorCode,
        ...(input.errorMessage ? { message: input.errorMessage } : {}),
        ...(Object.keys(variables).length > 0 ? { variables } : {}),
      },
    });
    this.closeJob(input.jobId, 'error_thrown', input.errorMessage);
    return { jobId: input.jobId, status: this.state.status };
  }

  private closeJob(jobId: string, state: 'completed' | 'cancelled' | 'failed' | 'error_thrown', errorMessage?: string) {
    this.enqueueDb(() =>
      this.db.engineCloseJob({
        processInstanceId: workflowInfo().workflowId,
        jobId,
        state,
        ...(errorMessage ? { errorMessage } : {}),
      }),
    );
  }

  // ------------------------------------------------------------------ ending

  result(): ProcessInstanceResult {
    const outcome = this.outcome;
    if (!outcome) throw new Error('the instance has not ended');
    if (outcome.type === 'fail') {
      throw ApplicationFailure.create({
        type: BPMN_ERROR_TYPE,
        message: outcome.message,
        nonRetryable: true,
        details: [{ errorCode: outcome.errorCode ?? null }],
      });
    }
    if (outcome.type === 'complete') return { status: 'completed', variables: outcome.variables };
    return { status: outcome.reason === 'cancelled' ? 'cancelled' : 'terminated', variables: outcome.variables };
  }

  /** Waits for the database writes queued so far (the final status mirror included). */
  async flush(): Promise<void> {
    await this.dbQueue;
  }

  // ------------------------------------------------------------------ commands

  private execute(commands: readonly EngineCommand[]): void {
    for (const c of commands) {
      switch (c.type) {
        case 'runJob':
          if (c.external) this.createExternalJob(c);
          else this.runJob(c);
          break;
        case 'cancelJob':
          if (c.external) this.closeJob(c.jobId, 'cancelled');
          else this.cancelScope(this.jobs, c.jobId);
          break;
        case 'openSubscription':
          this.openSubscription(c);
          break;
        case 'closeSubscription':
          this.enqueueDb(() =>
            this.db.engineCloseSubscription({ processInstanceId: workflowInfo().workflowId, waitId: c.waitId }),
          );
          break;
        case 'startTimer':
          this.startTimer(c.timerId, c.fireAt);
          break;
        case 'cancelTimer':
          this.timers.get(c.timerId)?.cancel();
          this.timers.delete(c.timerId);
          break;
        case 'openUserTask': {
          const { type: _type, ...task } = c;
          this.enqueueDb(() =>
            this.db.engineOpenHumanTask({
              processInstanceId: workflowInfo().workflowId,
              businessKey: this.input.businessKey ?? null,
              ...task,
            }),
          );
          break;
        }
        case 'cancelUserTask':
          this.enqueueDb(() => this.db.engineCancelHumanTask({ taskId: c.taskId }));
          break;
        case 'correctCancelledUserTask':
          this.enqueueDb(() => this.db.engineCorrectCancelledTask({ taskId: c.taskId, changes: c.changes }));
          break;
        case 'startChild':
          this.startChild(c);
          break;
        case 'cancelChild':
          this.cancelScope(this.children, c.callId);
          break;
        case 'broadcastSignal':
          this.enqueueDb(() =>
            this.db.engineBroadcastSignal({
              name: c.name,
              variables: c.variables,
              sourceInstanceId: workflowInfo().workflowId,
            }),
          );
          break;
        case 'publishMessage':
          this.enqueueDb(() =>
            this.db.enginePublishMessage({
              name: c.name,
              correlationKey: c.correlationKey,
              variables: c.variables,
              sourceInstanceId: workflowInfo().workflowId,
              ...(this.camunda ? { correlation: 'camunda' as const } : {}),
            }),
          );
          break;
        case 'userTaskTransitionEnded':
          this.transitionsEnded.set(`${c.taskId}:${c.eventType}`, c);
          break;
        case 'incidentOpened':
        case 'incidentResolved':
          this.mirror(Object.keys(this.state.incidents).length > 0 ? 'incident' : 'running');
          if (this.camunda) this.recordIncident(c);
          break;
        case 'complete':
        case 'terminate':
        case 'fail':
          this.outcome = c;
          this.mirror(
            c.type === 'complete'
              ? 'completed'
              : c.type === 'fail'
                ? 'failed'
                : c.reason === 'cancelled'
                  ? 'cancelled'
                  : 'terminated',
            Date.now(),
          );
          break;
      }
    }
  }

  private cancelScope(scopes: Map<string, CancellationScope>, id: string): void {
    const scope = scopes.get(id);
    if (!scope) return;
    this.cancelledByUs.add(id);
    scope.cancel();
  }

  private enqueueDb(op: () => Promise<unknown>): void {
    this.inFlight++;
    this.dbQueue = this.dbQueue
      // Never cancelled: a cancelled instance must still cancel its task rows and record its status.
      .then(() => CancellationScope.nonCancellable(op))
      .then(
        () => undefined,
        (err: unknown) =>
          log.error('engine database activity failed', { error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.inFlight--;
      });
  }

  private mirror(status: RecordInstanceInput['status'], endedAt?: number): void {
    if (status === this.mirroredStatus && endedAt === undefined) return;
    this.mirroredStatus = status;
    const record: RecordInstanceInput = {
      processInstanceId: workflowInfo().workflowId,
      definitionId: this.input.definition.id,
      businessKey: this.input.businessKey ?? null,
      startedBy: this.input.startedBy ?? null,
      status,
      startedAt: this.state.startedAt,
      ...(endedAt !== undefined ? { endedAt } : {}),
      ...(this.camunda ? { subscriptionsTracked: true } : {}),
    };
    this.enqueueDb(() => this.db.engineRecordInstance(record));
  }

  private createExternalJob(c: Extract<EngineCommand, { type: 'runJob' }>): void {
    this.enqueueDb(() =>
      this.db.engineCreateJob({
        processInstanceId: workflowInfo().workflowId,
        jobId: c.jobId,
        elementId: c.elementId,
        elementInstanceId: c.elementInstanceId,
        type: c.activityType,
        retries: c.retries ?? 3,
        headers: c.headers,
        variables: c.input,
        ...(c.listener
          ? {
              kind: c.listener.kind === 'task' ? ('TASK_LISTENER' as const) : ('EXECUTION_LISTENER' as const),
              listenerEventType: c.listener.eventType.toUpperCase(),
            }
          : {}),
        ...(c.adHoc ? { kind: 'AD_HOC_SUB_PROCESS' as const } : {}),
        ...(c.userTaskId !== undefined ? { userTaskId: c.userTaskId } : {}),
      }),
    );
  }

  /** Records the subscription; a message kept for its time to live that matches it is delivered at once. */
  private openSubscription(c: Extract<EngineCommand, { type: 'openSubscription' }>): void {
    this.enqueueDb(async () => {
      const buffered = await this.db.engineOpenSubscription({
        processInstanceId: workflowInfo().workflowId,
        processKey: this.input.definition.key,
        waitId: c.waitId,
        kind: c.kind,
        name: c.name,
        correlationKey: c.correlationKey,
        elementId: c.elementId,
      });
      if (buffered)
        this.dispatch({
          type: 'messageReceived',
          name: buffered.name,
          correlationKey: buffered.correlationKey,
          variables: buffered.variables,
        });
    });
  }

  private recordIncident(c: Extract<EngineCommand, { type: 'incidentOpened' | 'incidentResolved' }>): void {
    const processInstanceId = workflowInfo().workflowId;
    if (c.type === 'incidentResolved') {
      this.enqueueDb(() =>
        this.db.engineRecordIncident({ processInstanceId, incidentId: c.incidentId, state: 'resolved' }),
      );
      return;
    }
    const i = c.incident;
    this.enqueueDb(() =>
      this.db.engineRecordIncident({
        processInstanceId,
        incidentId: i.id,
        state: 'active',
        elementId: i.elementId,
        elementInstanceId: i.elementInstanceId,
        kind: i.kind,
        message: i.message,
        ...(i.jobId ? { jobId: i.jobId } : {}),
      }),
    );
  }

  private runJob(c: Extract<EngineCommand, { type: 'runJob' }>): void {
    const scope = new CancellationScope({ cancellable: true, parent: this.workScope });
    this.jobs.set(c.jobId, scope);
    this.inFlight++;
    const call = jobActivity(c.activityType, { retries: c.retries, local: c.local === true });
    void scope
      // The job context is the activity's argument, not a command attribute: adding to it changes no replay.
      .run(() => call(c.input, { elementId: c.elementId, elementInstanceId: c.elementInstanceId, headers: c.headers }))
      .then(
        async (result) => {
          await this.afterQueuedDb();
          this.dispatch({ type: 'jobCompleted', jobId: c.jobId, variables: asVariables(result) });
        },
        async (err: unknown) => {
          if (this.cancelledByUs.delete(c.jobId)) return;
          await this.afterQueuedDb();
          this.dispatch({ type: 'jobFailed', jobId: c.jobId, ...describeFailure(err) });
        },
      )
      .finally(() => {
        this.jobs.delete(c.jobId);
        this.inFlight--;
      });
  }

  /**
   * Graphs of semantics 2 queue more database activities (subscriptions, jobs, incidents), which
   * run beside a local job. Were a job's outcome dispatched at once, the order in which the next
   * commands take their sequence numbers would depend on which local activity finished first, and
   * a replay does not resolve them in that order (a nondeterminism error). Dispatching only once
   * the queue has drained makes the order the same in every run.
   */
  private async afterQueuedDb(): Promise<void> {
    if (this.camunda) await this.dbQueue;
  }

  private startTimer(timerId: string, fireAt: number): void {
    const scope = new CancellationScope({ cancellable: true, parent: this.workScope });
    this.timers.set(timerId, scope);
    void scope
      .run(() => sleep(Math.max(1, fireAt - Date.now())))
      .then(
        () => {
          this.timers.delete(timerId);
          this.dispatch({ type: 'timerFired', timerId });
        },
        (err: unknown) => {
          this.timers.delete(timerId);
          if (!isCancellation(err)) throw err;
        },
      );
  }

  private startChild(c: Extract<EngineCommand, { type: 'startChild' }>): void {
    const scope = new CancellationScope({ cancellable: true, parent: this.workScope });
    this.children.set(c.callId, scope);
    this.inFlight++;
    const parent = this.input;
    void scope
      .run(async () => {
        const definition = await resolver.engineResolveDefinition({
          processId: c.processId,
          version: c.version,
          callerDefinitionId: parent.definition.id,
        });
        const input: ProcessInstanceInput = {
          definition,
          businessKey: parent.businessKey ?? null,
          variables: c.variables,
          ...(parent.historyLimit ? { historyLimit: parent.historyLimit } : {}),
        };
        const separator = patched(CHILD_ID_PATCH) ? '~' : '/';
        return executeChild(PROCESS_INSTANCE_WORKFLOW_TYPE, {
          workflowId: `${workflowInfo().workflowId}${separator}${c.callId}`,
          args: [input],
        }) as Promise<ProcessInstanceResult>;
      })
      .then(
        (result) => {
          this.dispatch({ type: 'childCompleted', callId: c.callId, variables: result.variables });
        },
        (err: unknown) => {
          if (this.cancelledByUs.delete(c.callId)) return;
          this.dispatch({ type: 'childFailed', callId: c.callId, ...describeFailure(err) });
        },
      )
      .finally(() => {
        this.children.delete(c.callId);
        this.inFlight--;
      });
  }
}
