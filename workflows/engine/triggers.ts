/**
 * Events that arrive from outside the token's path: timers, message and signal subscriptions (own,
 * boundary, event sub-process, event-based gateway), and errors and escalations thrown up
 * the scopes to the nearest boundary event or event sub-process that catches them.
 */
import {
  type BoundaryEventNode,
  type EventSubProcessNode,
  type EventTrigger,
  type Expression,
  type MessageRef,
  type StartEventNode,
  type TimerDefinition,
  evaluateExpression,
  nextRecurrence,
  resolveTimer,
} from '../../bpmn/runtime';
import { activateNode, startScope } from './behaviour';
import { completeElement, endWholeInstance } from './completion';
import {
  addWait,
  cancelWaitsOf,
  createInstance,
  endInstance,
  newId,
  nodeOf,
  parentOf,
  raiseIncident,
  terminateChildren,
  terminateInstance,
  tracksSubscriptions,
  type Run,
  dialect,
} from './run';
import { holdInterrupt, terminateHolding } from './task-transitions';
import type {
  ElementInstance,
  Incident,
  InterruptPath,
  MessageWait,
  SignalWait,
  TimerWait,
  Variables,
  Wait,
} from './types';
import { visibleVariables } from './variables';

// ---------------------------------------------------------------- subscriptions

/** Arms a timer owned by `ownerId`; returns a plain-words error when its value cannot be resolved. */
export function armTimer(
  run: Run,
  ownerId: string,
  role: Wait['role'],
  nodeId: string,
  timer: TimerDefinition,
  mayRepeat: boolean,
): string | null {
  const schedule = resolveTimer(timer, visibleVariables(run, ownerId), run.now, dialect(run), {
    plainDates: run.state.plainDates ?? 'utc',
    cronAndZoneIds: run.state.cronAndZoneIds === true,
  });
  if (!schedule.ok) return `timer of "${nodeId}": ${schedule.error}`;
  const wait: TimerWait = {
    type: 'timer',
    id: newId(run, 'timer'),
    ownerId,
    role,
    nodeId,
    createdAt: run.now,
    fireAt: schedule.value.dueAt,
  };
  const repeat = schedule.value.repeat;
  if (mayRepeat && repeat && (repeat.remainingAfterFirst === null || repeat.remainingAfterFirst > 0)) {
    const { remainingAfterFirst, ...recurrence } = repeat;
    wait.repeat = { ...recurrence, remaining: remainingAfterFirst };
  }
  addWait(run, wait);
  run.commands.push({ type: 'startTimer', timerId: wait.id, fireAt: wait.fireAt });
  return null;
}

function correlationText(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Opens a message subscription; a matching buffered message is delivered once the current action ends. */
export function subscribeMessage(
  run: Run,
  ownerId: string,
  role: Wait['role'],
  nodeId: string,
  ref: MessageRef,
): string | null {
  const vars = visibleVariables(run, ownerId);
  const name = evaluateExpression(ref.name, vars, dialect(run));
  if (!name.ok) return `message name of "${nodeId}": ${name.error}`;
  if (typeof name.value !== 'string' || name.value === '')
    return `the message name of "${nodeId}" should be text, got ${JSON.stringify(name.value)}`;
  let correlationKey: string | null = null;
  if (ref.correlationKey) {
    const key = evaluateExpression(ref.correlationKey, vars, dialect(run));
    if (!key.ok) return `correlation key of "${nodeId}": ${key.error}`;
    correlationKey = correlationText(key.value);
    if (correlationKey === null)
      return `the correlation key of "${nodeId}" should be text or a number, got ${JSON.stringify(key.value)}`;
  }
  const wait: MessageWait = {
    type: 'message',
    id: newId(run, 'msg'),
    ownerId,
    role,
    nodeId,
    createdAt: run.now,
    name: name.value,
    correlationKey,
  };
  addWait(run, wait);
  if (tracksSubscriptions(run))
    run.commands.push({
      type: 'openSubscription',
      waitId: wait.id,
      kind: 'message',
      name: wait.name,
      correlationKey,
      elementId: nodeId,
    });
  const buffered = run.state.bufferedMessages.findIndex(
    (m) => m.name === wait.name && m.correlationKey === wait.correlationKey && m.expiresAt > run.now,
  );
  if (buffered >= 0) {
    const [message] = run.state.bufferedMessages.splice(buffered, 1);
    run.agenda.push({ kind: 'trigger', waitId: wait.id, variables: message.variables });
  }
  return null;
}

/** Opens a signal subscription (every broadcast of the name triggers it while it is open). */
export function subscribeSignal(
  run: Run,
  ownerId: string,
  role: Wait['role'],
  nodeId: string,
  nameExpression: Expression,
): string | null {
  const name = evaluateExpression(nameExpression, visibleVariables(run, ownerId), dialect(run));
  if (!name.ok) return `signal name of "${nodeId}": ${name.error}`;
  if (typeof name.value !== 'string' || name.value === '')
    return `the signal name of "${nodeId}" should be text, got ${JSON.stringify(name.value)}`;
  const wait: SignalWait = {
    type: 'signal',
    id: newId(run, 'signal'),
    ownerId,
    role,
    nodeId,
    createdAt: run.now,
    name: name.value,
  };
  addWait(run, wait);
  run.commands.push({
    type: 'openSubscription',
    waitId: wait.id,
    kind: 'signal',
    name: wait.name,
    correlationKey: null,
    elementId: nodeId,
  });
  return null;
}

/** Every signal subscription of `name` triggers, oldest first (a broadcast reaches them all). */
export function broadcastReceived(run: Run, name: string, variables: Variables): boolean {
  const waits = Object.values(run.state.waits).filter((w) => w.type === 'signal' && w.name === name);
  // Queued, so an interrupting one that ends the others' owners first leaves them untriggered,
  // and subscriptions opened by these triggers (non-interrupting ones again) wait for the next broadcast.
  for (const w of waits) run.agenda.push({ kind: 'trigger', waitId: w.id, variables });
  return waits.length > 0;
}

/** Subscribes the timer, message and signal boundary events of an activity; false (and an incident) when one cannot be resolved. */
export function subscribeBoundaries(run: Run, host: ElementInstance): boolean {
  const node = nodeOf(run, host.elementId);
  if (!('boundaryEventIds' in node)) return true;
  for (const id of node.boundaryEventIds) {
    const b = nodeOf(run, id) as BoundaryEventNode;
    let error: string | null = null;
    if (b.trigger.type === 'timer') error = armTimer(run, host.id, 'boundary', b.id, b.trigger.timer, !b.interrupting);
    else if (b.trigger.type === 'message') error = subscribeMessage(run, host.id, 'boundary', b.id, b.trigger.message);
    else if (b.trigger.type === 'signal') error = subscribeSignal(run, host.id, 'boundary', b.id, b.trigger.name);
    if (error) {
      cancelWaitsOf(run, host.id);
      raiseIncident(run, host, 'expression', error, 'activate');
      return false;
    }
  }
  return true;
}

function eventSubProcessStarts(run: Run, scopeId: string): StartEventNode[] {
  const scope = run.graph.scopes[scopeId];
  if (!scope) return [];
  return scope.eventSubProcessIds.map((id) => {
    const esp = nodeOf(run, id) as EventSubProcessNode;
    return nodeOf(run, esp.startEventId) as StartEventNode;
  });
}

/** Timer and message starts of the scope's event sub-processes begin listening. */
export function subscribeEventSubProcesses(run: Run, scopeInst: ElementInstance, scopeId: string): void {
  for (const start of eventSubProcessStarts(run, scopeId)) {
    let error: string | null = null;
    if (start.trigger.type === 'timer')
      error = armTimer(run, scopeInst.id, 'eventSubProcess', start.id, start.trigger.timer, !start.interrupting);
    else if (start.trigger.type === 'message')
      error = subscribeMessage(run, scopeInst.id, 'eventSubProcess', start.id, start.trigger.message);
    else if (start.trigger.type === 'signal')
      error = subscribeSignal(run, scopeInst.id, 'eventSubProcess', start.id, start.trigger.name);
    if (error) {
      cancelWaitsOf(run, scopeInst.id, (w) => w.role === 'eventSubProcess');
      raiseIncident(run, scopeInst, 'expression', error, 'subscribe');
      return;
    }
  }
}

/** The event-based gateway waits on each of its events; the first to trigger wins. */
export function subscribeEventGateway(run: Run, gateway: ElementInstance, eventIds: readonly string[]): void {
  for (const id of eventIds) {
    const target = nodeOf(run, id);
    let error: string | null;
    if (target.kind === 'intermediateCatchEvent' && target.trigger.type === 'timer') {
      error = armTimer(run, gateway.id, 'eventGateway', id, target.trigger.timer, false);
    } else if (target.kind === 'intermediateCatchEvent' && target.trigger.type === 'message') {
      error = subscribeMessage(run, gateway.id, 'eventGateway', id, target.trigger.message);
    } else if (target.kind === 'intermediateCatchEvent' && target.trigger.type === 'signal') {
      error = subscribeSignal(run, gateway.id, 'eventGateway', id, target.trigger.name);
    } else if (target.kind === 'receiveTask') {
      error = subscribeMessage(run, gateway.id, 'eventGateway', id, target.message);
    } else {
      error = `"${id}" after event-based gateway "${gateway.elementId}" is not a timer, message or signal catch event`;
    }
    if (error) {
      cancelWaitsOf(run, gateway.id);
      raiseIncident(run, gateway, 'expression', error, 'activate');
      return;
    }
  }
}

// ---------------------------------------------------------------- triggering

/** A timer fired or a message correlated: the wait (already removed from the state) takes effect. */
export function triggerWait(run: Run, wait: Wait, variables: Variables): void {
  const owner = run.state.instances[wait.ownerId];
  if (!owner) return;
  switch (wait.role) {
    case 'self':
      completeElement(run, owner, variables);
      break;
    case 'boundary':
      triggerBoundary(run, owner, wait.nodeId, variables);
      break;
    case 'eventSubProcess':
      triggerEventSubProcess(run, owner, wait.nodeId, variables);
      break;
    case 'eventGateway': {
      cancelWaitsOf(run, owner.id);
      const scopeId = owner.parentId!;
      endInstance(run, owner, 'completed');
      activateNode(run, wait.nodeId, scopeId, { variables });
      break;
    }
  }
  resubscribe(run, wait);
}

/** Non-interrupting boundary and event sub-process starts keep listening: cycles re-arm, messages re-subscribe. */
function resubscribe(run: Run, wait: Wait): void {
  if (wait.role !== 'boundary' && wait.role !== 'eventSubProcess') return;
  const owner = run.state.instances[wait.ownerId];
  if (!owner || (wait.role === 'eventSubProcess' && owner.interrupted) || run.state.status !== 'running') return;
  const node = nodeOf(run, wait.nodeId) as BoundaryEventNode | StartEventNode;
  if (node.interrupting) return;
  if (wait.type === 'timer' && wait.repeat) {
    const { remaining, ...recurrence } = wait.repeat;
    const fireAt = nextRecurrence(recurrence, wait.fireAt, run.now);
    if (fireAt === null) return; // a cron expression that matches no more
    const next: TimerWait = { ...wait, id: newId(run, 'timer'), createdAt: run.now, fireAt };
    if (remaining === null || remaining > 1)
      next.repeat = { ...recurrence, remaining: remaining === null ? null : remaining - 1 };
    else delete next.repeat;
    if (remaining === null || remaining > 0) {
      addWait(run, next);
      run.commands.push({ type: 'startTimer', timerId: next.id, fireAt: next.fireAt });
    }
  } else if (wait.type === 'message' && node.trigger.type === 'message') {
    const error = subscribeMessage(run, owner.id, wait.role, node.id, node.trigger.message);
    if (error) raiseIncident(run, owner, 'expression', error, wait.role === 'boundary' ? 'activate' : 'subscribe');
  } else if (wait.type === 'signal' && node.trigger.type === 'signal') {
    const error = subscribeSignal(run, owner.id, wait.role, node.id, node.trigger.name);
    if (error) raiseIncident(run, owner, 'expression', error, wait.role === 'boundary' ? 'activate' : 'subscribe');
  }
}

/**
 * Interrupting: the host and everything in it end, then the boundary's path starts; otherwise
 * both run. `scopeVariables` (a caught error's code, message and variables) become local
 * variables of the scope the boundary event sits in, unless the event has output mappings:
 * then only what they map leaves the event.
 */
export function triggerBoundary(
  run: Run,
  host: ElementInstance,
  boundaryId: string,
  variables: Variables,
  scopeVariables?: Variables,
): void {
  const boundary = nodeOf(run, boundaryId) as BoundaryEventNode;
  const scope = run.state.instances[host.parentId!];
  const then = { kind: 'boundary' as const, boundaryId, variables, ...(scopeVariables ? { scopeVariables } : {}) };
  if (boundary.interrupting) {
    const waitingFor = terminateHolding(run, scope.id, () => terminateInstance(run, host));
    if (waitingFor.length > 0) return holdInterrupt(run, scope, { waitingFor, then });
  }
  continueInterrupt(run, scope, then);
}

/** The path of an interrupting event (once the canceling listeners it waited for have run), or of a non-interrupting one. */
export function continueInterrupt(run: Run, scope: ElementInstance, then: InterruptPath): void {
  if (then.kind === 'boundary') {
    const boundary = nodeOf(run, then.boundaryId) as BoundaryEventNode;
    if (then.scopeVariables && boundary.outputs.length === 0) Object.assign(scope.variables, then.scopeVariables);
    return activateNode(run, boundary.id, scope.id, { variables: then.variables });
  }
  const start = nodeOf(run, then.startId) as StartEventNode;
  const esp = nodeOf(run, start.scopeId) as EventSubProcessNode;
  const espInst = createInstance(
    run,
    esp.id,
    'node',
    scope.id,
    then.scopeVariables && start.outputs.length === 0 ? { ...then.scopeVariables } : {},
  );
  startScope(run, espInst, esp.scopeRef, start.id, { variables: then.variables });
}

/**
 * Starts an event sub-process in `scopeInst`; an interrupting one first ends everything else in
 * the scope. `scopeVariables` become local variables of the event sub-process instance (unless
 * its start event has output mappings, which then decide).
 */
export function triggerEventSubProcess(
  run: Run,
  scopeInst: ElementInstance,
  startId: string,
  variables: Variables,
  scopeVariables?: Variables,
): void {
  if (scopeInst.interrupted) return;
  const start = nodeOf(run, startId) as StartEventNode;
  const then = { kind: 'eventSubProcess' as const, startId, variables, ...(scopeVariables ? { scopeVariables } : {}) };
  if (start.interrupting) {
    scopeInst.interrupted = true;
    const waitingFor = terminateHolding(run, scopeInst.id, () => terminateChildren(run, scopeInst));
    cancelWaitsOf(run, scopeInst.id, (w) => w.role === 'eventSubProcess');
    if (waitingFor.length > 0) return holdInterrupt(run, scopeInst, { waitingFor, then });
  }
  continueInterrupt(run, scopeInst, then);
}

// ---------------------------------------------------------------- error and escalation

function scopeIdOf(run: Run, inst: ElementInstance): string | null {
  if (inst.kind === 'process') return run.graph.rootScopeId;
  if (inst.kind !== 'node') return null;
  const node = nodeOf(run, inst.elementId);
  return node.kind === 'subProcess' || node.kind === 'eventSubProcess' ? node.scopeRef : null;
}

type Catchable = 'error' | 'escalation';

function codeOf(trigger: EventTrigger): string | undefined {
  if (trigger.type === 'error') return trigger.errorCode;
  if (trigger.type === 'escalation') return trigger.escalationCode;
  return undefined;
}

/** The catching event with this exact code, else a catch-all one (no code). */
function pick<T extends { trigger: EventTrigger }>(candidates: T[], type: Catchable, code: string): T | undefined {
  const typed = candidates.filter((c) => c.trigger.type === type);
  return typed.find((c) => codeOf(c.trigger) === code) ?? typed.find((c) => codeOf(c.trigger) === undefined);
}

function catchingStart(run: Run, inst: ElementInstance, type: Catchable, code: string): StartEventNode | undefined {
  const scopeId = scopeIdOf(run, inst);
  if (scopeId === null || inst.interrupted) return undefined;
  return pick(eventSubProcessStarts(run, scopeId), type, code);
}

function catchingBoundary(
  run: Run,
  inst: ElementInstance,
  type: Catchable,
  code: string,
): BoundaryEventNode | undefined {
  if (inst.kind === 'process') return undefined;
  // Instances inside a multi-instance body: the body carries the boundary events.
  if (inst.kind === 'node' && parentOf(run, inst)?.kind === 'multiInstanceBody') return undefined;
  const node = nodeOf(run, inst.elementId);
  if (!('boundaryEventIds' in node)) return undefined;
  return pick(
    node.boundaryEventIds.map((id) => nodeOf(run, id) as BoundaryEventNode),
    type,
    code,
  );
}

/** Whether a boundary event or event sub-process from `from` outwards would catch it. */
export function wouldCatch(run: Run, from: ElementInstance | undefined, type: Catchable, code: string): boolean {
  for (let cur = from; cur; cur = parentOf(run, cur)) {
    if (catchingStart(run, cur, type, code) || catchingBoundary(run, cur, type, code)) return true;
  }
  return false;
}

/**
 * Walks out from `from` to the nearest catcher; returns false when nothing catches. `payload`
 * is set in the catching event's scope and passed to its output mappings.
 */
function propagate(
  run: Run,
  from: ElementInstance | undefined,
  type: Catchable,
  code: string,
  payload?: Variables,
): boolean {
  let cur = from;
  while (cur) {
    const start = catchingStart(run, cur, type, code);
    if (start) {
      triggerEventSubProcess(run, cur, start.id, payload ?? {}, payload);
      return true;
    }
    const boundary = catchingBoundary(run, cur, type, code);
    if (boundary) {
      triggerBoundary(run, cur, boundary.id, payload ?? {}, payload);
      return true;
    }
    cur = parentOf(run, cur);
  }
  return false;
}

/**
 * A BPMN error: caught by the nearest boundary/event sub-process, otherwise the instance fails
 * with it. The catch event's scope gets the error's `variables` plus `errorCode` and
 * `errorMessage` (as Camunda's errorCodeVariable / errorMessageVariable would name them).
 */
export function throwError(
  run: Run,
  from: ElementInstance | undefined,
  code: string,
  message: string,
  variables?: Variables,
  uncaught?: { inst: ElementInstance; resume: Incident['resume'] },
): void {
  const payload: Variables = { ...(variables ?? {}), errorCode: code, errorMessage: message };
  if (propagate(run, from, 'error', code, payload)) return;
  // Camunda 8 (semantics 2): an uncaught error is an incident where it was thrown, not the instance's end.
  if (uncaught && (run.graph.semantics ?? 1) >= 2)
    return raiseIncident(
      run,
      uncaught.inst,
      'unhandledError',
      `the BPMN error "${code}" was thrown but nothing catches it (${message})`,
      uncaught.resume,
    );
  endWholeInstance(run, { type: 'fail', errorCode: code, message });
}

/** A BPMN escalation: caught by the nearest catcher; uncaught, the flow simply continues. */
export function throwEscalation(run: Run, from: ElementInstance | undefined, code: string): void {
  propagate(run, from, 'escalation', code);
}
