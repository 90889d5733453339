/**
 * One moddle flow node → one graph node. Runs after lint passed, so required settings are
 * present; anything still missing throws a BuildError naming the element.
 */
import { DECISION_ACTIVITY_TYPE } from './graph';
import type {
  ActivityRef,
  CallSpec,
  EndResult,
  EventTrigger,
  ExecutionListeners,
  Expression,
  GraphNode,
  Mapping,
  MessageRef,
  MultiInstanceSpec,
  TaskListenerEvent,
  TaskListenerRef,
  ThrowResult,
  TimerDefinition,
  UserTaskSpec,
} from './graph';
import { conditionSource, toExpression, toListExpression } from './feel';
import { resolveUserTaskForm } from './forms';
import { body, bool, child, children, eventDefinition, extension, is, str, type ModdleElement } from './moddle';

export class BuildError extends Error {
  constructor(
    readonly elementId: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Expressions that are FEEL whether or not they start with `=` (collections, conditions). */
function feel(raw: string): Expression {
  return { type: 'feel', expression: conditionSource(raw) };
}

function optionalExpression(raw: string | undefined): Expression | undefined {
  return raw !== undefined && raw.trim() !== '' ? toExpression(raw) : undefined;
}

function mappings(el: ModdleElement, property: 'inputParameters' | 'outputParameters'): Mapping[] {
  return children(extension(el, 'zeebe:IoMapping'), property).map((p) => ({
    source: toExpression(str(p, 'source') ?? ''),
    target: str(p, 'target') ?? '',
  }));
}

function messageRef(owner: ModdleElement, message: ModdleElement | undefined): MessageRef {
  const name = str(message, 'name');
  if (!message || !name) throw new BuildError(owner.id, 'refers to no named message');
  const key = optionalExpression(str(extension(message, 'zeebe:Subscription'), 'correlationKey'));
  return { name: toExpression(name), ...(key ? { correlationKey: key } : {}) };
}

function timer(owner: ModdleElement, def: ModdleElement): TimerDefinition {
  for (const [prop, kind] of [
    ['timeDuration', 'duration'],
    ['timeDate', 'date'],
    ['timeCycle', 'cycle'],
  ] as const) {
    const text = body(child(def, prop))?.trim();
    if (text) return { kind, value: toExpression(text) };
  }
  throw new BuildError(owner.id, 'has a timer without a value');
}

function activityRef(owner: ModdleElement, ctx: NodeContext): ActivityRef {
  const def = extension(owner, 'zeebe:TaskDefinition');
  const headers = Object.fromEntries(
    children(extension(owner, 'zeebe:TaskHeaders'), 'values').map((h) => [str(h, 'key') ?? '', str(h, 'value') ?? '']),
  );
  return jobRef(owner.id, str(def, 'type'), str(def, 'retries'), headers, ctx);
}

/** A job of `type` (literal or `=FEEL`): built in when the catalogue has the type, otherwise external. */
function jobRef(
  ownerId: string | undefined,
  rawType: string | undefined,
  rawRetries: string | undefined,
  headers: Record<string, string>,
  ctx: NodeContext,
): ActivityRef {
  const type = rawType?.trim();
  if (!type) throw new BuildError(ownerId, 'has no job type');
  const retries = rawRetries?.trim();
  const retriesPart = !retries
    ? {}
    : retries.startsWith('=')
      ? { retriesExpression: conditionSource(retries) }
      : { retries: Number(retries) };
  if (type.startsWith('='))
    return { activityType: '', typeExpression: conditionSource(type), external: true, headers, ...retriesPart };
  // Without the catalogue's list (older callers) every type is taken as built in, as before.
  const external = ctx.activityTypes !== undefined && !ctx.activityTypes.has(type);
  const local = !external && ctx.localActivityTypes?.has(type) === true;
  return {
    activityType: type,
    headers,
    ...retriesPart,
    ...(external ? { external: true } : {}),
    ...(local ? { local: true } : {}),
  };
}

/** zeebe:executionListeners of an element or a process; undefined when it has none. */
export function executionListeners(el: ModdleElement, ctx: NodeContext): ExecutionListeners | undefined {
  const all = children(extension(el, 'zeebe:ExecutionListeners'), 'listeners');
  if (all.length === 0) return undefined;
  const of = (eventType: string) =>
    all
      .filter((l) => (str(l, 'eventType') ?? 'start') === eventType)
      .map((l) => {
        const headers = Object.fromEntries(
          children(child(l, 'headers'), 'values').map((h) => [str(h, 'key') ?? '', str(h, 'value') ?? '']),
        );
        return jobRef(el.id, str(l, 'type'), str(l, 'retries') ?? '3', headers, ctx);
      });
  return { start: of('start'), end: of('end') };
}

function taskListeners(el: ModdleElement, ctx: NodeContext): TaskListenerRef[] {
  return children(extension(el, 'zeebe:TaskListeners'), 'listeners').map((l) => ({
    eventType: (str(l, 'eventType') ?? '') as TaskListenerEvent,
    job: jobRef(el.id, str(l, 'type'), str(l, 'retries') ?? '3', {}, ctx),
  }));
}

/** The signal an event names (its literal or FEEL name). */
function signalName(event: ModdleElement, def: ModdleElement): Expression {
  const name = str(def.signalRef as ModdleElement | undefined, 'name')?.trim();
  if (!name) throw new BuildError(event.id, 'refers to no named signal');
  return toExpression(name);
}

/** The link catch event of the same name in the throw event's scope. */
function linkTarget(event: ModdleElement, name: string): string {
  const catches = children(event.$parent, 'flowElements').filter(
    (e) =>
      is(e, 'bpmn:IntermediateCatchEvent') &&
      children(e, 'eventDefinitions').some((d) => is(d, 'bpmn:LinkEventDefinition') && str(d, 'name') === name),
  );
  if (catches.length !== 1)
    throw new BuildError(
      event.id,
      `throws link "${name}", which ${catches.length} link catch events catch in its scope`,
    );
  return catches[0].id!;
}

/**
 * A business rule task's DMN decision (zeebe:calledDecision): evaluated by the engine's own local
 * activity, which reads the decision, its result variable and binding from the headers.
 */
function decisionRef(el: ModdleElement): ActivityRef {
  const called = extension(el, 'zeebe:CalledDecision');
  const decisionId = str(called, 'decisionId')?.trim();
  const resultVariable = str(called, 'resultVariable')?.trim();
  if (!decisionId || !resultVariable) throw new BuildError(el.id, 'names no decision or no result variable');
  const binding = str(called, 'bindingType') ?? 'latest';
  const headers: Record<string, string> = {
    [decisionId.startsWith('=') ? 'decisionIdExpression' : 'decisionId']: conditionSource(decisionId),
    resultVariable,
    bindingType: binding,
    ...(binding === 'versionTag' ? { versionTag: str(called, 'versionTag') ?? '' } : {}),
  };
  return { activityType: DECISION_ACTIVITY_TYPE, headers, local: true, retries: 1 };
}

function trigger(event: ModdleElement): EventTrigger {
  const def = eventDefinition(event);
  if (!def) return { type: 'none' };
  if (is(def, 'bpmn:MessageEventDefinition'))
    return { type: 'message', message: messageRef(event, def.messageRef as ModdleElement | undefined) };
  if (is(def, 'bpmn:TimerEventDefinition')) return { type: 'timer', timer: timer(event, def) };
  if (is(def, 'bpmn:ErrorEventDefinition')) {
    const ref = def.errorRef as ModdleElement | undefined;
    const code = str(ref, 'errorCode');
    const name = str(ref, 'name');
    return { type: 'error', ...(code ? { errorCode: code } : {}), ...(name ? { errorName: name } : {}) };
  }
  if (is(def, 'bpmn:EscalationEventDefinition')) {
    const ref = def.escalationRef as ModdleElement | undefined;
    const code = str(ref, 'escalationCode');
    const name = str(ref, 'name');
    return { type: 'escalation', ...(code ? { escalationCode: code } : {}), ...(name ? { escalationName: name } : {}) };
  }
  if (is(def, 'bpmn:SignalEventDefinition')) return { type: 'signal', name: signalName(event, def) };
  if (is(def, 'bpmn:CompensateEventDefinition')) return { type: 'compensation' };
  if (is(def, 'bpmn:LinkEventDefinition')) {
    const name = str(def, 'name')?.trim();
    if (!name) throw new BuildError(event.id, 'is a link event without a name');
    return { type: 'link', name };
  }
  throw new BuildError(event.id, `has an unsupported event definition ${def.$type}`);
}

function thrown(event: ModdleElement, ctx: NodeContext): EndResult {
  const def = eventDefinition(event);
  if (!def) return { type: 'none' };
  if (is(def, 'bpmn:TerminateEventDefinition')) return { type: 'terminate' };
  if (is(def, 'bpmn:MessageEventDefinition')) {
    const withTask = !!extension(event, 'zeebe:TaskDefinition');
    const message = def.messageRef as ModdleElement | undefined;
    return {
      type: 'message',
      ...(withTask ? { activity: activityRef(event, ctx) } : {}),
      ...(message || !withTask ? { message: messageRef(event, message) } : {}),
    };
  }
  if (is(def, 'bpmn:CompensateEventDefinition')) {
    const activity = def.activityRef as ModdleElement | undefined;
    return {
      type: 'compensation',
      ...(activity?.id ? { activityId: activity.id } : {}),
      ...(def.waitForCompletion === false ? { waitForCompletion: false as const } : {}),
    };
  }
  const t = trigger(event);
  if (t.type === 'signal') return t;
  if (t.type === 'error' && t.errorCode)
    return { type: 'error', errorCode: t.errorCode, ...(t.errorName ? { errorName: t.errorName } : {}) };
  if (t.type === 'escalation' && t.escalationCode) {
    return {
      type: 'escalation',
      escalationCode: t.escalationCode,
      ...(t.escalationName ? { escalationName: t.escalationName } : {}),
    };
  }
  throw new BuildError(event.id, 'throws an error or escalation without a code');
}

function multiInstance(el: ModdleElement): MultiInstanceSpec | undefined {
  const loop = child(el, 'loopCharacteristics');
  if (!is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) return undefined;
  const z = extension(loop, 'zeebe:LoopCharacteristics');
  const input = str(z, 'inputCollection');
  if (!input) throw new BuildError(el.id, 'is multi-instance without an input collection');
  const opt = (key: string, value: string | undefined) => (value?.trim() ? { [key]: value.trim() } : {});
  const outputElement = optionalExpression(str(z, 'outputElement'));
  const completion = body(child(loop, 'completionCondition'));
  return {
    sequential: bool(loop, 'isSequential') ?? false,
    inputCollection: feel(input),
    ...opt('inputElement', str(z, 'inputElement')),
    ...opt('outputCollection', str(z, 'outputCollection')),
    ...(outputElement ? { outputElement } : {}),
    ...(completion?.trim() ? { completionCondition: feel(completion) } : {}),
  };
}

function userTask(el: ModdleElement, ctx: NodeContext): UserTaskSpec {
  const forms = ctx.forms;
  const listeners = taskListeners(el, ctx);
  const a = extension(el, 'zeebe:AssignmentDefinition');
  const s = extension(el, 'zeebe:TaskSchedule');
  const list = (raw: string | undefined) => (raw?.trim() ? toListExpression(raw) : undefined);
  const form = resolveUserTaskForm(el, forms);
  if (!form.ok) throw new BuildError(el.id, form.error);
  const entries = {
    assignee: optionalExpression(str(a, 'assignee')),
    candidateGroups: list(str(a, 'candidateGroups')),
    candidateUsers: list(str(a, 'candidateUsers')),
    dueDate: optionalExpression(str(s, 'dueDate')),
    followUpDate: optionalExpression(str(s, 'followUpDate')),
    priority: optionalExpression(str(extension(el, 'zeebe:PriorityDefinition'), 'priority')),
    form: form.form,
    taskListeners: listeners.length > 0 ? listeners : undefined,
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as UserTaskSpec;
}

function adHoc(el: ModdleElement, ctx: NodeContext) {
  const z = extension(el, 'zeebe:AdHoc');
  const active = str(z, 'activeElementsCollection')?.trim();
  const completion = body(child(el, 'completionCondition'))?.trim();
  const outputCollection = str(z, 'outputCollection')?.trim();
  const outputElement = optionalExpression(str(z, 'outputElement'));
  const activatableIds = children(el, 'flowElements')
    .filter((e) => is(e, 'bpmn:FlowNode') && !is(e, 'bpmn:BoundaryEvent') && children(e, 'incoming').length === 0)
    .map((e) => e.id!);
  return {
    ...(active ? { activeElements: feel(active) } : {}),
    ...(completion ? { completionCondition: feel(completion) } : {}),
    cancelRemainingInstances: bool(el, 'cancelRemainingInstances') ?? true,
    ...(extension(el, 'zeebe:TaskDefinition') ? { job: activityRef(el, ctx) } : {}),
    ...(outputCollection ? { outputCollection } : {}),
    ...(outputElement ? { outputElement } : {}),
    activatableIds,
  };
}

function callSpec(el: ModdleElement): CallSpec {
  const c = extension(el, 'zeebe:CalledElement');
  const processId = str(c, 'processId');
  if (!processId) throw new BuildError(el.id, 'names no process to call');
  const binding = str(c, 'bindingType') ?? 'latest';
  const version: CallSpec['version'] =
    binding === 'versionTag'
      ? { binding, versionTag: str(c, 'versionTag') ?? '' }
      : binding === 'deployment'
        ? { binding }
        : { binding: 'latest' };
  return {
    processId: toExpression(processId),
    version,
    propagateAllChildVariables: bool(c, 'propagateAllChildVariables') ?? true,
    propagateAllParentVariables: bool(c, 'propagateAllParentVariables') ?? true,
  };
}

export interface NodeContext {
  readonly scopeId: string;
  readonly forms?: ReadonlyMap<string, unknown>;
  /** Job types with a built-in worker; other types become external jobs. */
  readonly activityTypes?: ReadonlySet<string>;
  /** Activity types whose jobs run as local activities. */
  readonly localActivityTypes?: ReadonlySet<string>;
}

/** Builds the node; boundaryEventIds are filled in by the graph builder afterwards. */
export function buildNode(el: ModdleElement, ctx: NodeContext): GraphNode {
  const listeners = executionListeners(el, ctx);
  const base = {
    id: el.id!,
    ...(el.name ? { name: el.name } : {}),
    scopeId: ctx.scopeId,
    incoming: children(el, 'incoming').map((f) => f.id!),
    outgoing: children(el, 'outgoing').map((f) => f.id!),
    ...(listeners ? { listeners } : {}),
  };
  const activity = () => {
    const mi = multiInstance(el);
    return {
      ...base,
      inputs: mappings(el, 'inputParameters'),
      outputs: mappings(el, 'outputParameters'),
      boundaryEventIds: [] as string[],
      ...(mi ? { multiInstance: mi } : {}),
      ...(el.isForCompensation === true ? { isCompensationHandler: true as const } : {}),
    };
  };
  const outputs = () => mappings(el, 'outputParameters');
  const inputs = () => mappings(el, 'inputParameters');
  const defaultFlow = () => (el.default ? { defaultFlowId: (el.default as ModdleElement).id! } : {});

  switch (el.$type) {
    case 'bpmn:StartEvent': {
      // A start form (zeebe:formDefinition, as Camunda 8 allows on start events) declares the
      // variables a start through the API may carry; the API validates them against its fields.
      const form = resolveUserTaskForm(el, ctx.forms);
      if (!form.ok) throw new BuildError(el.id, form.error);
      return {
        ...base,
        kind: 'startEvent',
        trigger: trigger(el),
        interrupting: bool(el, 'isInterrupting') ?? true,
        outputs: outputs(),
        ...(form.form ? { form: form.form } : {}),
      };
    }
    case 'bpmn:EndEvent':
      return { ...base, kind: 'endEvent', result: thrown(el, ctx), inputs: inputs() };
    case 'bpmn:IntermediateCatchEvent': {
      const t = trigger(el);
      if (t.type !== 'timer' && t.type !== 'message' && t.type !== 'signal' && t.type !== 'link')
        throw new BuildError(el.id, 'is a catch event that is neither timer, message, signal nor link');
      return { ...base, kind: 'intermediateCatchEvent', trigger: t, outputs: outputs() };
    }
    case 'bpmn:IntermediateThrowEvent': {
      const def = eventDefinition(el);
      if (def && is(def, 'bpmn:LinkEventDefinition')) {
        const name = str(def, 'name')?.trim();
        if (!name) throw new BuildError(el.id, 'is a link event without a name');
        const result: ThrowResult = { type: 'link', name, targetId: linkTarget(el, name) };
        return { ...base, kind: 'intermediateThrowEvent', result, inputs: inputs() };
      }
      const r = thrown(el, ctx);
      if (
        r.type !== 'none' &&
        r.type !== 'message' &&
        r.type !== 'escalation' &&
        r.type !== 'signal' &&
        r.type !== 'compensation'
      )
        throw new BuildError(el.id, 'throws something other than a message, escalation, signal or compensation');
      return { ...base, kind: 'intermediateThrowEvent', result: r as ThrowResult, inputs: inputs() };
    }
    case 'bpmn:BoundaryEvent': {
      const t = trigger(el);
      if (t.type === 'none' || t.type === 'link') throw new BuildError(el.id, 'is a boundary event without a trigger');
      const host = el.attachedToRef as ModdleElement | undefined;
      return {
        ...base,
        kind: 'boundaryEvent',
        attachedToId: host?.id ?? '',
        interrupting: bool(el, 'cancelActivity') ?? true,
        trigger: t,
        outputs: outputs(),
      };
    }
    case 'bpmn:ServiceTask':
      return { ...activity(), kind: 'serviceTask', activity: activityRef(el, ctx) };
    case 'bpmn:BusinessRuleTask':
      return {
        ...activity(),
        kind: 'businessRuleTask',
        activity: extension(el, 'zeebe:TaskDefinition') ? activityRef(el, ctx) : decisionRef(el),
      };
    case 'bpmn:SendTask':
      return { ...activity(), kind: 'sendTask', activity: activityRef(el, ctx) };
    case 'bpmn:UserTask':
      return { ...activity(), kind: 'userTask', userTask: userTask(el, ctx) };
    case 'bpmn:ReceiveTask':
      return {
        ...activity(),
        kind: 'receiveTask',
        message: messageRef(el, el.messageRef as ModdleElement | undefined),
      };
    case 'bpmn:ScriptTask': {
      // A script task a job worker runs (zeebe:taskDefinition instead of a FEEL script).
      if (extension(el, 'zeebe:TaskDefinition') && !extension(el, 'zeebe:Script'))
        return { ...activity(), kind: 'serviceTask', activity: activityRef(el, ctx) };
      const script = extension(el, 'zeebe:Script');
      return {
        ...activity(),
        kind: 'scriptTask',
        script: conditionSource(str(script, 'expression') ?? ''),
        resultVariable: str(script, 'resultVariable') ?? '',
      };
    }
    case 'bpmn:ManualTask':
      return { ...activity(), kind: 'manualTask' };
    case 'bpmn:Task':
      return { ...activity(), kind: 'task' };
    case 'bpmn:CallActivity':
      return { ...activity(), kind: 'callActivity', call: callSpec(el) };
    case 'bpmn:AdHocSubProcess':
      return { ...activity(), kind: 'adHocSubProcess', scopeRef: el.id!, ...adHoc(el, ctx) };
    case 'bpmn:SubProcess': {
      if (el.triggeredByEvent === true) {
        const start = children(el, 'flowElements').find((e) => is(e, 'bpmn:StartEvent'));
        if (!start) throw new BuildError(el.id, 'is an event sub-process without a start event');
        return { ...base, kind: 'eventSubProcess', scopeRef: el.id!, startEventId: start.id! };
      }
      return { ...activity(), kind: 'subProcess', scopeRef: el.id! };
    }
    case 'bpmn:ExclusiveGateway':
      return { ...base, kind: 'exclusiveGateway', ...defaultFlow() };
    case 'bpmn:InclusiveGateway':
      return { ...base, kind: 'inclusiveGateway', ...defaultFlow(), upstreamNodeIds: [] };
    case 'bpmn:ParallelGateway':
      return { ...base, kind: 'parallelGateway' };
    case 'bpmn:EventBasedGateway':
      return {
        ...base,
        kind: 'eventBasedGateway',
        eventIds: children(el, 'outgoing').map((f) => (f.targetRef as ModdleElement).id!),
      };
    default:
      throw new BuildError(el.id, `is a ${el.$type}, which the engine does not run`);
  }
}
