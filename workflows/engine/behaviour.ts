/**
 * What each kind of flow node does when a token reaches it: run a job, open a user task,
 * wait for a timer, message or signal, start a scope or a child instance, evaluate a script, throw.
 */
import {
  type ActivityRef,
  type CompensationThrow,
  type EndEventNode,
  type Expression,
  type GraphNode,
  type IntermediateThrowEventNode,
  type MessageRef,
  type UserTaskNode,
  evaluateExpression,
  evaluateFeel,
  evaluateList,
  resolveInstantOrDuration,
} from '../../bpmn/runtime';
import { completeElement } from './completion';
import { forkGateway } from './gateways';
import { runMultiInstanceBody } from './multi-instance';
import {
  addWait,
  createInstance,
  endInstance,
  newId,
  newTaskId,
  nodeOf,
  parentOf,
  raiseIncident,
  raiseIncident as raiseIncidentAt,
  terminateChildren,
  type Run,
  dialect,
} from './run';
import { hasExecutionListeners, startListenerJob } from './listeners';
import { openOrAssign, terminateHolding } from './task-transitions';
import { startAdHoc } from './ad-hoc';
import {
  subscribeBoundaries,
  subscribeEventGateway,
  subscribeEventSubProcesses,
  subscribeMessage,
  subscribeSignal,
  armTimer,
  throwError,
  throwEscalation,
  wouldCatch,
} from './triggers';
import type { ElementInstance, Incident, IncidentKind, ListenerJob, UserTaskCommandSpec, Variables } from './types';
import { evaluateMappings, visibleVariables } from './variables';

/** Variables that came with the event that triggered a catch element (message payload). */
export interface Trigger {
  variables: Variables;
}

/** A token reaches a node: a new element instance (or a multi-instance body) in scope `parentId`. */
export function activateNode(run: Run, nodeId: string, parentId: string, trigger?: Trigger): void {
  const node = nodeOf(run, nodeId);
  const kind = 'multiInstance' in node && node.multiInstance !== undefined && !trigger ? 'multiInstanceBody' : 'node';
  const inst = createInstance(run, nodeId, kind, parentId);
  runBehaviour(run, inst, trigger);
}

/** Runs (or, after an incident, re-runs) the node's behaviour for an existing instance. */
export function runBehaviour(run: Run, inst: ElementInstance, trigger?: Trigger): void {
  if (inst.kind === 'multiInstanceBody') {
    runMultiInstanceBody(run, inst);
    return;
  }
  const node = nodeOf(run, inst.elementId);
  if ('inputs' in node && node.inputs.length > 0) {
    const mapped = evaluateMappings(node.inputs, visibleVariables(run, inst.id), dialect(run));
    if (!mapped.ok) return raiseIncident(run, inst, 'expression', mapped.error, 'activate');
    Object.assign(inst.variables, mapped.value);
  }
  if (!inst.startListenersDone && hasExecutionListeners(run, inst, 'start')) {
    if (trigger) inst.triggerVariables = trigger.variables;
    return startListenerJob(run, inst, { kind: 'execution', eventType: 'start', index: 0 });
  }
  behave(run, inst, trigger);
}

/** The node's own behaviour, once its input mappings and start listeners are done. */
export function behave(run: Run, inst: ElementInstance, trigger?: Trigger): void {
  const node = nodeOf(run, inst.elementId);
  // Boundary events of a multi-instance activity belong to its body, not to each instance.
  const hostsBoundaries = parentOf(run, inst)?.kind !== 'multiInstanceBody';
  const withBoundaries = (): boolean => !hostsBoundaries || subscribeBoundaries(run, inst);

  switch (node.kind) {
    case 'startEvent':
    case 'boundaryEvent':
    case 'manualTask':
    case 'task':
      return completeElement(run, inst, trigger?.variables ?? {});
    case 'intermediateCatchEvent':
      if (trigger) return completeElement(run, inst, trigger.variables);
      if (node.trigger.type === 'timer') {
        const error = armTimer(run, inst.id, 'self', node.id, node.trigger.timer, false);
        if (error) raiseIncident(run, inst, 'expression', error, 'activate');
        return;
      }
      if (node.trigger.type === 'signal') {
        const error = subscribeSignal(run, inst.id, 'self', node.id, node.trigger.name);
        if (error) raiseIncident(run, inst, 'expression', error, 'activate');
        return;
      }
      // A link catch event is only reached from its link throw events, which pass on the token.
      if (node.trigger.type === 'link') return completeElement(run, inst, {});
      return waitForMessage(run, inst, node.id, node.trigger.message);
    case 'receiveTask':
      if (trigger) return completeElement(run, inst, trigger.variables);
      if (!withBoundaries()) return;
      return waitForMessage(run, inst, node.id, node.message);
    case 'serviceTask':
    case 'sendTask':
    case 'businessRuleTask':
      if (!withBoundaries()) return;
      return startJob(run, inst, node.activity);
    case 'userTask':
      if (!withBoundaries()) return;
      return openUserTask(run, inst, node);
    case 'scriptTask': {
      const out = evaluateFeel(node.script, visibleVariables(run, inst.id), dialect(run));
      if (!out.ok) return raiseIncident(run, inst, 'expression', out.error, 'activate');
      return completeElement(run, inst, { [node.resultVariable]: out.value });
    }
    case 'subProcess':
      if (!withBoundaries()) return;
      return startScope(run, inst, node.scopeRef);
    case 'adHocSubProcess':
      if (!withBoundaries()) return;
      subscribeEventSubProcesses(run, inst, node.scopeRef);
      return startAdHoc(run, inst);
    case 'eventSubProcess':
      return startScope(run, inst, node.scopeRef, node.startEventId, trigger ?? { variables: {} });
    case 'callActivity':
      if (!withBoundaries()) return;
      return startCall(run, inst);
    case 'exclusiveGateway':
    case 'inclusiveGateway':
    case 'parallelGateway':
      return forkGateway(run, inst);
    case 'eventBasedGateway':
      return subscribeEventGateway(run, inst, node.eventIds);
    case 'endEvent':
      return endEventBehaviour(run, inst, node);
    case 'intermediateThrowEvent':
      return throwEventBehaviour(run, inst, node);
  }
}

/**
 * Starts a scope instance: its event sub-processes begin listening, then a token leaves its
 * start event (`startEventId`, or the scope's none start event).
 */
export function startScope(
  run: Run,
  scopeInst: ElementInstance,
  scopeId: string,
  startEventId?: string,
  trigger?: Trigger,
): void {
  const scope = run.graph.scopes[scopeId];
  if (!scope) throw new Error(`the graph has no scope "${scopeId}"`);
  subscribeEventSubProcesses(run, scopeInst, scopeId);
  const startId = startEventId ?? noneStartEvent(run, scope.startEventIds);
  if (startId === undefined) {
    // An empty scope (no start event) completes at once: it is checked when the agenda is empty.
    run.scopesToCheck.push(scopeInst.id);
    return;
  }
  activateNode(run, startId, scopeInst.id, trigger ?? { variables: {} });
}

/**
 * The process instance starts: its start listeners run first (they may set variables the start
 * event's path needs), then a token leaves `startEventId`.
 */
export function startProcess(run: Run, root: ElementInstance, startEventId: string): void {
  root.startEventId = startEventId;
  if (hasExecutionListeners(run, root, 'start'))
    return startListenerJob(run, root, { kind: 'execution', eventType: 'start', index: 0 });
  startProcessScope(run, root);
}

export function startProcessScope(run: Run, root: ElementInstance): void {
  const startEventId = root.startEventId;
  delete root.startEventId;
  startScope(run, root, run.graph.rootScopeId, startEventId);
}

function noneStartEvent(run: Run, ids: readonly string[]): string | undefined {
  return (
    ids.find((id) => {
      const n = run.graph.nodes[id];
      return n?.kind === 'startEvent' && n.trigger.type === 'none';
    }) ?? ids[0]
  );
}

function waitForMessage(run: Run, inst: ElementInstance, nodeId: string, ref: MessageRef): void {
  const error = subscribeMessage(run, inst.id, 'self', nodeId, ref);
  if (error) raiseIncident(run, inst, 'expression', error, 'activate');
}

/** The activity a node runs (service/send task, or a message throw/end event with a job). */
export function activityOf(node: GraphNode): ActivityRef | undefined {
  if (node.kind === 'serviceTask' || node.kind === 'sendTask' || node.kind === 'businessRuleTask') return node.activity;
  if ((node.kind === 'endEvent' || node.kind === 'intermediateThrowEvent') && node.result.type === 'message')
    return node.result.activity;
  return undefined;
}

/** Retries of an external job when the diagram sets none (Camunda's default). */
export const DEFAULT_EXTERNAL_RETRIES = 3;

export function startJob(
  run: Run,
  inst: ElementInstance,
  activity: ActivityRef,
  listener?: ListenerJob,
  adHoc?: true,
  extraHeaders?: Record<string, string>,
  userTaskId?: string,
): void {
  // An updating listener of a variable update sees the variables being set (Camunda 8.8).
  const pending = listener?.kind === 'task' ? inst.pendingTransition?.variables : undefined;
  const vars = pending ? { ...visibleVariables(run, inst.id), ...pending } : visibleVariables(run, inst.id);
  // A listener's job that cannot start is retried as that listener's job.
  const raiseIncident = (r: Run, i: ElementInstance, kind: IncidentKind, message: string, resume: Incident['resume']) =>
    raiseIncidentAt(r, i, kind, message, listener ? 'job' : resume, undefined, listener);
  let activityType = activity.activityType;
  if (activity.typeExpression !== undefined) {
    const r = evaluateFeel(activity.typeExpression, vars, dialect(run));
    if (!r.ok) return raiseIncident(run, inst, 'expression', `job type: ${r.error}`, 'activate');
    if (typeof r.value !== 'string' || r.value.trim() === '')
      return raiseIncident(
        run,
        inst,
        'expression',
        `the job type should be text, got ${JSON.stringify(r.value)}`,
        'activate',
      );
    activityType = r.value;
  }
  let retries = activity.retries;
  if (activity.retriesExpression !== undefined) {
    const r = evaluateFeel(activity.retriesExpression, vars, dialect(run));
    if (!r.ok) return raiseIncident(run, inst, 'expression', `job retries: ${r.error}`, 'activate');
    if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value < 0)
      return raiseIncident(
        run,
        inst,
        'expression',
        `the job retries should be a whole number, got ${JSON.stringify(r.value)}`,
        'activate',
      );
    retries = r.value;
  }
  const external = activity.external === true;
  if (external && retries === undefined) retries = DEFAULT_EXTERNAL_RETRIES;
  const jobId = newId(run, 'job');
  addWait(run, {
    type: 'job',
    id: jobId,
    ownerId: inst.id,
    role: 'self',
    nodeId: inst.elementId,
    createdAt: run.now,
    activityType,
    ...(external ? { external: true as const } : {}),
    ...(listener ? { listener } : {}),
    ...(adHoc ? { adHoc } : {}),
  });
  run.commands.push({
    type: 'runJob',
    jobId,
    elementId: inst.elementId,
    elementInstanceId: inst.id,
    activityType,
    input: vars,
    headers: { ...activity.headers, ...(extraHeaders ?? {}) },
    ...(retries !== undefined ? { retries } : {}),
    ...(activity.local === true ? { local: true as const } : {}),
    ...(external ? { external: true as const } : {}),
    ...(listener ? { listener } : {}),
    ...(adHoc ? { adHoc } : {}),
    // Only the activity's argument: no state and no command kind change, so histories replay.
    ...(userTaskId !== undefined ? { userTaskId } : {}),
  });
}

function optionalText(value: unknown, what: string): { ok: true; value?: string } | { ok: false; error: string } {
  if (value === null || value === undefined || value === '') return { ok: true };
  if (typeof value === 'string') return { ok: true, value };
  if (typeof value === 'number') return { ok: true, value: String(value) };
  return { ok: false, error: `${what} should be text, got ${JSON.stringify(value)}` };
}

function openUserTask(run: Run, inst: ElementInstance, node: UserTaskNode): void {
  const spec = node.userTask;
  const vars = visibleVariables(run, inst.id);
  const fail = (error: string) => raiseIncident(run, inst, 'expression', `user task: ${error}`, 'activate');

  let assignee: string | undefined;
  if (spec.assignee) {
    const r = evaluateExpression(spec.assignee, vars, dialect(run));
    if (!r.ok) return fail(r.error);
    const t = optionalText(r.value, 'the assignee');
    if (!t.ok) return fail(t.error);
    assignee = t.value;
  }
  const groups = spec.candidateGroups
    ? evaluateList(spec.candidateGroups, vars, dialect(run))
    : { ok: true as const, value: [] };
  if (!groups.ok) return fail(groups.error);
  const users = spec.candidateUsers
    ? evaluateList(spec.candidateUsers, vars, dialect(run))
    : { ok: true as const, value: [] };
  if (!users.ok) return fail(users.error);
  const dates = { plainDates: run.state.plainDates ?? 'utc', zoneIds: run.state.zonedTaskDates === true } as const;
  const due = spec.dueDate ? resolveInstantOrDuration(spec.dueDate, vars, run.now, dialect(run), dates) : undefined;
  if (due && !due.ok) return fail(`due date: ${due.error}`);
  const followUp = spec.followUpDate
    ? resolveInstantOrDuration(spec.followUpDate, vars, run.now, dialect(run), dates)
    : undefined;
  if (followUp && !followUp.ok) return fail(`follow-up date: ${followUp.error}`);
  let priority = 50;
  if (spec.priority) {
    const r = evaluateExpression(spec.priority, vars, dialect(run));
    if (!r.ok) return fail(r.error);
    const p = typeof r.value === 'string' && r.value.trim() !== '' ? Number(r.value) : r.value;
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 100)
      return fail(`priority should be a whole number from 0 to 100, got ${JSON.stringify(r.value)}`);
    priority = p;
  }

  const name = node.name ?? node.id;
  const task: UserTaskCommandSpec = {
    taskId: newTaskId(run),
    elementId: node.id,
    elementInstanceId: inst.id,
    name,
    ...(assignee !== undefined ? { assignee } : {}),
    candidateGroups: groups.value,
    candidateUsers: users.value,
    ...(due?.ok ? { dueAt: due.value } : {}),
    ...(followUp?.ok ? { followUpAt: followUp.value } : {}),
    priority,
    ...(spec.form ? { form: spec.form } : {}),
    input: vars,
  };
  if (spec.taskListeners?.some((l) => l.eventType === 'creating')) {
    // The task opens once its creating listeners have run, with their corrections.
    inst.pendingTask = task;
    return startListenerJob(run, inst, { kind: 'task', eventType: 'creating', index: 0 });
  }
  openOrAssign(run, inst, task);
}

/** The user task opens: a wait in the engine, a row for the task lists. */
export function openTask(run: Run, inst: ElementInstance, task: UserTaskCommandSpec): void {
  addWait(run, {
    type: 'userTask',
    id: task.taskId,
    ownerId: inst.id,
    role: 'self',
    nodeId: task.elementId,
    createdAt: run.now,
    name: task.name,
    ...(task.form ? { form: task.form } : {}),
  });
  run.commands.push({ type: 'openUserTask', ...task });
}

function startCall(run: Run, inst: ElementInstance): void {
  const node = nodeOf(run, inst.elementId);
  if (node.kind !== 'callActivity') return;
  const vars = visibleVariables(run, inst.id);
  const processId = evaluateExpression(node.call.processId, vars, dialect(run));
  if (!processId.ok) return raiseIncident(run, inst, 'expression', processId.error, 'activate');
  if (typeof processId.value !== 'string' || processId.value === '') {
    return raiseIncident(
      run,
      inst,
      'expression',
      `the called process id should be text, got ${JSON.stringify(processId.value)}`,
      'activate',
    );
  }
  const callId = newId(run, 'call');
  addWait(run, {
    type: 'child',
    id: callId,
    ownerId: inst.id,
    role: 'self',
    nodeId: node.id,
    createdAt: run.now,
    processId: processId.value,
  });
  run.commands.push({
    type: 'startChild',
    callId,
    elementId: node.id,
    processId: processId.value,
    version: node.call.version,
    variables: node.call.propagateAllParentVariables ? vars : { ...inst.variables },
  });
}

/** Publishes a throw/end event's message: payload = the event's input-mapped variables. */
export function publishFrom(run: Run, inst: ElementInstance, ref: MessageRef): boolean {
  const vars = visibleVariables(run, inst.id);
  const name = evaluateExpression(ref.name, vars, dialect(run));
  if (!name.ok || typeof name.value !== 'string') {
    raiseIncident(
      run,
      inst,
      'expression',
      name.ok ? `the message name should be text, got ${JSON.stringify(name.value)}` : name.error,
      'activate',
    );
    return false;
  }
  let correlationKey: string | null = null;
  if (ref.correlationKey) {
    const key = evaluateExpression(ref.correlationKey, vars, dialect(run));
    if (!key.ok) {
      raiseIncident(run, inst, 'expression', key.error, 'activate');
      return false;
    }
    correlationKey = key.value === null ? null : String(key.value);
  }
  run.commands.push({ type: 'publishMessage', name: name.value, correlationKey, variables: { ...inst.variables } });
  return true;
}

function endEventBehaviour(run: Run, inst: ElementInstance, node: EndEventNode): void {
  const result = node.result;
  switch (result.type) {
    case 'none':
      return completeElement(run, inst, {});
    case 'terminate': {
      const scope = parentOf(run, inst)!;
      // The scope completes once the canceling listeners of the tasks it ends have run.
      terminateHolding(run, scope.id, () => terminateChildren(run, scope, inst.id));
      if (scope.kind === 'process') scope.endedByTerminate = true;
      return completeElement(run, inst, {});
    }
    case 'error': {
      const scope = parentOf(run, inst);
      const message = `error end event "${node.id}" threw ${result.errorCode}`;
      // Camunda 8 (semantics 2): an error nothing catches leaves an incident on the end event.
      if ((run.graph.semantics ?? 1) >= 2 && !wouldCatch(run, scope, 'error', result.errorCode))
        return throwError(run, undefined, result.errorCode, message, undefined, { inst, resume: 'activate' });
      endInstance(run, inst, 'completed');
      return throwError(run, scope, result.errorCode, message);
    }
    case 'escalation': {
      const scope = parentOf(run, inst);
      endInstance(run, inst, 'completed');
      return throwEscalation(run, scope, result.escalationCode);
    }
    case 'message':
      if (result.activity) return startJob(run, inst, result.activity);
      if (result.message && !publishFrom(run, inst, result.message)) return;
      return completeElement(run, inst, {});
    case 'signal':
      if (!broadcastFrom(run, inst, result.name)) return;
      return completeElement(run, inst, {});
    case 'compensation':
      return throwCompensation(run, inst, result);
  }
}

/**
 * Compensation thrown in `inst`'s scope (from an event sub-process: in the scope around it): the
 * handlers of the completed activities recorded there (only `activityId`'s when named) start at
 * once, each once per completion, most recent first; the event completes when they all have.
 * What is compensated is no longer recorded, so a second throw does not run it again. A throw
 * that does not wait (`waitForCompletion="false"`) completes at once; its handlers run on in the
 * scope, which completes only once they have.
 */
function throwCompensation(run: Run, inst: ElementInstance, thrown: CompensationThrow): void {
  const activityId = thrown.activityId;
  const waits = thrown.waitForCompletion !== false;
  let scope = parentOf(run, inst);
  if (scope && scope.kind === 'node' && nodeOf(run, scope.elementId).kind === 'eventSubProcess')
    scope = parentOf(run, scope);
  const records = scope?.compensable ?? [];
  const chosen = records.filter((id) => activityId === undefined || id === activityId);
  if (!scope || chosen.length === 0) return completeElement(run, inst, {});
  scope.compensable = records.filter((id) => !(activityId === undefined || id === activityId));
  if (scope.compensable.length === 0) delete scope.compensable;
  if (waits) inst.compensating = chosen.length;
  for (const activity of [...chosen].reverse()) {
    const host = nodeOf(run, activity);
    if (host.kind === 'subProcess' && host.compensationEventSubProcessId) {
      compensateByEventSubProcess(run, scope, host.id, host.compensationEventSubProcessId, waits ? inst.id : undefined);
      continue;
    }
    const handlerId = 'compensationHandlerId' in host ? host.compensationHandlerId : undefined;
    if (!handlerId) continue;
    const handler = nodeOf(run, handlerId);
    const kind = 'multiInstance' in handler && handler.multiInstance !== undefined ? 'multiInstanceBody' : 'node';
    const h = createInstance(run, handlerId, kind, scope.id);
    if (waits) h.compensationOf = inst.id;
    runBehaviour(run, h);
  }
  // A handler may have ended the scope already (an error it threw, say).
  if (!waits && run.state.instances[inst.id]) completeElement(run, inst, {});
}

/**
 * A completed sub-process with a compensation event sub-process is compensated by bringing its
 * scope back as it was when it completed (its local variables and its records of compensable
 * activities) and running the event sub-process there; the sub-process ends again once that has
 * (by no flow). Its latest completion is compensated first.
 */
function compensateByEventSubProcess(
  run: Run,
  scope: ElementInstance,
  subProcessId: string,
  eventSubProcessId: string,
  throwId: string | undefined,
): void {
  const kept = scope.compensationScopes ?? [];
  const index = kept.map((k) => k.elementId).lastIndexOf(subProcessId);
  const entry = index >= 0 ? kept[index] : { elementId: subProcessId, compensable: [], variables: {} };
  if (index >= 0) kept.splice(index, 1);
  if (kept.length === 0) delete scope.compensationScopes;
  const sub = createInstance(run, subProcessId, 'node', scope.id, { ...entry.variables });
  sub.compensationScope = true;
  if (entry.compensable.length > 0) sub.compensable = [...entry.compensable];
  if (throwId) sub.compensationOf = throwId;
  const esp = nodeOf(run, eventSubProcessId);
  if (esp.kind !== 'eventSubProcess') throw new Error(`"${eventSubProcessId}" is not an event sub-process`);
  const espInst = createInstance(run, esp.id, 'node', sub.id);
  startScope(run, espInst, esp.scopeRef, esp.startEventId, { variables: {} });
}

/** Broadcasts a throw/end event's signal: its variables are the event's input-mapped ones. */
function broadcastFrom(run: Run, inst: ElementInstance, nameExpression: Expression): boolean {
  const name = evaluateExpression(nameExpression, visibleVariables(run, inst.id), dialect(run));
  if (!name.ok || typeof name.value !== 'string' || name.value === '') {
    raiseIncident(
      run,
      inst,
      'expression',
      name.ok ? `the signal name should be text, got ${JSON.stringify(name.value)}` : `signal name: ${name.error}`,
      'activate',
    );
    return false;
  }
  run.commands.push({ type: 'broadcastSignal', name: name.value, variables: { ...inst.variables } });
  return true;
}

function throwEventBehaviour(run: Run, inst: ElementInstance, node: IntermediateThrowEventNode): void {
  const result = node.result;
  switch (result.type) {
    case 'none':
      return completeElement(run, inst, {});
    case 'message':
      if (result.activity) return startJob(run, inst, result.activity);
      if (result.message && !publishFrom(run, inst, result.message)) return;
      return completeElement(run, inst, {});
    case 'escalation':
      throwEscalation(run, parentOf(run, inst), result.escalationCode);
      // An interrupting catch further out may have terminated this throw event.
      if (run.state.instances[inst.id]) completeElement(run, inst, {});
      return;
    case 'signal':
      if (!broadcastFrom(run, inst, result.name)) return;
      return completeElement(run, inst, {});
    case 'link':
      // It leaves by no flow: leaving, it activates its link catch event (completion.ts).
      return completeElement(run, inst, {});
    case 'compensation':
      return throwCompensation(run, inst, result);
  }
}

/** A job finished: message throw/end events publish now; every other node completes with the job's variables. */
export function afterJob(run: Run, inst: ElementInstance, variables: Variables): void {
  const node = nodeOf(run, inst.elementId);
  if (
    (node.kind === 'endEvent' || node.kind === 'intermediateThrowEvent') &&
    node.result.type === 'message' &&
    node.result.message
  ) {
    if (!publishFrom(run, inst, node.result.message)) return;
  }
  completeElement(run, inst, variables);
}
