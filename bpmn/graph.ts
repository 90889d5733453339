/**
 * The compiled process graph: what the interpreter workflow runs, token by token.
 *
 * Plain JSON (no classes, no Maps, no Dates) so it can be stored in PostgreSQL, passed as a
 * workflow argument, and read inside the Temporal sandbox. Every field is readonly: a compiled
 * graph never changes; a changed diagram is a new version. This file has no imports on purpose
 * (safe in workflow code).
 */

/** Bump when the shape changes incompatibly; the interpreter refuses formats it does not know. */
export const GRAPH_FORMAT = 'chis-bpmn-graph/1' as const;

/**
 * A value written in the diagram. Camunda convention: text starting with `=` is FEEL (stored
 * here without the `=`); anything else is a literal string.
 */
export type Expression =
  { readonly type: 'feel'; readonly expression: string } | { readonly type: 'literal'; readonly value: string };

/** A comma-separated list attribute (candidate groups/users): literal items, or FEEL giving a list or a string. */
export type ListExpression =
  | { readonly type: 'feel'; readonly expression: string }
  | { readonly type: 'literal'; readonly values: readonly string[] };

/** BPMN timer: exactly one of timeDuration / timeDate / timeCycle. Literals are validated ISO 8601 at compile time. */
export interface TimerDefinition {
  readonly kind: 'duration' | 'date' | 'cycle';
  readonly value: Expression;
}

/** A message a catch element waits for, or a throw element publishes. */
export interface MessageRef {
  /** Message name (literal or FEEL). */
  readonly name: Expression;
  /**
   * Correlation key (zeebe:subscription correlationKey), e.g. `=nhsNumber`. Required on
   * intermediate catch events, receive tasks and boundary/event-sub-process message starts;
   * absent on process-level message start events (they start a new instance).
   */
  readonly correlationKey?: Expression;
}

/** Input or output mapping (zeebe:ioMapping): `target` variable gets `source` evaluated. */
export interface Mapping {
  readonly source: Expression;
  readonly target: string;
}

export interface ActivityRef {
  /**
   * The job type (zeebe:taskDefinition type): a catalogue activity, or any other type, which
   * runs as an external job. Empty when `typeExpression` decides it at run time.
   */
  readonly activityType: string;
  /** FEEL giving the job type at run time (`type="=..."`); such a job is always external. */
  readonly typeExpression?: string;
  /**
   * No built-in worker: the job waits in the jobs table until an external job worker activates
   * and completes it (the Camunda REST API, /v2/jobs). Fixed at deploy time.
   */
  readonly external?: true;
  /** zeebe:taskDefinition retries, when the diagram sets it; otherwise the catalogue's policy applies (external: 3). */
  readonly retries?: number;
  /** FEEL giving the retries at run time (external jobs only). */
  readonly retriesExpression?: string;
  /** zeebe:taskHeaders, static key/value settings handed to the activity. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Run as a Temporal local activity (in the workflow's worker, recorded as a marker) rather
   * than scheduled on the task queue. Fixed at deploy time: the two emit different workflow
   * commands, so a version must keep its mode for replay. Absent (older graphs too): queued.
   */
  readonly local?: true;
}

export type FormFieldType =
  | 'text'
  | 'textarea'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'select'
  | 'radio'
  | 'checklist'
  | 'taglist'
  /** A form-js component this engine does not type (e.g. a dynamic list): any value is accepted. */
  | 'any';

export interface FormField {
  /** Variable the value is written to. */
  readonly key: string;
  readonly label?: string;
  readonly type: FormFieldType;
  readonly required: boolean;
  /** Allowed values for select / radio / checklist / taglist. */
  readonly options?: readonly string[];
}

/**
 * A user task's form. Source of the fields:
 * - `embedded`: a form-js schema in the process (`zeebe:userTaskForm`, referenced by
 *   `zeebe:formDefinition formKey="camunda-forms:bpmn:<id>"`), as older Camunda Modeler writes;
 * - `linked`: `zeebe:formDefinition formId` resolved against the forms given to the compiler;
 * - `external`: `externalReference` (a URL); no fields known, the UI just links to it.
 */
export interface FormSpec {
  readonly source: 'embedded' | 'linked' | 'external';
  readonly key: string;
  readonly fields: readonly FormField[];
  /** A linked form that was not deployed when the process was: its fields are looked up when the task opens. */
  readonly unresolved?: true;
}

export interface UserTaskSpec {
  readonly assignee?: Expression;
  readonly candidateGroups?: ListExpression;
  readonly candidateUsers?: ListExpression;
  /** FEEL or literal ISO 8601 date-time (or a duration from task creation, see timer helpers). */
  readonly dueDate?: Expression;
  readonly followUpDate?: Expression;
  /** zeebe:priorityDefinition priority: 0..100, literal or FEEL. */
  readonly priority?: Expression;
  readonly form?: FormSpec;
  /** zeebe:taskListeners, in diagram order (absent: none). */
  readonly taskListeners?: readonly TaskListenerRef[];
}

/**
 * Camunda 8.8 user task lifecycle events a task listener runs on: `creating` (before the task
 * opens), `assigning` (an assignment, and the process's own assignee as the task is created),
 * `updating` (an update of its dates, candidates or priority), `completing` (a completion), and
 * `canceling` (the task ends without completing). Each transition takes effect once its listeners'
 * jobs have completed, with their corrections; assigning, updating and completing may be denied.
 */
export type TaskListenerEvent = 'creating' | 'assigning' | 'updating' | 'completing' | 'canceling';

export interface TaskListenerRef {
  readonly eventType: TaskListenerEvent;
  readonly job: ActivityRef;
}

export interface MultiInstanceSpec {
  readonly sequential: boolean;
  /** FEEL giving a list (zeebe:loopCharacteristics inputCollection). */
  readonly inputCollection: Expression;
  /** Local variable holding the current item in each instance. */
  readonly inputElement?: string;
  /** Variable that collects `outputElement` of every instance, in input order. */
  readonly outputCollection?: string;
  readonly outputElement?: Expression;
  /** bpmn:completionCondition (FEEL); when true the remaining instances are cancelled. */
  readonly completionCondition?: Expression;
}

export type CalledVersion =
  | { readonly binding: 'latest' }
  /** zeebe:calledElement bindingType="versionTag": pinned to the child definition's version tag or version number. */
  | { readonly binding: 'versionTag'; readonly versionTag: string }
  /** bindingType="deployment": the child version deployed together with this one (treated as pinned at deploy time). */
  | { readonly binding: 'deployment' };

export interface CallSpec {
  readonly processId: Expression;
  readonly version: CalledVersion;
  readonly propagateAllChildVariables: boolean;
  readonly propagateAllParentVariables: boolean;
}

export type EventTrigger =
  | { readonly type: 'none' }
  | { readonly type: 'message'; readonly message: MessageRef }
  | { readonly type: 'timer'; readonly timer: TimerDefinition }
  /** Catching: errorCode absent = catch any error. Throwing: errorCode present. */
  | { readonly type: 'error'; readonly errorCode?: string; readonly errorName?: string }
  | { readonly type: 'escalation'; readonly escalationCode?: string; readonly escalationName?: string }
  /** A broadcast signal, by name (literal; FEEL except on process start events). */
  | { readonly type: 'signal'; readonly name: Expression }
  /** A link catch event: where a link throw event of the same name in the same scope continues. */
  | { readonly type: 'link'; readonly name: string }
  /** A compensation boundary event: its host's `compensationHandlerId` undoes the host once it has completed. */
  | { readonly type: 'compensation' };

/**
 * Compensation thrown (intermediate throw or end event): the handlers of the completed activities
 * of the event's scope (and of the sub-processes completed in it) run, or only `activityId`'s;
 * the event waits for all of them, unless `waitForCompletion` is false: then it goes on at once
 * while they run (its scope still completes only once they have).
 */
export interface CompensationThrow {
  readonly type: 'compensation';
  readonly activityId?: string;
  readonly waitForCompletion?: false;
}

export type EndResult =
  | { readonly type: 'none' }
  | { readonly type: 'terminate' }
  | { readonly type: 'error'; readonly errorCode: string; readonly errorName?: string }
  | { readonly type: 'escalation'; readonly escalationCode: string; readonly escalationName?: string }
  /** Publishes the message; if the diagram also names an activity type, that activity runs first (like a send task). */
  | { readonly type: 'message'; readonly message?: MessageRef; readonly activity?: ActivityRef }
  /** Broadcasts the signal with the event's input-mapped variables. */
  | { readonly type: 'signal'; readonly name: Expression }
  | CompensationThrow;

export type ThrowResult =
  | { readonly type: 'none' }
  | { readonly type: 'message'; readonly message?: MessageRef; readonly activity?: ActivityRef }
  | { readonly type: 'escalation'; readonly escalationCode: string; readonly escalationName?: string }
  | { readonly type: 'signal'; readonly name: Expression }
  /** Jumps to the link catch event `targetId`, the one of the same name in the same scope. */
  | { readonly type: 'link'; readonly name: string; readonly targetId: string }
  | CompensationThrow;

/**
 * zeebe:executionListeners: jobs run around an element, one after another in diagram order.
 * `start`: after the element's input mappings, before its behaviour; `end`: after its output
 * mappings, before it leaves. The element waits for each.
 */
export interface ExecutionListeners {
  readonly start: readonly ActivityRef[];
  readonly end: readonly ActivityRef[];
}

/** Fields every flow node has. */
interface NodeBase {
  readonly id: string;
  readonly name?: string;
  /** Id of the scope (process, sub-process or event sub-process) that directly contains this node. */
  readonly scopeId: string;
  /** Sequence flow ids, in diagram order. */
  readonly incoming: readonly string[];
  readonly outgoing: readonly string[];
  /** zeebe:executionListeners (absent: none). */
  readonly listeners?: ExecutionListeners;
}

/** Fields of every activity (task, sub-process, call activity). */
interface ActivityBase extends NodeBase {
  readonly inputs: readonly Mapping[];
  readonly outputs: readonly Mapping[];
  /** Boundary events attached to this activity. */
  readonly boundaryEventIds: readonly string[];
  readonly multiInstance?: MultiInstanceSpec;
  /** The compensation handler its compensation boundary event is associated with. */
  readonly compensationHandlerId?: string;
  /** This activity is a compensation handler: only a compensation throw starts it; it leaves by no flow. */
  readonly isCompensationHandler?: true;
}

export interface StartEventNode extends NodeBase {
  readonly kind: 'startEvent';
  readonly trigger: EventTrigger;
  /** Only meaningful in an event sub-process: false = the parent scope keeps running. */
  readonly interrupting: boolean;
  readonly outputs: readonly Mapping[];
  /** Start form: the variables a start at this event takes (api/access/start-policy.ts). */
  readonly form?: FormSpec;
}

export interface EndEventNode extends NodeBase {
  readonly kind: 'endEvent';
  readonly result: EndResult;
  readonly inputs: readonly Mapping[];
}

export interface IntermediateCatchEventNode extends NodeBase {
  readonly kind: 'intermediateCatchEvent';
  readonly trigger: Extract<
    EventTrigger,
    { type: 'timer' } | { type: 'message' } | { type: 'signal' } | { type: 'link' }
  >;
  readonly outputs: readonly Mapping[];
}

export interface IntermediateThrowEventNode extends NodeBase {
  readonly kind: 'intermediateThrowEvent';
  readonly result: ThrowResult;
  readonly inputs: readonly Mapping[];
}

export interface BoundaryEventNode extends NodeBase {
  readonly kind: 'boundaryEvent';
  readonly attachedToId: string;
  /** cancelActivity: true = interrupting (the host is cancelled). */
  readonly interrupting: boolean;
  readonly trigger: Exclude<EventTrigger, { type: 'none' } | { type: 'link' }>;
  readonly outputs: readonly Mapping[];
}

/**
 * A task whose work is a job: service and send tasks, and business rule tasks (a job worker's, or
 * a DMN decision the engine evaluates itself: the activity DECISION_ACTIVITY_TYPE with the
 * decision's id in its headers). Script tasks run by a job worker compile to `serviceTask`.
 */
export interface ServiceTaskNode extends ActivityBase {
  readonly kind: 'serviceTask' | 'sendTask' | 'businessRuleTask';
  readonly activity: ActivityRef;
}

/** The engine's own activity that evaluates a business rule task's DMN decision (a local activity). */
export const DECISION_ACTIVITY_TYPE = 'engineEvaluateDecision';

export interface UserTaskNode extends ActivityBase {
  readonly kind: 'userTask';
  readonly userTask: UserTaskSpec;
}

export interface ReceiveTaskNode extends ActivityBase {
  readonly kind: 'receiveTask';
  readonly message: MessageRef;
}

export interface ScriptTaskNode extends ActivityBase {
  readonly kind: 'scriptTask';
  /** FEEL expression (zeebe:script expression). */
  readonly script: string;
  readonly resultVariable: string;
}

/** Manual task and undefined task (bpmn:task): the token passes straight through. */
export interface PassThroughTaskNode extends ActivityBase {
  readonly kind: 'manualTask' | 'task';
}

export interface SubProcessNode extends ActivityBase {
  readonly kind: 'subProcess';
  /** The scope holding the sub-process's children (its id equals the node id). */
  readonly scopeRef: string;
  /**
   * Its event sub-process with a compensation start event: once the sub-process has completed, a
   * compensation that reaches it runs this in the sub-process's scope (as it was when it completed)
   * instead of the handlers of the activities inside.
   */
  readonly compensationEventSubProcessId?: string;
}

/**
 * An ad-hoc sub-process: inner elements without a start event, activated by name: those
 * `activeElements` (FEEL giving a list of ids) names when it starts, or, with a `job`, those its
 * job worker names in each job's result. See workflows/engine/ad-hoc.ts.
 */
export interface AdHocSubProcessNode extends ActivityBase {
  readonly kind: 'adHocSubProcess';
  readonly scopeRef: string;
  readonly activeElements?: Expression;
  readonly completionCondition?: Expression;
  /** When the completion condition holds: cancel the inner elements still active (Camunda's default: true). */
  readonly cancelRemainingInstances: boolean;
  /** The job worker deciding what to activate (Camunda 8.8's job-worker implementation, e.g. an AI agent). */
  readonly job?: ActivityRef;
  readonly outputCollection?: string;
  readonly outputElement?: Expression;
  /** Inner elements that may be activated: those without incoming flows (boundary events aside). */
  readonly activatableIds: readonly string[];
}

export interface EventSubProcessNode extends NodeBase {
  readonly kind: 'eventSubProcess';
  readonly scopeRef: string;
  /** The one start event that triggers it. */
  readonly startEventId: string;
}

export interface CallActivityNode extends ActivityBase {
  readonly kind: 'callActivity';
  readonly call: CallSpec;
}

export interface ExclusiveGatewayNode extends NodeBase {
  readonly kind: 'exclusiveGateway';
  readonly defaultFlowId?: string;
}

export interface InclusiveGatewayNode extends NodeBase {
  readonly kind: 'inclusiveGateway';
  readonly defaultFlowId?: string;
  /**
   * For a join (more than one incoming flow): the ids of the nodes in the same scope from
   * which a token could still reach this gateway. The gateway fires when every token in the
   * scope that is not waiting on it sits outside this set.
   */
  readonly upstreamNodeIds: readonly string[];
}

export interface ParallelGatewayNode extends NodeBase {
  readonly kind: 'parallelGateway';
}

export interface EventBasedGatewayNode extends NodeBase {
  readonly kind: 'eventBasedGateway';
  /** The catch events (or receive tasks) that race; the first to trigger wins. */
  readonly eventIds: readonly string[];
}

export type GraphNode =
  | StartEventNode
  | EndEventNode
  | IntermediateCatchEventNode
  | IntermediateThrowEventNode
  | BoundaryEventNode
  | ServiceTaskNode
  | UserTaskNode
  | ReceiveTaskNode
  | ScriptTaskNode
  | PassThroughTaskNode
  | SubProcessNode
  | AdHocSubProcessNode
  | EventSubProcessNode
  | CallActivityNode
  | ExclusiveGatewayNode
  | InclusiveGatewayNode
  | ParallelGatewayNode
  | EventBasedGatewayNode;

export type NodeKind = GraphNode['kind'];

/** The node type for one kind, e.g. NodeOfKind<'sendTask'> (some node types cover two kinds). */
export type NodeOfKind<K extends NodeKind> = GraphNode extends infer N
  ? N extends { kind: infer NK }
    ? K extends NK
      ? N & { kind: K }
      : never
    : never
  : never;

export interface SequenceFlow {
  readonly id: string;
  readonly name?: string;
  readonly sourceId: string;
  readonly targetId: string;
  /** FEEL condition (only on flows leaving exclusive/inclusive gateways). */
  readonly condition?: string;
  /** True when this is its source gateway's default flow. */
  readonly isDefault: boolean;
}

export interface Scope {
  readonly id: string;
  readonly kind: 'process' | 'subProcess' | 'eventSubProcess' | 'adHocSubProcess';
  /** Absent for the process scope. */
  readonly parentScopeId?: string;
  /**
   * Start events that begin this scope's normal flow: for the process, its top-level start
   * events (none, message, timer); for an embedded sub-process, its one none start event;
   * for an event sub-process, its triggering start event.
   */
  readonly startEventIds: readonly string[];
  /** Event sub-processes whose start events listen while this scope is active. */
  readonly eventSubProcessIds: readonly string[];
  /** Every node directly in this scope (boundary events included). */
  readonly nodeIds: readonly string[];
}

/**
 * Semantics a graph was compiled for. Absent (graphs stored before): 1. 2: Camunda 8 semantics
 * (a terminate end event completes the instance, FEEL keeps strings as strings and has the
 * Camunda built-ins, messages correlate by subscription). Fixed per deployed version, so a
 * running instance keeps the behaviour it started with (its graph is its workflow input).
 */
export const GRAPH_SEMANTICS = 2;

export interface CompiledGraph {
  readonly format: typeof GRAPH_FORMAT;
  /** See GRAPH_SEMANTICS; absent means 1. */
  readonly semantics?: number;
  /** bpmn:process id: the definition key. */
  readonly processId: string;
  readonly name?: string;
  /** zeebe:versionTag of the process, if set. */
  readonly versionTag?: string;
  /** Id of the root scope; equals processId. */
  readonly rootScopeId: string;
  readonly scopes: Readonly<Record<string, Scope>>;
  readonly nodes: Readonly<Record<string, GraphNode>>;
  readonly flows: Readonly<Record<string, SequenceFlow>>;
  /** Message names (literals) the process can wait for anywhere, for the correlation API. */
  readonly messageNames: readonly string[];
  /** Names of literal-named process-level message start events (start a new instance). */
  readonly messageStartNames: readonly string[];
  /** Names of process-level signal start events (a broadcast starts an instance). Absent: none. */
  readonly signalStartNames?: readonly string[];
  /** Literal signal names the process can wait for anywhere else (catch, boundary, event sub-process). */
  readonly signalNames?: readonly string[];
  /** zeebe:executionListeners of the process itself: start before its start event, end once it completes. */
  readonly listeners?: ExecutionListeners;
}
