/**
 * The interpreter workflow's public contract: its type name, input and result, and the
 * signals, updates and query the API uses. Imported by the workflow and by Node code (API,
 * workers, tests): definitions only, no Node built-ins.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CalledVersion } from '../bpmn/runtime';
import type { DeployedDefinition } from '../deployment/deployed-definition';
import type { AdHocResult, EngineState, UserTaskChanges, UserTaskCorrections, Variables } from './engine/types';
import type { InstanceView } from './engine/view';

/** Workflow type name of the BPMN interpreter (`processInstance`). */
export const PROCESS_INSTANCE_WORKFLOW_TYPE = 'processInstance';

export interface ProcessInstanceInput {
  definition: DeployedDefinition;
  /** Correlates messages to this instance (e.g. the child's NHS number); mirrored in process_instances. */
  businessKey?: string | null;
  variables?: Variables;
  /** Start at this start event (timer start) or at the message start event with this name. */
  startEventId?: string;
  messageName?: string;
  /** staff_users.id of whoever started it, mirrored in process_instances. */
  startedBy?: number | null;
  /** Set by the interpreter itself when it continues as new: the engine state to resume. */
  state?: EngineState;
  /** Continue as new once the history has this many events (default 8000; Temporal also suggests it). */
  historyLimit?: number;
}

export interface ProcessInstanceResult {
  status: 'completed' | 'terminated' | 'cancelled';
  variables: Variables;
}

/**
 * The second argument every catalogue activity receives from a service/send task (the first
 * is the task's visible variables): which element runs it, and its `zeebe:taskHeaders`.
 * Implementations that need neither simply declare one parameter.
 */
export interface JobContext {
  elementId: string;
  /**
   * The BPMN element instance running the job: the same for every attempt of one step, incident
   * retries included (keys idempotent writes such as outbox rows). Absent in jobs scheduled
   * before it was passed.
   */
  elementInstanceId?: string;
  headers: Record<string, string>;
}

/**
 * Error type of a BPMN error: thrown by an activity (`bpmnError()`, details: [{ errorCode, variables? }])
 * and by the workflow when a BPMN error is not caught (details: [{ errorCode }]).
 */
export const BPMN_ERROR_TYPE = 'BpmnError';

// ---------------------------------------------------------------- signals

export interface CorrelateMessageInput {
  name: string;
  correlationKey?: string | null;
  variables?: Variables;
  /** Keep the message this long when nothing waits for it yet (default: not kept). */
  timeToLiveMs?: number;
}
/** A message for this instance; correlated to the oldest waiting subscription with the same name and key. */
export const correlateMessageSignal = defineSignal<[CorrelateMessageInput]>('correlateMessage');

export interface BroadcastSignalInput {
  name: string;
  variables?: Variables;
}
/** A broadcast BPMN signal: every subscription of this instance to the name triggers. */
export const broadcastSignalSignal = defineSignal<[BroadcastSignalInput]>('broadcastSignal');

/** A signal throw or end event's broadcast, run by the engine's activity. */
export interface EngineBroadcastInput {
  name: string;
  variables: Variables;
  /** The instance whose event threw it (the broadcast reaches its own subscriptions too). */
  sourceInstanceId: string;
}

export interface CancelInstanceInput {
  reason?: string;
  actor?: string;
}
/** Ends the instance: every element terminated, open tasks cancelled, status `cancelled`. */
export const cancelInstanceSignal = defineSignal<[CancelInstanceInput]>('cancelInstance');

// ---------------------------------------------------------------- updates

export interface CompleteUserTaskInput {
  taskId: string;
  outcome?: string | null;
  /** Form values; become process variables (through the task's output mappings). */
  data: Variables;
  /** Who completed it (username). */
  actor: string;
}
export interface CompleteUserTaskResult {
  taskId: string;
  elementId: string;
  /** Instance status right after the completion. */
  status: EngineState['status'];
  /** What the task's completing listeners corrected (assignee, candidates, dates, priority), if anything. */
  corrections?: UserTaskChanges;
}
/**
 * Completes an open user task. The validator refuses (synchronously, nothing in history) an
 * unknown or closed task, missing required form fields and values of the wrong type; the
 * update returns once the engine has accepted the completion, and for a task with completing
 * listeners once they have all completed (failing with type `Denied` when one denied it).
 */
export const completeUserTaskUpdate = defineUpdate<CompleteUserTaskResult, [CompleteUserTaskInput]>('completeUserTask');

/** An assignment or update of an open user task that has assigning / updating task listeners. */
export interface ChangeUserTaskInput {
  taskId: string;
  eventType: 'assigning' | 'updating';
  /** What is to change (assignee null: unassigned; a date null: cleared). */
  changes: UserTaskChanges;
  /** Who asks (username). */
  actor: string;
}
export interface ChangeUserTaskResult {
  taskId: string;
  /** The changes to make: as asked, corrected by the listeners. */
  changes: UserTaskChanges;
}
/**
 * Runs the task's assigning or updating listeners for a change (Camunda 8.8) and returns, once
 * they have all completed, the changes to make; fails with type `Denied` when one denied it. The
 * validator refuses a task that is not open or is in another transition.
 */
export const changeUserTaskUpdate = defineUpdate<ChangeUserTaskResult, [ChangeUserTaskInput]>('changeUserTask');

/** Variables set on an active element instance (Camunda's update element instance variables). */
export interface SetVariablesInput {
  /** The engine's element instance id; absent: the process instance's own scope. */
  elementInstanceId?: string;
  variables: Variables;
  /** Into the element instance's own scope only (a user task's scope takes them locally anyway). */
  local?: boolean;
  /** Who asks (username). */
  actor: string;
}
export interface SetVariablesResult {
  /** The user task whose scope took them, through its updating listeners, if it was one. */
  taskId?: string;
  /** What those listeners corrected on the task (assignee, candidates, dates, priority). */
  changes: UserTaskChanges;
}
/**
 * Sets variables on an active element instance and returns once they are set: on a user task's
 * instance once its updating listeners have completed (Camunda 8.8; fails with type `Denied` when
 * one denied it). The validator refuses an element instance that is not active and a user task
 * in another held transition.
 */
export const setVariablesUpdate = defineUpdate<SetVariablesResult, [SetVariablesInput]>('setVariables');

/** Error type of an update a task listener denied (its message gives the listener's reason). */
export const DENIED_ERROR_TYPE = 'Denied';

export interface RetryIncidentInput {
  incidentId: string;
  /** Set on the process before the retry (to fix what caused the incident). */
  variables?: Variables;
  actor?: string;
}
/** Retries an incident (re-runs the failed job or re-evaluates the element). Unknown incident → refused by the validator. */
export const retryIncidentUpdate = defineUpdate<
  { incidentId: string; status: EngineState['status'] },
  [RetryIncidentInput]
>('retryIncident');

/** An external worker completed a job (POST /v2/jobs/{key}/completion). */
export interface CompleteJobInput {
  /** The engine's job id (jobs.engine_job_id). */
  jobId: string;
  variables?: Variables;
  actor?: string;
  /** A task listener's corrections to its user task (job result of type userTask). */
  corrections?: UserTaskCorrections;
  /** A task listener denies the transition (assigning, updating, completing), with its reason. */
  denied?: boolean;
  deniedReason?: string;
  /** An ad-hoc sub-process's job: the elements its worker activates (job result of type adHocSubProcess). */
  adHoc?: AdHocResult;
}
export const completeJobUpdate = defineUpdate<{ jobId: string; status: EngineState['status'] }, [CompleteJobInput]>(
  'completeJob',
);

/** An external job failed with no retries left: an incident (POST /v2/jobs/{key}/failure with retries 0). */
export interface FailJobInput {
  jobId: string;
  errorMessage: string;
  actor?: string;
}
export const failJobUpdate = defineUpdate<{ jobId: string; status: EngineState['status'] }, [FailJobInput]>('failJob');

/** An external worker threw a BPMN error for a job (POST /v2/jobs/{key}/error). */
export interface ThrowJobErrorInput {
  jobId: string;
  errorCode: string;
  errorMessage?: string;
  variables?: Variables;
  actor?: string;
}
export const throwJobErrorUpdate = defineUpdate<{ jobId: string; status: EngineState['status'] }, [ThrowJobErrorInput]>(
  'throwJobError',
);

// ---------------------------------------------------------------- query

export interface InstanceStateView extends InstanceView {
  definition: { id: number; key: string; version: number };
  businessKey: string | null;
  /** Temporal history length of the current run (continue-as-new starts a new run). */
  historyLength: number;
}
/** The Operate-style view: active and completed elements with times, variables, incidents, open user tasks. */
export const instanceStateQuery = defineQuery<InstanceStateView>('instanceState');

// ---------------------------------------------------------------- engine activities (the workflow's port to the database)

export interface RecordInstanceInput {
  processInstanceId: string;
  definitionId: number;
  businessKey: string | null;
  startedBy: number | null;
  status: 'running' | 'completed' | 'incident' | 'cancelled' | 'terminated' | 'failed';
  /** Epoch ms (workflow time). */
  startedAt: number;
  endedAt?: number;
  /** The instance records its message subscriptions (graph semantics 2): messages reach it by subscription. */
  subscriptionsTracked?: boolean;
}

/** A job for an external worker (no built-in worker for its type). */
export interface CreateJobInput {
  processInstanceId: string;
  jobId: string;
  elementId: string;
  elementInstanceId: string;
  type: string;
  retries: number;
  headers: Record<string, string>;
  variables: Variables;
  /** A listener's job: Camunda's job kind and listener event type (START, END, CREATING). */
  kind?: 'EXECUTION_LISTENER' | 'TASK_LISTENER' | 'AD_HOC_SUB_PROCESS';
  listenerEventType?: string;
  /** A task listener's job: its user task's id (absent from jobs of histories recorded before it was sent). */
  userTaskId?: string;
}

export interface CloseJobInput {
  processInstanceId: string;
  jobId: string;
  state: 'completed' | 'cancelled' | 'failed' | 'error_thrown';
  errorMessage?: string;
}

export interface OpenSubscriptionInput {
  processInstanceId: string;
  processKey: string;
  waitId: string;
  kind: 'message' | 'signal';
  name: string;
  correlationKey: string | null;
  elementId: string;
}

/** A message kept for its time to live that the new subscription takes (at most one). */
export interface BufferedMessageDelivery {
  name: string;
  correlationKey: string;
  variables: Variables;
}

export interface RecordIncidentInput {
  processInstanceId: string;
  incidentId: string;
  state: 'active' | 'resolved';
  elementId?: string;
  elementInstanceId?: string;
  kind?: string;
  message?: string;
  jobId?: string;
}

export interface OpenHumanTaskInput {
  processInstanceId: string;
  businessKey: string | null;
  taskId: string;
  elementId: string;
  /** The engine's element instance ('ei-5'); absent from instances started before it was recorded. */
  elementInstanceId?: string;
  name: string;
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  dueAt?: number;
  followUpAt?: number;
  priority: number;
  form?: unknown;
  input: Variables;
}

export interface ResolveDefinitionInput {
  processId: string;
  version: CalledVersion;
  /** process_definitions.id of the calling definition (for `deployment` binding). */
  callerDefinitionId: number;
}

export interface PublishMessageInput {
  name: string;
  correlationKey: string | null;
  variables: Variables;
  /** The publishing instance (it does not receive its own message). */
  sourceInstanceId: string;
  /** Keep it this long in running instances that do not wait for it yet (default: not kept). */
  timeToLiveMs?: number;
  /**
   * How it reaches instances (activities/engine/publish-message.ts): `every` instance whose
   * business key is the correlation key (default, CHIS's publishers), Camunda 8's rules by
   * subscription and once per process (`camunda`), or one instance only (`single`).
   */
  correlation?: 'every' | 'camunda' | 'single';
  /** Camunda message id: a message with the same id still alive makes this one a duplicate. */
  messageId?: string;
  /** staff_users.id of the publisher (API publications). */
  publishedBy?: number | null;
}

export interface StartTimerInstanceInput {
  /** process_definitions.id of the version to start. */
  definitionId: number;
  key: string;
  startEventId: string;
  /** Epoch ms the timer fired at (part of the instance's workflow id). */
  fireAt: number;
}

/** Activities the interpreter runs for itself; implemented in activities/engine/. */
export interface EngineActivities {
  /** Starts the instance of one timer start firing; a second call for the same firing starts nothing. */
  engineStartTimerInstance(input: StartTimerInstanceInput): Promise<{ workflowId: string; started: boolean }>;
  /** Records that a version's timer start events will not fire again (start-up then leaves it alone). */
  engineTimerStartFinished(input: { definitionId: number; startedInstances: number }): Promise<void>;
  engineRecordInstance(input: RecordInstanceInput): Promise<void>;
  engineOpenHumanTask(input: OpenHumanTaskInput): Promise<void>;
  engineCancelHumanTask(input: { taskId: string }): Promise<void>;
  /** A cancelled task's canceling listeners' corrections, written to its row. */
  engineCorrectCancelledTask(input: { taskId: string; changes: UserTaskChanges }): Promise<void>;
  engineResolveDefinition(input: ResolveDefinitionInput): Promise<DeployedDefinition>;
  enginePublishMessage(input: PublishMessageInput): Promise<{ delivered: number; started: number }>;
  /** Graphs of semantics 2 (Camunda 8): external jobs, subscriptions and incidents mirrored for the /v2 API. */
  engineCreateJob(input: CreateJobInput): Promise<void>;
  engineCloseJob(input: CloseJobInput): Promise<void>;
  engineOpenSubscription(input: OpenSubscriptionInput): Promise<BufferedMessageDelivery | null>;
  engineCloseSubscription(input: { processInstanceId: string; waitId: string }): Promise<void>;
  engineRecordIncident(input: RecordIncidentInput): Promise<void>;
  /** Broadcasts a signal thrown by an instance (graphs with signal throw or end events). */
  engineBroadcastSignal(input: EngineBroadcastInput): Promise<{ delivered: number; started: number }>;
  /** A business rule task's DMN decision (called by name as a job, bpmn/graph.ts DECISION_ACTIVITY_TYPE). */
  engineEvaluateDecision(variables: Variables, job: JobContext): Promise<Variables>;
}
