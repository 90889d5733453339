/**
 * The token engine's entry points: start an instance, then feed it events. Pure functions:
 * the input state is never changed, time comes only from `now`, ids from the state's counter,
 * so the same events give the same commands every time (what Temporal replay needs).
 */
import { GRAPH_FORMAT, type CompiledGraph } from '../../bpmn/runtime';
import { activateNode, activityOf, afterJob, runBehaviour, startJob, startProcess } from './behaviour';
import { afterListenerJob, startListenerJob } from './listeners';
import { cancelHolding, holdCompletion, requestChange, setVariables, startCanceling } from './task-transitions';
import { afterAdHocJob, startAdHocJob } from './ad-hoc';
import { propagateVariables } from './variables';
import { completeElement, completeEmptyScopes, endWholeInstance } from './completion';
import { arrive, fireReadyInclusiveJoins } from './gateways';
import { checkBody } from './multi-instance';
import { cancelWaitsOf, closeSubscription, nodeOf, raiseIncident, type Run } from './run';
import { broadcastReceived, subscribeEventSubProcesses, throwError, triggerWait } from './triggers';
import {
  ENGINE_STATE_FORMAT,
  type ElementInstance,
  type EngineEvent,
  type EngineState,
  type EngineStep,
  type Variables,
} from './types';

export interface StartOptions {
  /** 20 hex digits + dashes: the first 24 characters of a UUID (`xxxxxxxx-xxxx-4xxx-yxxx-`), so task ids are UUIDs. */
  idSeed: string;
  /** Start at this start event (timer start, or a specific one); default: the none start event. */
  startEventId?: string;
  /** Start at the message start event with this name. */
  messageName?: string;
  /** Start at the signal start event with this name (a broadcast). */
  signalName?: string;
  /** Plain dates in timers and due dates start at midnight in England, not UTC (see bpmn/timer.ts). */
  plainDatesInEngland?: boolean;
  /** Timers take cron cycles and date-times with a zone id (see EngineState.cronAndZoneIds). */
  cronAndZoneIds?: boolean;
  /** User task dates take date-times with a zone id (see EngineState.zonedTaskDates). */
  zonedTaskDates?: boolean;
  /** Canceling task listeners hold the interrupting path and the cancellation (see EngineState.cancelingListenersHold). */
  cancelingListenersHold?: boolean;
  /** Listeners of a task about to open see its attributes (see EngineState.newTaskListenerHeaders). */
  newTaskListenerHeaders?: boolean;
  /** A completion condition's element waits for the canceling listeners of what it ended (see EngineState.cancelingListenersHoldCompletion). */
  cancelingListenersHoldCompletion?: boolean;
  /** Canceling listeners' corrections are taken (see EngineState.cancelingListenerCorrections). */
  cancelingListenerCorrections?: boolean;
}

const ID_SEED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-$/i;

function chooseStartEvent(graph: CompiledGraph, options: StartOptions): string {
  const root = graph.scopes[graph.rootScopeId];
  if (!root) throw new Error(`the graph has no root scope "${graph.rootScopeId}"`);
  const starts = root.startEventIds.map((id) => graph.nodes[id]);
  if (options.startEventId !== undefined) {
    if (!root.startEventIds.includes(options.startEventId))
      throw new Error(`"${options.startEventId}" is not a start event of process "${graph.processId}"`);
    return options.startEventId;
  }
  if (options.messageName !== undefined) {
    const hit = starts.find(
      (n) =>
        n?.kind === 'startEvent' &&
        n.trigger.type === 'message' &&
        n.trigger.message.name.type === 'literal' &&
        n.trigger.message.name.value === options.messageName,
    );
    if (!hit)
      throw new Error(`process "${graph.processId}" has no message start event for message "${options.messageName}"`);
    return hit.id;
  }
  if (options.signalName !== undefined) {
    const hit = starts.find(
      (n) =>
        n?.kind === 'startEvent' &&
        n.trigger.type === 'signal' &&
        n.trigger.name.type === 'literal' &&
        n.trigger.name.value === options.signalName,
    );
    if (!hit)
      throw new Error(`process "${graph.processId}" has no signal start event for signal "${options.signalName}"`);
    return hit.id;
  }
  const none = starts.find((n) => n?.kind === 'startEvent' && n.trigger.type === 'none');
  if (none) return none.id;
  if (starts.length === 1 && starts[0]) return starts[0].id;
  throw new Error(`process "${graph.processId}" has no none start event; say which start event to use`);
}

function newRun(graph: CompiledGraph, state: EngineState, now: number): Run {
  return { graph, state, now, commands: [], agenda: [], scopesToCheck: [] };
}

/** Runs queued work until nothing moves: tokens along flows, deferred triggers, inclusive joins, empty scopes. */
function settle(run: Run): void {
  for (;;) {
    while (run.agenda.length > 0 && run.state.status === 'running') {
      const item = run.agenda.shift()!;
      if (item.kind === 'flow') {
        arrive(run, item.flowId, item.scopeId);
      } else if (item.kind === 'taskCanceling') {
        startCanceling(run, item.instanceId);
      } else if (item.kind === 'activate') {
        if (run.state.instances[item.scopeId]) activateNode(run, item.nodeId, item.scopeId, { variables: {} });
      } else {
        const wait = run.state.waits[item.waitId];
        if (!wait) continue;
        delete run.state.waits[wait.id];
        closeSubscription(run, wait);
        triggerWait(run, wait, item.variables);
      }
    }
    if (run.state.status !== 'running') break;
    if (fireReadyInclusiveJoins(run)) continue;
    if (completeEmptyScopes(run)) continue;
    break;
  }
  run.agenda.length = 0;
  run.scopesToCheck.length = 0;
}

/** A new process instance: variables on the process scope, a token at the chosen start event. */
export function startInstance(
  graph: CompiledGraph,
  variables: Variables,
  now: number,
  options: StartOptions,
): EngineStep {
  if (graph.format !== GRAPH_FORMAT)
    throw new Error(`graph format "${String(graph.format)}" is not supported (expected ${GRAPH_FORMAT})`);
  if (!ID_SEED.test(options.idSeed))
    throw new Error(`idSeed "${options.idSeed}" should be the first 24 characters of a UUID`);
  const startEventId = chooseStartEvent(graph, options);
  const rootId = 'ei-0';
  const root: ElementInstance = {
    id: rootId,
    elementId: graph.rootScopeId,
    kind: 'process',
    parentId: null,
    startedAt: now,
    state: 'active',
    variables: clone(variables),
    childIds: [],
  };
  const state: EngineState = {
    format: ENGINE_STATE_FORMAT,
    ...(options.plainDatesInEngland ? { plainDates: 'england' as const } : {}),
    ...(options.cronAndZoneIds ? { cronAndZoneIds: true as const } : {}),
    ...(options.zonedTaskDates ? { zonedTaskDates: true as const } : {}),
    ...(options.cancelingListenersHold ? { cancelingListenersHold: true as const } : {}),
    ...(options.newTaskListenerHeaders ? { newTaskListenerHeaders: true as const } : {}),
    ...(options.cancelingListenersHoldCompletion ? { cancelingListenersHoldCompletion: true as const } : {}),
    ...(options.cancelingListenerCorrections ? { cancelingListenerCorrections: true as const } : {}),
    idSeed: options.idSeed.toLowerCase(),
    nextId: 1,
    status: 'running',
    processId: graph.processId,
    rootId,
    startedAt: now,
    instances: { [rootId]: root },
    waits: {},
    incidents: {},
    log: [],
    logDropped: 0,
    bufferedMessages: [],
  };
  const run = newRun(graph, state, now);
  startProcess(run, root, startEventId);
  settle(run);
  return { state, commands: run.commands, accepted: true };
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export interface HandleOptions {
  /**
   * Change `state` itself instead of a copy. The interpreter workflow owns its state and
   * replaces it with the result anyway; copying it on every event was its largest cost in
   * the engine (a half-applied event only happens on a bug, which fails the workflow task).
   */
  inPlace?: boolean;
}

/** Applies one event to a copy of the state (or, with `inPlace`, to the state itself). */
export function handleEvent(
  graph: CompiledGraph,
  state: EngineState,
  event: EngineEvent,
  now: number,
  options: HandleOptions = {},
): EngineStep {
  if (state.format !== ENGINE_STATE_FORMAT)
    throw new Error(`engine state format "${String(state.format)}" is not supported`);
  const run = newRun(graph, options.inPlace ? state : clone(state), now);
  if (run.state.status !== 'running') return { state: run.state, commands: [], accepted: false };
  run.state.bufferedMessages = run.state.bufferedMessages.filter((m) => m.expiresAt > now);
  const accepted = apply(run, event);
  settle(run);
  return { state: run.state, commands: run.commands, accepted };
}

function apply(run: Run, event: EngineEvent): boolean {
  const s = run.state;
  switch (event.type) {
    case 'jobCompleted': {
      const wait = s.waits[event.jobId];
      if (wait?.type !== 'job') return false;
      delete s.waits[wait.id];
      const owner = s.instances[wait.ownerId];
      if (owner && wait.listener)
        afterListenerJob(
          run,
          owner,
          wait.listener,
          event.variables ?? {},
          event.corrections,
          event.denied === true ? { ...(event.deniedReason ? { reason: event.deniedReason } : {}) } : undefined,
        );
      else if (owner && wait.adHoc) {
        propagateVariables(run, owner.id, event.variables ?? {});
        afterAdHocJob(run, owner, event.adHoc);
      } else if (owner) afterJob(run, owner, event.variables ?? {});
      return true;
    }
    case 'jobFailed': {
      const wait = s.waits[event.jobId];
      if (wait?.type !== 'job') return false;
      delete s.waits[wait.id];
      const owner = s.instances[wait.ownerId];
      if (!owner) return true;
      // Camunda 8 lets no listener throw a BPMN error: it is an incident on the element.
      if (wait.listener)
        raiseIncident(
          run,
          owner,
          'jobFailed',
          event.bpmnError
            ? `the ${wait.listener.eventType} listener threw the BPMN error "${event.bpmnError.code}", which listeners may not throw`
            : event.message,
          'job',
          wait.id,
          wait.listener,
        );
      else if (event.bpmnError)
        throwError(
          run,
          owner,
          event.bpmnError.code,
          event.bpmnError.message ?? event.message,
          event.bpmnError.variables,
          { inst: owner, resume: 'job' },
        );
      else raiseIncident(run, owner, 'jobFailed', event.message, 'job', wait.id);
      return true;
    }
    case 'timerFired': {
      const wait = s.waits[event.timerId];
      if (wait?.type !== 'timer') return false;
      delete s.waits[wait.id];
      triggerWait(run, wait, {});
      return true;
    }
    case 'signalReceived':
      return broadcastReceived(run, event.name, event.variables ?? {});
    case 'messageReceived':
      return correlate(run, event.name, event.correlationKey ?? null, event.variables ?? {}, event.bufferForMs ?? 0);
    case 'userTaskCompleted': {
      const wait = s.waits[event.taskId];
      if (wait?.type !== 'userTask') return false;
      const owner = s.instances[wait.ownerId];
      // One transition at a time: a completion waiting for its completing listeners takes no other.
      if (owner?.pendingTransition) return false;
      const completion = {
        data: event.data ?? {},
        ...(event.outcome !== undefined ? { outcome: event.outcome } : {}),
        ...(event.actor !== undefined ? { actor: event.actor } : {}),
      };
      if (owner && holdCompletion(run, owner, wait, completion)) return true;
      delete s.waits[wait.id];
      if (owner)
        completeElement(run, owner, {
          ...(event.data ?? {}),
          ...(event.outcome !== undefined ? { outcome: event.outcome } : {}),
        });
      return true;
    }
    case 'userTaskChangeRequested': {
      const wait = s.waits[event.taskId];
      if (wait?.type !== 'userTask') return false;
      const owner = s.instances[wait.ownerId];
      if (!owner || owner.pendingTransition) return false;
      requestChange(run, owner, wait.id, event.eventType, event.changes);
      return true;
    }
    case 'variablesSet':
      return setVariables(run, event.elementInstanceId, event.variables, event.local === true);
    case 'childCompleted': {
      const wait = s.waits[event.callId];
      if (wait?.type !== 'child') return false;
      delete s.waits[wait.id];
      const owner = s.instances[wait.ownerId];
      if (!owner) return true;
      const node = nodeOf(run, owner.elementId);
      const takeAll = node.kind === 'callActivity' && (node.call.propagateAllChildVariables || node.outputs.length > 0);
      completeElement(run, owner, takeAll ? (event.variables ?? {}) : {});
      return true;
    }
    case 'childFailed': {
      const wait = s.waits[event.callId];
      if (wait?.type !== 'child') return false;
      delete s.waits[wait.id];
      const owner = s.instances[wait.ownerId];
      if (!owner) return true;
      if (event.bpmnError)
        throwError(
          run,
          owner,
          event.bpmnError.code,
          event.bpmnError.message ?? event.message,
          event.bpmnError.variables,
        );
      else raiseIncident(run, owner, 'childFailed', event.message, 'activate');
      return true;
    }
    case 'incidentRetried':
      return retryIncident(run, event.incidentId, event.variables);
    case 'cancelRequested':
      if (event.force !== true && run.state.cancelingListenersHold === true) return cancelHolding(run);
      endWholeInstance(run, { type: 'cancel' });
      return true;
  }
}

/** Delivers a message to the oldest matching subscription; otherwise keeps it for `bufferForMs`. */
function correlate(
  run: Run,
  name: string,
  correlationKey: string | null,
  variables: Variables,
  bufferForMs: number,
): boolean {
  const wait = Object.values(run.state.waits).find(
    (w) => w.type === 'message' && w.name === name && w.correlationKey === correlationKey,
  );
  if (wait) {
    delete run.state.waits[wait.id];
    closeSubscription(run, wait);
    triggerWait(run, wait, variables);
    return true;
  }
  if (bufferForMs > 0)
    run.state.bufferedMessages.push({ name, correlationKey, variables, expiresAt: run.now + bufferForMs });
  return false;
}

function retryIncident(run: Run, incidentId: string, variables: Variables | undefined): boolean {
  const incident = run.state.incidents[incidentId];
  if (!incident) return false;
  if (variables) Object.assign(run.state.instances[run.state.rootId].variables, clone(variables));
  delete run.state.incidents[incidentId];
  run.commands.push({ type: 'incidentResolved', incidentId });
  const inst = run.state.instances[incident.elementInstanceId];
  if (!inst) return true;
  inst.state = 'active';
  switch (incident.resume) {
    case 'activate':
      cancelWaitsOf(run, inst.id);
      runBehaviour(run, inst);
      break;
    case 'job': {
      if (incident.listener) {
        startListenerJob(run, inst, incident.listener);
        break;
      }
      if (nodeOf(run, inst.elementId).kind === 'adHocSubProcess') {
        startAdHocJob(run, inst);
        break;
      }
      const activity = activityOf(nodeOf(run, inst.elementId));
      if (activity) startJob(run, inst, activity);
      break;
    }
    case 'complete':
      if (inst.kind === 'multiInstanceBody') checkBody(run, inst);
      else completeElement(run, inst, inst.pendingResult ?? {});
      break;
    case 'subscribe': {
      const scopeId =
        inst.kind === 'process'
          ? run.graph.rootScopeId
          : (nodeOf(run, inst.elementId) as { scopeRef?: string }).scopeRef;
      if (scopeId) subscribeEventSubProcesses(run, inst, scopeId);
      break;
    }
  }
  return true;
}
