/**
 * One engine step in progress: the working copy of the state, the clock reading, the commands
 * produced so far and the work still queued. Helpers here create, end and terminate element
 * instances and raise incidents; the element behaviours live in the other engine files.
 */
import { feelDialectOf, type CompiledGraph, type FeelDialect, type GraphNode } from '../../bpmn/runtime';
import { beforeTaskCancelled } from './task-transitions';
import type {
  ElementInstance,
  EngineCommand,
  EngineState,
  Incident,
  IncidentKind,
  ListenerJob,
  Variables,
  Wait,
} from './types';

/** Queued work, run in order once the current action has finished (never re-entrantly). */
export type AgendaItem =
  | { kind: 'flow'; flowId: string; scopeId: string }
  | { kind: 'trigger'; waitId: string; variables: Variables }
  /** A token arrives at a node without a flow (a link throw event's link catch event). */
  | { kind: 'activate'; nodeId: string; scopeId: string }
  /** A cancelled user task's canceling listeners start (task-transitions.ts). */
  | { kind: 'taskCanceling'; instanceId: string };

export interface Run {
  readonly graph: CompiledGraph;
  readonly state: EngineState;
  readonly now: number;
  readonly commands: EngineCommand[];
  readonly agenda: AgendaItem[];
  /** Scopes that lost a child: checked for completion once the agenda is empty. */
  readonly scopesToCheck: string[];
  /** The whole instance is ending (cancelled or failed): nothing new starts in it. */
  ending?: true;
  /** A termination under way whose canceling listeners are children of `parentId` (task-transitions.ts). */
  canceling?: { parentId: string; started: string[] };
}

/** Bounds the element log carried in the state (continue-as-new carries it). */
export const MAX_LOG_ENTRIES = 2000;

/** The FEEL dialect of the running graph (Camunda's for graphs of semantics 2). */
export function dialect(run: Run): FeelDialect {
  return feelDialectOf(run.graph);
}

export function newId(run: Run, prefix: string): string {
  const n = run.state.nextId++;
  return `${prefix}-${n}`;
}

/** A user task id: the instance's UUID seed plus the counter, so the human_tasks row key is a UUID. */
export function newTaskId(run: Run): string {
  const n = run.state.nextId++;
  return `${run.state.idSeed}${n.toString(16).padStart(12, '0')}`;
}

export function nodeOf(run: Run, nodeId: string): GraphNode {
  const node = run.graph.nodes[nodeId];
  if (!node) throw new Error(`the graph has no node "${nodeId}"`);
  return node;
}

export function instanceOf(run: Run, id: string): ElementInstance | undefined {
  return run.state.instances[id];
}

export function parentOf(run: Run, inst: ElementInstance): ElementInstance | undefined {
  return inst.parentId === null ? undefined : run.state.instances[inst.parentId];
}

export function createInstance(
  run: Run,
  elementId: string,
  kind: ElementInstance['kind'],
  parentId: string | null,
  variables: Variables = {},
): ElementInstance {
  const inst: ElementInstance = {
    id: newId(run, 'ei'),
    elementId,
    kind,
    parentId,
    startedAt: run.now,
    state: 'active',
    variables,
    childIds: [],
  };
  run.state.instances[inst.id] = inst;
  if (parentId !== null) run.state.instances[parentId].childIds.push(inst.id);
  return inst;
}

export function addWait(run: Run, wait: Wait): void {
  run.state.waits[wait.id] = wait;
}

/** Removes a wait and tells the workflow to stop whatever backs it. */
export function cancelWait(run: Run, wait: Wait): void {
  delete run.state.waits[wait.id];
  switch (wait.type) {
    case 'timer':
      run.commands.push({ type: 'cancelTimer', timerId: wait.id });
      break;
    case 'job':
      run.commands.push({ type: 'cancelJob', jobId: wait.id, ...(wait.external ? { external: true as const } : {}) });
      break;
    case 'userTask':
      run.commands.push({ type: 'cancelUserTask', taskId: wait.id });
      break;
    case 'child':
      run.commands.push({ type: 'cancelChild', callId: wait.id });
      break;
    case 'message':
    case 'signal':
      closeSubscription(run, wait);
      break;
  }
}

/** Graphs of semantics 2 mirror their message subscriptions (for correlation by subscription). */
export function tracksSubscriptions(run: Run): boolean {
  return (run.graph.semantics ?? 1) >= 2;
}

/** A message or signal wait that goes away (triggered or cancelled) is no longer a subscription. */
export function closeSubscription(run: Run, wait: Wait): void {
  // Signal waits exist only in graphs of semantics 2 (older graphs could not deploy signal events).
  if ((wait.type === 'message' && tracksSubscriptions(run)) || wait.type === 'signal')
    run.commands.push({ type: 'closeSubscription', waitId: wait.id });
}

export function waitsOwnedBy(run: Run, ownerId: string): Wait[] {
  return Object.values(run.state.waits).filter((w) => w.ownerId === ownerId);
}

export function cancelWaitsOf(run: Run, ownerId: string, filter: (w: Wait) => boolean = () => true): void {
  for (const w of waitsOwnedBy(run, ownerId)) if (filter(w)) cancelWait(run, w);
}

function resolveIncidentsOf(run: Run, instanceId: string): void {
  for (const inc of Object.values(run.state.incidents)) {
    if (inc.elementInstanceId !== instanceId) continue;
    delete run.state.incidents[inc.id];
    run.commands.push({ type: 'incidentResolved', incidentId: inc.id });
  }
}

function appendLog(run: Run, inst: ElementInstance, state: 'completed' | 'terminated'): void {
  const log = run.state.log;
  log.push({
    elementInstanceId: inst.id,
    elementId: inst.elementId,
    parentId: inst.parentId,
    startedAt: inst.startedAt,
    endedAt: run.now,
    state,
  });
  if (log.length > MAX_LOG_ENTRIES) {
    const drop = log.length - MAX_LOG_ENTRIES;
    log.splice(0, drop);
    run.state.logDropped += drop;
  }
}

/** Ends one instance (its children must already be gone): waits cancelled, logged, detached from its parent. */
export function endInstance(run: Run, inst: ElementInstance, state: 'completed' | 'terminated'): void {
  cancelWaitsOf(run, inst.id);
  resolveIncidentsOf(run, inst.id);
  appendLog(run, inst, state);
  delete run.state.instances[inst.id];
  const parent = parentOf(run, inst);
  if (parent) {
    parent.childIds = parent.childIds.filter((c) => c !== inst.id);
    run.scopesToCheck.push(parent.id);
  }
}

/** Terminates an instance and everything inside it, innermost first. */
export function terminateInstance(run: Run, inst: ElementInstance): void {
  if (!run.ending && inst.kind === 'node' && run.graph.nodes[inst.elementId]?.kind === 'userTask')
    beforeTaskCancelled(run, inst);
  terminateChildren(run, inst);
  endInstance(run, inst, 'terminated');
}

export function terminateChildren(run: Run, inst: ElementInstance, except?: string): void {
  for (const childId of [...inst.childIds]) {
    if (childId === except) continue;
    const child = run.state.instances[childId];
    if (child) terminateInstance(run, child);
  }
  delete inst.joins;
  // The canceling listeners an interrupting event waited for are gone: it will not go on.
  delete inst.heldInterrupts;
}

export function raiseIncident(
  run: Run,
  inst: ElementInstance,
  kind: IncidentKind,
  message: string,
  resume: Incident['resume'],
  jobId?: string,
  listener?: ListenerJob,
): void {
  const incident: Incident = {
    id: newId(run, 'incident'),
    kind,
    elementId: inst.elementId,
    elementInstanceId: inst.id,
    message,
    createdAt: run.now,
    resume,
    ...(jobId ? { jobId } : {}),
    ...(listener ? { listener } : {}),
  };
  inst.state = 'incident';
  run.state.incidents[incident.id] = incident;
  run.commands.push({ type: 'incidentOpened', incident });
}
