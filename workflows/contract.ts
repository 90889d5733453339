/**
 * The interpreter workflow's public contract: its type name, input and result, and the
 * signals, updates and query the API uses. Imported by the workflow and by Node code (API,
 * workers, tests): definitions only, no Node built-ins.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CalledVersion } from '../bpmn/runtime';
import type { DeployedDefinition } from '../deployment/deployed-definition';
import type { EngineState, Variables } from './engine/types';
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
}
/**
 * Completes an open user task. The validator refuses (synchronously, nothing in history) an
 * unknown or closed task, missing required form fields and values of the wrong type; the
 * update returns once the engine has accepted the completion.
 */
export const completeUserTaskUpdate = defineUpdate<CompleteUserTaskResult, [CompleteUserTaskInput]>('completeUserTask');

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
}

export interface OpenHumanTaskInput {
  processInstanceId: string;
  businessKey: string | null;
  taskId: string;
  elementId: string;
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
  engineResolveDefinition(input: ResolveDefinitionInput): Promise<DeployedDefinition>;
  enginePublishMessage(input: PublishMessageInput): Promise<{ delivered: number; started: number }>;
}
