/**
 * The token engine's data: state, events in, commands out. Plain JSON throughout, because the
 * state is a Temporal workflow argument across continue-as-new and the commands are executed
 * by the interpreter workflow. No imports beyond the graph types (safe in the workflow sandbox).
 */
import type { CalledVersion, FormSpec, Recurrence } from '../../bpmn/runtime';

export const ENGINE_STATE_FORMAT = 'chis-engine-state/1' as const;

export type Variables = Record<string, unknown>;

export type InstanceStatus = 'running' | 'completed' | 'terminated' | 'cancelled' | 'failed';

/**
 * One activation of a graph element. The process itself, every active flow node (a token),
 * a multi-instance body and each of its inner instances are element instances; those that
 * are scopes (process, sub-process, event sub-process, multi-instance inner) own children.
 */
export interface ElementInstance {
  id: string;
  /** Node id, or the root scope id for the process instance. */
  elementId: string;
  kind: 'process' | 'node' | 'multiInstanceBody';
  /** The enclosing element instance (null for the process). */
  parentId: string | null;
  startedAt: number;
  state: 'active' | 'incident';
  /** Local variables (input mappings, multi-instance item and loopCounter, scope-local values). */
  variables: Variables;
  /** Children in creation order (scopes and bodies only). */
  childIds: string[];
  /** Parallel / inclusive join arrivals in this scope: gateway id → flow id → tokens waiting. */
  joins?: Record<string, Record<string, number>>;
  /** Multi-instance body bookkeeping. */
  multiInstance?: MultiInstanceProgress;
  /** Index of this inner instance in its body's collection (0-based). */
  loopIndex?: number;
  /** An activity's result waiting to be applied (kept so an output-mapping incident can be retried). */
  pendingResult?: Variables;
  /** Set when an interrupting event sub-process has started in this scope: no further interrupting starts. */
  interrupted?: boolean;
  /** The process scope was ended by a terminate end event (its status becomes `terminated`). */
  endedByTerminate?: boolean;
  /** Its start execution listeners have all completed (a retried behaviour does not run them again). */
  startListenersDone?: true;
  /** What triggered the element (a caught message's or signal's variables), kept while start listeners run. */
  triggerVariables?: Variables;
  /** The process: the start event its token leaves from once its start listeners have run. */
  startEventId?: string;
  /** Waiting for its end execution listeners: its output was applied; this is its multi-instance output. */
  endListeners?: { loopOutput: unknown };
  /** A user task whose creating task listeners run: the task to open once they have (corrections applied). */
  pendingTask?: UserTaskCommandSpec;
  /** A user task whose assigning, updating or completing listeners run: the transition they hold. */
  pendingTransition?: PendingTaskTransition;
  /** Runs a cancelled user task's canceling listeners (a child of the scope that waits for them). */
  cancelingTask?: {
    taskId?: string;
    /** What its canceling listeners corrected so far (instances since EngineState.cancelingListenerCorrections). */
    corrections?: UserTaskCorrections;
  };
  /**
   * A scope: interrupting events that go on only once the canceling listeners of the user tasks
   * they terminated have run (Camunda keeps such a task terminating until then); a multi-instance
   * body whose completion condition held: its completion, likewise.
   */
  heldInterrupts?: HeldInterrupt[];
  /** The process: its cancellation waits for the canceling listeners of the tasks it terminated. */
  cancelRequested?: true;
  /** A scope: its completed activities that have a compensation handler, in completion order (theirs included once a sub-process completes). */
  compensable?: string[];
  /** A compensation throw or end event: how many of the handlers it started are still running. */
  compensating?: number;
  /** A compensation handler: the throw or end event waiting for it. */
  compensationOf?: string;
  /**
   * A scope: its completed sub-processes that have a compensation event sub-process, each with its
   * own records and local variables as they were when it completed (in completion order).
   */
  compensationScopes?: CompensationScope[];
  /** A completed sub-process brought back to run its compensation event sub-process: it ends with it, by no flow. */
  compensationScope?: true;
  /** An ad-hoc sub-process whose completion condition held (or whose job worker said it is done). */
  adHocDone?: true;
  /** An ad-hoc sub-process's inner element completed while its worker's job was out: another job follows. */
  adHocJobAgain?: true;
}

/** An interrupting event's path (or a multi-instance body's completion) held until the canceling listeners it started (`waitingFor`) have completed. */
export interface HeldInterrupt {
  waitingFor: string[];
  then: InterruptPath | { kind: 'multiInstanceBody' };
}

/** What an interrupting event does once its scope's tasks have ended. */
export type InterruptPath =
  | { kind: 'boundary'; boundaryId: string; variables: Variables; scopeVariables?: Variables }
  | { kind: 'eventSubProcess'; startId: string; variables: Variables; scopeVariables?: Variables };

/** A completed sub-process kept for its compensation event sub-process. */
export interface CompensationScope {
  elementId: string;
  /** Its completed activities with compensation handlers (as `compensable`). */
  compensable: string[];
  variables: Variables;
}

/** A job worker's result for an ad-hoc sub-process's job (Camunda's job result of type adHocSubProcess). */
export interface AdHocResult {
  activateElements?: Array<{ elementId: string; variables?: Variables }>;
  completionConditionFulfilled?: boolean;
  cancelRemainingInstances?: boolean;
}

/** Camunda 8.8's user task lifecycle events a task listener runs on. */
export type TaskListenerEventType = 'creating' | 'assigning' | 'updating' | 'completing' | 'canceling';

/** Which listener a job is: the element's execution listener, or its user task's task listener. */
export type ListenerJob =
  | { kind: 'execution'; eventType: 'start' | 'end'; index: number }
  | { kind: 'task'; eventType: TaskListenerEventType; index: number };

/** What an assignment or an update changes on an open user task (null: cleared). */
export interface UserTaskChanges {
  assignee?: string | null;
  candidateGroups?: string[];
  candidateUsers?: string[];
  /** ISO 8601 date-times. */
  dueDate?: string | null;
  followUpDate?: string | null;
  priority?: number;
}

/**
 * A user task lifecycle transition held until its task listeners have run (Camunda 8.8: the
 * transition takes effect once every listener of its event has completed; one may deny it).
 */
export interface PendingTaskTransition {
  eventType: 'assigning' | 'updating' | 'completing';
  taskId: string;
  /** completing: the completion as it was asked for. */
  completion?: { data: Variables; outcome?: string; actor?: string };
  /** assigning / updating: what was asked to change. */
  changes?: UserTaskChanges;
  /** The listeners' corrections so far (applied when the transition takes effect). */
  corrections: UserTaskCorrections;
  /** assigning: the assignee the process gave the task as it was created (the task opens after). */
  atCreation?: true;
  /** updating: variables set on the task's scope, merged into it once the listeners have completed. */
  variables?: Variables;
}

/** A task listener's corrections to the user task (Camunda's job result of type userTask). */
export interface UserTaskCorrections {
  assignee?: string;
  candidateGroups?: string[];
  candidateUsers?: string[];
  /** ISO 8601 date-times. */
  dueDate?: string;
  followUpDate?: string;
  priority?: number;
}

export interface MultiInstanceProgress {
  items: unknown[];
  /** Next item index to start (sequential) / number started (parallel). */
  nextIndex: number;
  completed: number;
  outputs: unknown[];
}

/** How a cycle recurs (an ISO interval, maybe in a zone, or a cron expression) and how often. */
export type TimerRepeat = Recurrence & {
  /** Firings left after the pending one; null = forever. */
  remaining: number | null;
};

/** Why a wait exists: the element instance it belongs to and which node reacts when it triggers. */
interface WaitBase {
  id: string;
  /** The element instance that owns the wait (the waiting node, the host of a boundary event, the scope of an event sub-process). */
  ownerId: string;
  /**
   * - `self`: the owner itself is waiting (catch event, receive task, service task, user task, call);
   * - `boundary`: a boundary event `nodeId` attached to the owner;
   * - `eventSubProcess`: the start event `nodeId` of an event sub-process of the owner scope;
   * - `eventGateway`: the owner is an event-based gateway and `nodeId` is the racing event.
   */
  role: 'self' | 'boundary' | 'eventSubProcess' | 'eventGateway';
  nodeId: string;
  createdAt: number;
}

export interface TimerWait extends WaitBase {
  type: 'timer';
  fireAt: number;
  repeat?: TimerRepeat;
}

export interface MessageWait extends WaitBase {
  type: 'message';
  name: string;
  correlationKey: string | null;
}

export interface JobWait extends WaitBase {
  type: 'job';
  activityType: string;
  /** A listener's job (absent: the element's own job). */
  listener?: ListenerJob;
  /** An ad-hoc sub-process's job: its worker's result says what to activate. */
  adHoc?: true;
  /** Waits for an external worker (a jobs row) rather than a Temporal activity; survives continue-as-new. */
  external?: true;
}

/** A signal subscription: every broadcast of `name` triggers it. */
export interface SignalWait extends WaitBase {
  type: 'signal';
  name: string;
}

export interface UserTaskWait extends WaitBase {
  type: 'userTask';
  name: string;
  form?: FormSpec;
}

export interface ChildWait extends WaitBase {
  type: 'child';
  processId: string;
}

export type Wait = TimerWait | MessageWait | SignalWait | JobWait | UserTaskWait | ChildWait;

export type IncidentKind =
  | 'jobFailed'
  | 'expression'
  | 'noOutgoingFlow'
  | 'childFailed'
  | 'invalidVariables'
  /** A BPMN error nothing catches (graphs of semantics 2: Camunda raises an incident instead of failing the instance). */
  | 'unhandledError'
  /** A business rule task's decision could not be evaluated. */
  | 'decision';

/** An element stuck until an administrator retries it. */
export interface Incident {
  id: string;
  kind: IncidentKind;
  elementId: string;
  elementInstanceId: string;
  message: string;
  createdAt: number;
  /**
   * What a retry does: run the element's behaviour again, re-run its job, re-apply its result
   * (or re-check a multi-instance completion), or re-open the scope's event sub-process subscriptions.
   */
  resume: 'activate' | 'job' | 'complete' | 'subscribe';
  /** The failed job (jobFailed incidents), so the job row can be found again. */
  jobId?: string;
  /** The failed job was this listener's: a retry runs it again. */
  listener?: ListenerJob;
}

/** A finished element activation, for the Operate-style view. */
export interface ElementLogEntry {
  elementInstanceId: string;
  elementId: string;
  parentId: string | null;
  startedAt: number;
  endedAt: number;
  state: 'completed' | 'terminated';
}

/** A message that arrived before anything waited for it, kept until `expiresAt`. */
export interface BufferedMessage {
  name: string;
  correlationKey: string | null;
  variables: Variables;
  expiresAt: number;
}

export interface EngineState {
  format: typeof ENGINE_STATE_FORMAT;
  /**
   * Where plain dates in timers and due dates start: 'england' for instances started since UK
   * local time came in; absent (midnight UTC) for instances started before, which keep it.
   */
  plainDates?: 'england';
  /**
   * Cron cycles and date-times with a zone id are taken by timers: instances started since they
   * were supported; absent for instances started before, which refused them and still do on replay.
   */
  cronAndZoneIds?: true;
  /**
   * User task due and follow-up dates take date-times with a zone id: instances started since they
   * were taken; absent for instances started before, which raised an incident and still do on replay.
   */
  zonedTaskDates?: true;
  /**
   * Canceling task listeners hold what terminated their task: an interrupting event's path and a
   * cancellation of the instance go on once they have run. Absent for instances started before,
   * whose canceling listeners ran beside the path (and not at all on cancellation).
   */
  cancelingListenersHold?: true;
  /**
   * The listeners of a task about to open (creating ones, assigning ones for the process's
   * assignee) see its attributes in their job headers; absent for instances started before,
   * whose such jobs carried only the task's key.
   */
  newTaskListenerHeaders?: true;
  /**
   * A completion condition that cuts user tasks short (a multi-instance body's remaining
   * instances, an ad-hoc sub-process's active elements) completes its element once their canceling
   * listeners have run. Absent for instances started before, where the element completed at once
   * and the listeners ran beside under the process.
   */
  cancelingListenersHoldCompletion?: true;
  /**
   * Canceling listeners' corrections count (Camunda 8.8): the next canceling listener sees them
   * and the cancelled task keeps them; an invalid one is an incident as for other listeners.
   * Absent for instances started before, which ignored them.
   */
  cancelingListenerCorrections?: true;
  /** Prefix for user task ids (a UUID without its last 12 hex digits), so task ids are UUIDs. */
  idSeed: string;
  /** Next value of the id counter (every id comes from it: deterministic). */
  nextId: number;
  status: InstanceStatus;
  processId: string;
  rootId: string;
  startedAt: number;
  endedAt?: number;
  instances: Record<string, ElementInstance>;
  waits: Record<string, Wait>;
  incidents: Record<string, Incident>;
  log: ElementLogEntry[];
  /** How many old log entries were dropped to bound the state's size. */
  logDropped: number;
  bufferedMessages: BufferedMessage[];
  /** Final variables once the instance has ended. */
  result?: Variables;
  failure?: { errorCode?: string; message: string };
}

// ---------------------------------------------------------------- events (into the engine)

/**
 * A BPMN error raised by a job or a called instance. The catching event's scope gets
 * `errorCode`, `errorMessage` and the error's own `variables`.
 */
export interface BpmnErrorThrown {
  code: string;
  message?: string;
  variables?: Variables;
}

export type EngineEvent =
  /** `corrections`: a task listener's changes to its user task (`denied` is not supported on creating). */
  | {
      type: 'jobCompleted';
      jobId: string;
      variables?: Variables;
      corrections?: UserTaskCorrections;
      /** A task listener's job: the lifecycle transition is denied (assigning, updating, completing). */
      denied?: boolean;
      deniedReason?: string;
      /** An ad-hoc sub-process's job: what its worker activates, and whether it is done. */
      adHoc?: AdHocResult;
    }
  /** After the job's retries: `bpmnError` is thrown in the process (catchable); otherwise an incident. */
  | { type: 'jobFailed'; jobId: string; message: string; bpmnError?: BpmnErrorThrown }
  | { type: 'timerFired'; timerId: string }
  /** `bufferForMs`: keep the message this long if nothing waits for it yet (default: not kept). */
  | {
      type: 'messageReceived';
      name: string;
      correlationKey?: string | null;
      variables?: Variables;
      bufferForMs?: number;
    }
  /** A broadcast signal: every subscription to `name` triggers. */
  | { type: 'signalReceived'; name: string; variables?: Variables }
  | { type: 'userTaskCompleted'; taskId: string; outcome?: string; data?: Variables; actor?: string }
  /** An open user task is to be assigned or updated: its assigning / updating listeners run first. */
  | {
      type: 'userTaskChangeRequested';
      taskId: string;
      eventType: 'assigning' | 'updating';
      changes: UserTaskChanges;
      actor?: string;
    }
  /**
   * Variables set on an active element instance from outside (Camunda's update element instance
   * variables): `local` into its own scope, else each where it is defined, else on the process.
   * On a user task's instance they go to its scope through its updating listeners (Camunda 8.8).
   */
  | { type: 'variablesSet'; elementInstanceId: string; variables: Variables; local?: boolean }
  | { type: 'childCompleted'; callId: string; variables?: Variables }
  | { type: 'childFailed'; callId: string; message: string; bpmnError?: BpmnErrorThrown }
  /** `variables` are set on the process before the retry (to fix what caused the incident). */
  | { type: 'incidentRetried'; incidentId: string; variables?: Variables }
  /**
   * `force`: end at once, canceling listeners not waited for (Temporal cancelled the workflow);
   * otherwise the instance ends once the canceling listeners of its open tasks have run.
   */
  | { type: 'cancelRequested'; reason?: string; force?: boolean };

// ---------------------------------------------------------------- commands (out of the engine)

export interface UserTaskCommandSpec {
  taskId: string;
  elementId: string;
  elementInstanceId: string;
  name: string;
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  /** Epoch ms. */
  dueAt?: number;
  followUpAt?: number;
  priority: number;
  form?: FormSpec;
  /** The variables visible to the task when it opened. */
  input: Variables;
}

export type EngineCommand =
  /** `local`: run as a local activity (the graph's ActivityRef.local, fixed at deploy time). */
  | {
      type: 'runJob';
      jobId: string;
      elementId: string;
      elementInstanceId: string;
      activityType: string;
      input: Variables;
      headers: Record<string, string>;
      retries?: number;
      local?: true;
      /** No built-in worker: a jobs row waits for an external worker (retries default to 3). */
      external?: true;
      /** A listener's job (Camunda job kinds EXECUTION_LISTENER / TASK_LISTENER). */
      listener?: ListenerJob;
      /** An ad-hoc sub-process's job (job kind AD_HOC_SUB_PROCESS). */
      adHoc?: true;
      /** A task listener's job: its user task (the job's row carries the task's key). */
      userTaskId?: string;
    }
  | { type: 'cancelJob'; jobId: string; external?: true }
  /** Graphs of semantics 2: a message or signal wait opened (published messages find it in event_subscriptions). */
  | {
      type: 'openSubscription';
      waitId: string;
      kind: 'message' | 'signal';
      name: string;
      correlationKey: string | null;
      elementId: string;
    }
  | { type: 'closeSubscription'; waitId: string }
  | { type: 'startTimer'; timerId: string; fireAt: number }
  | { type: 'cancelTimer'; timerId: string }
  | ({ type: 'openUserTask' } & UserTaskCommandSpec)
  | { type: 'cancelUserTask'; taskId: string }
  /** The canceling listeners of a cancelled task have run: their corrections are written to its row. */
  | { type: 'correctCancelledUserTask'; taskId: string; changes: UserTaskChanges }
  /**
   * A transition asked for by an update (assigning, updating, completing) has ended: `done` with
   * the changes to make (what was asked, corrected by the listeners), `denied` by a listener, or
   * `cancelled` with the task.
   */
  | {
      type: 'userTaskTransitionEnded';
      taskId: string;
      eventType: 'assigning' | 'updating' | 'completing';
      outcome: 'done' | 'denied' | 'cancelled';
      reason?: string;
      changes?: UserTaskChanges;
    }
  | {
      type: 'startChild';
      callId: string;
      elementId: string;
      processId: string;
      version: CalledVersion;
      variables: Variables;
    }
  | { type: 'cancelChild'; callId: string }
  | { type: 'publishMessage'; name: string; correlationKey: string | null; variables: Variables }
  /** A signal throw or end event: broadcast to every subscription and signal start, this instance's included. */
  | { type: 'broadcastSignal'; name: string; variables: Variables }
  | { type: 'incidentOpened'; incident: Incident }
  | { type: 'incidentResolved'; incidentId: string }
  | { type: 'complete'; variables: Variables }
  | { type: 'terminate'; reason: 'terminateEndEvent' | 'cancelled'; variables: Variables }
  | { type: 'fail'; errorCode?: string; message: string };

export interface EngineStep {
  state: EngineState;
  commands: EngineCommand[];
  /** False when the event matched nothing waiting (stale timer, unknown task, uncorrelated message). */
  accepted: boolean;
}
