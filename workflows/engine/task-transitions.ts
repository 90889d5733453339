/**
 * User task lifecycle transitions held by task listeners (Camunda 8.8), besides `creating`
 * (listeners.ts):
 * - `assigning`: an assignment asked for through an update (or the process's own assignee as the
 *   task is created) takes effect once its listeners' jobs have completed, corrected by them;
 * - `updating`: likewise for a change of dates, candidates or priority;
 * - `completing`: the completion takes effect (the task completes, the token moves on) once they
 *   have; until then the task stays open and no second completion is taken;
 * - `canceling`: a task that ends without completing (an interrupting event, a terminate end event,
 *   the instance's cancellation, a completion condition of a multi-instance body or an ad-hoc
 *   sub-process) runs them afterwards, in an instance of its own under the scope that waits for
 *   them: the interrupting event's path, the terminated scope's completion, the body's or ad-hoc
 *   sub-process's completion or the cancellation goes on once they have (Camunda keeps the task
 *   terminating until then). Instances started before (no EngineState.cancelingListenersHold, or
 *   for completion conditions no cancelingListenersHoldCompletion) put it under the process, which
 *   alone waited.
 * A listener may deny an assignment, update or completion: the task stays as it was and the
 * corrections of the listeners before it are dropped. Whoever asked (the update in
 * workflows/instance-runner.ts) learns the outcome from `userTaskTransitionEnded`.
 */
import { looksZoned, parseInstant, parseZonedDateTime, type GraphNode } from '../../bpmn/runtime';
import { openTask } from './behaviour';
import { completeElement, endWholeInstance } from './completion';
import { startListenerJob } from './listeners';
import {
  cancelWaitsOf,
  createInstance,
  endInstance,
  nodeOf,
  raiseIncident,
  terminateChildren,
  terminateInstance,
  type Run,
} from './run';
import { completeBody } from './multi-instance';
import { continueInterrupt } from './triggers';
import { propagateVariables } from './variables';
import type {
  ElementInstance,
  HeldInterrupt,
  ListenerJob,
  PendingTaskTransition,
  TaskListenerEventType,
  UserTaskChanges,
  UserTaskCommandSpec,
  UserTaskCorrections,
  UserTaskWait,
  Variables,
} from './types';

/** Whether the user task `elementId` has task listeners on `eventType`. */
export function hasTaskListeners(run: Run, elementId: string, eventType: TaskListenerEventType): boolean {
  const node: GraphNode | undefined = run.graph.nodes[elementId];
  return node?.kind === 'userTask' && (node.userTask.taskListeners ?? []).some((l) => l.eventType === eventType);
}

/** The user task instance of an open task and the transition its listeners hold, if any. */
export function taskTransition(run: Run, taskId: string): PendingTaskTransition | undefined {
  const wait = run.state.waits[taskId];
  return wait?.type === 'userTask' ? run.state.instances[wait.ownerId]?.pendingTransition : undefined;
}

/**
 * A completion of an open task: with completing listeners it waits for them (true: taken);
 * without, the caller completes the task at once (false).
 */
export function holdCompletion(
  run: Run,
  owner: ElementInstance,
  wait: UserTaskWait,
  completion: NonNullable<PendingTaskTransition['completion']>,
): boolean {
  if (!hasTaskListeners(run, owner.elementId, 'completing')) return false;
  owner.pendingTransition = { eventType: 'completing', taskId: wait.id, completion, corrections: {} };
  startListenerJob(run, owner, { kind: 'task', eventType: 'completing', index: 0 });
  return true;
}

/** An assignment or update of an open task: its listeners run first, or it is done at once. */
export function requestChange(
  run: Run,
  owner: ElementInstance,
  taskId: string,
  eventType: 'assigning' | 'updating',
  changes: UserTaskChanges,
): void {
  if (!hasTaskListeners(run, owner.elementId, eventType)) {
    run.commands.push({ type: 'userTaskTransitionEnded', taskId, eventType, outcome: 'done', changes });
    return;
  }
  owner.pendingTransition = { eventType, taskId, changes, corrections: {} };
  startListenerJob(run, owner, { kind: 'task', eventType, index: 0 });
}

/** Variables as given from outside (JSON), copied so the state shares nothing with the event. */
const copy = (v: Variables): Variables => JSON.parse(JSON.stringify(v)) as Variables;

/** The open user task an element instance waits on, if any. */
export function openTaskOf(run: Run, elementInstanceId: string): UserTaskWait | undefined {
  return Object.values(run.state.waits).find(
    (w): w is UserTaskWait => w.type === 'userTask' && w.ownerId === elementInstanceId,
  );
}

/**
 * Variables set on an active element instance (false: not taken). On a user task's instance, as
 * Camunda 8.8: they go to the task's own scope (local or not), as an update of the task whose
 * `updating` listeners run first (changed attribute `variables`; the jobs see the new values);
 * refused while another transition of the task is held. Elsewhere: `local` into the instance's
 * scope, else each where it is defined from there outwards, else on the process.
 */
export function setVariables(run: Run, elementInstanceId: string, variables: Variables, local: boolean): boolean {
  const inst = run.state.instances[elementInstanceId];
  if (!inst || inst.state !== 'active') return false;
  const wait = openTaskOf(run, inst.id);
  if (wait) {
    if (inst.pendingTransition) return false;
    if (!hasTaskListeners(run, inst.elementId, 'updating')) {
      Object.assign(inst.variables, copy(variables));
      run.commands.push({
        type: 'userTaskTransitionEnded',
        taskId: wait.id,
        eventType: 'updating',
        outcome: 'done',
        changes: {},
      });
      return true;
    }
    inst.pendingTransition = { eventType: 'updating', taskId: wait.id, variables: copy(variables), corrections: {} };
    startListenerJob(run, inst, { kind: 'task', eventType: 'updating', index: 0 });
    return true;
  }
  if (local) Object.assign(inst.variables, copy(variables));
  else propagateVariables(run, inst.id, copy(variables));
  return true;
}

/**
 * The task opens, unless the process gave it an assignee and it has assigning listeners: they
 * run first (Camunda runs them as a task with an assignee is created), and it opens with their
 * corrections; one that denies leaves it unassigned.
 */
export function openOrAssign(run: Run, inst: ElementInstance, task: UserTaskCommandSpec): void {
  if (task.assignee === undefined || !hasTaskListeners(run, inst.elementId, 'assigning'))
    return openTask(run, inst, task);
  inst.pendingTask = task;
  inst.pendingTransition = {
    eventType: 'assigning',
    taskId: task.taskId,
    changes: { assignee: task.assignee },
    corrections: {},
    atCreation: true,
  };
  startListenerJob(run, inst, { kind: 'task', eventType: 'assigning', index: 0 });
}

const isText = (v: unknown): v is string => typeof v === 'string';

/** Reads a corrected date-time (a zone id only where the instance takes them). */
export function correctedInstant(run: Run, text: string): number | null {
  if (run.state.zonedTaskDates === true && looksZoned(text)) {
    const at = parseZonedDateTime(text);
    return typeof at === 'string' ? null : at.epochMs;
  }
  return parseInstant(text);
}

/** Why a listener's corrections cannot be taken (plain words), or null. */
export function correctionsProblem(run: Run, c: UserTaskCorrections): string | null {
  if (c.assignee !== undefined && !isText(c.assignee))
    return 'the task listener corrected the assignee to something other than text';
  for (const key of ['candidateGroups', 'candidateUsers'] as const) {
    const list = c[key];
    if (list !== undefined && (!Array.isArray(list) || !list.every(isText)))
      return `the task listener corrected ${key} to something other than a list of text`;
  }
  for (const key of ['dueDate', 'followUpDate'] as const) {
    const text = c[key];
    if (text === undefined || text === '') continue;
    if (!isText(text) || correctedInstant(run, text) === null)
      return `the task listener corrected ${key} to ${JSON.stringify(text)}, which is not an ISO 8601 date-time`;
  }
  if (c.priority !== undefined && (!Number.isInteger(c.priority) || c.priority < 0 || c.priority > 100))
    return `the task listener corrected the priority to ${JSON.stringify(c.priority)}, not a whole number from 0 to 100`;
  return null;
}

/** Corrections as changes to the task ('' clears the assignee or a date). */
function asChanges(c: UserTaskCorrections): UserTaskChanges {
  const out: UserTaskChanges = {};
  if (c.assignee !== undefined) out.assignee = c.assignee === '' ? null : c.assignee;
  if (c.candidateGroups !== undefined) out.candidateGroups = [...c.candidateGroups];
  if (c.candidateUsers !== undefined) out.candidateUsers = [...c.candidateUsers];
  if (c.dueDate !== undefined) out.dueDate = c.dueDate === '' ? null : c.dueDate;
  if (c.followUpDate !== undefined) out.followUpDate = c.followUpDate === '' ? null : c.followUpDate;
  if (c.priority !== undefined) out.priority = c.priority;
  return out;
}

/** A creating listener's corrections, applied to the task about to open. */
export function correctNewTask(run: Run, task: UserTaskCommandSpec, c: UserTaskCorrections): void {
  applyToNewTask(run, task, asChanges(c));
}

const ACTIONS = { assigning: 'assign', updating: 'update', completing: 'complete', canceling: 'cancel' } as const;

/**
 * What an assigning, updating, completing or canceling listener's job is told of its task, in
 * Camunda's reserved headers: the action, the attributes the transition changes (corrections so
 * far included) and their names, the assignee (the completer, for a completion). Lists are JSON.
 */
export function taskListenerHeaders(
  inst: ElementInstance,
  eventType: Exclude<TaskListenerEventType, 'creating'>,
  newTaskAttributes = false,
): Record<string, string> {
  const h: Record<string, string> = { 'io.camunda.zeebe:action': ACTIONS[eventType] };
  // A cancelled task's canceling listeners: what those before corrected (its row gives the rest).
  const corrected = inst.cancelingTask?.corrections;
  if (corrected) return { ...h, ...changeHeaders(asChanges(corrected)) };
  const t = inst.pendingTransition;
  if (!t) return h;
  // A task about to open has no row to read its other attributes from: they come from here.
  if (newTaskAttributes && inst.pendingTask) Object.assign(h, newTaskHeaders(inst.pendingTask));
  const changes = { ...(t.changes ?? {}), ...asChanges(t.corrections) };
  const task = inst.pendingTask;
  const assignee = changes.assignee ?? task?.assignee ?? t.completion?.actor;
  if (typeof assignee === 'string') h['io.camunda.zeebe:assignee'] = assignee;
  // A variable update of the task changes its `variables` (and whatever listeners corrected).
  return { ...h, ...changeHeaders(changes, t.variables ? ['variables'] : []) };
}

/** The reserved headers of the attributes a transition changes, and their names (changedAttributes; `also` first). */
function changeHeaders(changes: UserTaskChanges, also: string[] = []): Record<string, string> {
  const h: Record<string, string> = {};
  if (typeof changes.assignee === 'string') h['io.camunda.zeebe:assignee'] = changes.assignee;
  if (changes.candidateGroups) h['io.camunda.zeebe:candidateGroups'] = JSON.stringify(changes.candidateGroups);
  if (changes.candidateUsers) h['io.camunda.zeebe:candidateUsers'] = JSON.stringify(changes.candidateUsers);
  if (typeof changes.dueDate === 'string') h['io.camunda.zeebe:dueDate'] = changes.dueDate;
  if (typeof changes.followUpDate === 'string') h['io.camunda.zeebe:followUpDate'] = changes.followUpDate;
  if (changes.priority !== undefined) h['io.camunda.zeebe:priority'] = String(changes.priority);
  h['io.camunda.zeebe:changedAttributes'] = JSON.stringify([...also, ...Object.keys(changes)]);
  return h;
}

/**
 * What the listeners of a task about to open are told of it (Camunda 8.8's reserved headers, no
 * action): its assignee if the process gives one, candidates, dates and priority.
 */
export function newTaskHeaders(task: UserTaskCommandSpec): Record<string, string> {
  const h: Record<string, string> = {
    'io.camunda.zeebe:candidateGroups': JSON.stringify(task.candidateGroups),
    'io.camunda.zeebe:candidateUsers': JSON.stringify(task.candidateUsers),
    'io.camunda.zeebe:priority': String(task.priority),
  };
  if (task.assignee !== undefined) h['io.camunda.zeebe:assignee'] = task.assignee;
  if (task.dueAt !== undefined) h['io.camunda.zeebe:dueDate'] = new Date(task.dueAt).toISOString();
  if (task.followUpAt !== undefined) h['io.camunda.zeebe:followUpDate'] = new Date(task.followUpAt).toISOString();
  return h;
}

/** Applies changes to a task about to open (the process's assignee, corrected by assigning listeners). */
function applyToNewTask(run: Run, task: UserTaskCommandSpec, changes: UserTaskChanges): void {
  if (changes.assignee === null) delete task.assignee;
  else if (changes.assignee !== undefined) task.assignee = changes.assignee;
  if (changes.candidateGroups) task.candidateGroups = changes.candidateGroups;
  if (changes.candidateUsers) task.candidateUsers = changes.candidateUsers;
  for (const [key, field] of [
    ['dueDate', 'dueAt'],
    ['followUpDate', 'followUpAt'],
  ] as const) {
    const text = changes[key];
    if (text === null) delete task[field];
    else if (text !== undefined) task[field] = correctedInstant(run, text) ?? task[field];
  }
  if (changes.priority !== undefined) task.priority = changes.priority;
}

/**
 * A task listener's job (assigning, updating, completing, canceling) completed: the next listener
 * of the event runs, or the transition takes effect; a denial ends it with the task unchanged.
 */
export function afterTaskListenerJob(
  run: Run,
  inst: ElementInstance,
  listener: Extract<ListenerJob, { kind: 'task' }>,
  corrections: UserTaskCorrections | undefined,
  denied: { reason?: string } | undefined,
): void {
  const next = { ...listener, index: listener.index + 1 };
  const more = () => {
    const node = nodeOf(run, inst.elementId);
    const count =
      node.kind === 'userTask'
        ? (node.userTask.taskListeners ?? []).filter((l) => l.eventType === listener.eventType).length
        : 0;
    return next.index < count;
  };
  if (listener.eventType === 'canceling') {
    const canceling = inst.cancelingTask;
    if (run.state.cancelingListenerCorrections === true && canceling && corrections) {
      const problem = correctionsProblem(run, corrections);
      if (problem) return raiseIncident(run, inst, 'jobFailed', problem, 'job', undefined, listener);
      if (Object.keys(corrections).length > 0) canceling.corrections = { ...canceling.corrections, ...corrections };
    }
    if (more()) return startListenerJob(run, inst, next);
    // Camunda applies them as the task's cancellation takes effect.
    if (canceling?.corrections && canceling.taskId !== undefined)
      run.commands.push({
        type: 'correctCancelledUserTask',
        taskId: canceling.taskId,
        changes: asChanges(canceling.corrections),
      });
    endInstance(run, inst, 'terminated');
    return releaseHeld(run, inst);
  }
  const t = inst.pendingTransition;
  if (!t) return;
  if (denied) {
    delete inst.pendingTransition;
    if (t.atCreation) {
      // Denied as the task is created: it opens without the assignee.
      const task = inst.pendingTask;
      delete inst.pendingTask;
      if (task) {
        delete task.assignee;
        openTask(run, inst, task);
      }
      return;
    }
    run.commands.push({
      type: 'userTaskTransitionEnded',
      taskId: t.taskId,
      eventType: t.eventType,
      outcome: 'denied',
      ...(denied.reason ? { reason: denied.reason } : {}),
    });
    return;
  }
  if (corrections) {
    const problem = correctionsProblem(run, corrections);
    if (problem) return raiseIncident(run, inst, 'jobFailed', problem, 'job', undefined, listener);
    t.corrections = { ...t.corrections, ...corrections };
  }
  if (more()) return startListenerJob(run, inst, next);
  delete inst.pendingTransition;
  const changes = { ...(t.changes ?? {}), ...asChanges(t.corrections) };
  if (t.atCreation) {
    const task = inst.pendingTask;
    delete inst.pendingTask;
    if (task) {
      applyToNewTask(run, task, changes);
      openTask(run, inst, task);
    }
    return;
  }
  if (t.variables) Object.assign(inst.variables, t.variables);
  run.commands.push({
    type: 'userTaskTransitionEnded',
    taskId: t.taskId,
    eventType: t.eventType,
    outcome: 'done',
    changes,
  });
  if (t.eventType !== 'completing' || !t.completion) return;
  const wait = run.state.waits[t.taskId];
  if (wait) delete run.state.waits[wait.id];
  completeElement(run, inst, {
    ...t.completion.data,
    ...(t.completion.outcome !== undefined ? { outcome: t.completion.outcome } : {}),
  });
}

/**
 * A user task instance with canceling listeners is about to end without completing: when its
 * task was open (or about to open), an instance of its own under the process runs them (with the
 * task's variables as they were), so the process completes only once they have. A transition
 * its listeners held ends as cancelled.
 */
export function beforeTaskCancelled(run: Run, inst: ElementInstance): void {
  const held = inst.pendingTransition;
  if (held && !held.atCreation)
    run.commands.push({
      type: 'userTaskTransitionEnded',
      taskId: held.taskId,
      eventType: held.eventType,
      outcome: 'cancelled',
    });
  if (inst.cancelingTask || !hasTaskListeners(run, inst.elementId, 'canceling')) return;
  const openWait = Object.values(run.state.waits).find((w) => w.type === 'userTask' && w.ownerId === inst.id);
  const taskId = openWait?.id ?? inst.pendingTask?.taskId;
  if (taskId === undefined) return;
  const parentId = run.canceling?.parentId ?? run.state.rootId;
  const canceling = createInstance(run, inst.elementId, 'node', parentId, { ...inst.variables });
  canceling.cancelingTask = { taskId };
  run.canceling?.started.push(canceling.id);
  run.agenda.push({ kind: 'taskCanceling', instanceId: canceling.id });
}

/**
 * Runs a termination whose user tasks' canceling listeners are to hold what comes next: their
 * instances become children of `parentId` (so it does not complete meanwhile) and their ids are
 * returned. Instances started before this was so return none (their listeners run beside).
 */
export function terminateHolding(run: Run, parentId: string, terminate: () => void): string[] {
  if (run.state.cancelingListenersHold !== true) {
    terminate();
    return [];
  }
  return collectCanceling(run, parentId, terminate);
}

/** Runs `terminate` with the canceling listeners' instances it starts put under `parentId`; returns their ids. */
function collectCanceling(run: Run, parentId: string, terminate: () => void): string[] {
  const outer = run.canceling;
  const canceling = { parentId, started: [] as string[] };
  run.canceling = canceling;
  try {
    terminate();
  } finally {
    run.canceling = outer;
  }
  return canceling.started;
}

/** Holds an interrupting event in `scope` until the canceling listeners `waitingFor` have run. */
export function holdInterrupt(run: Run, scope: ElementInstance, held: HeldInterrupt): void {
  scope.heldInterrupts = [...(scope.heldInterrupts ?? []), held];
}

/** A canceling instance has ended: the interrupting event that waited for it (and for no other) goes on. */
function releaseHeld(run: Run, canceling: ElementInstance): void {
  const scope = canceling.parentId === null ? undefined : run.state.instances[canceling.parentId];
  const held = scope?.heldInterrupts?.find((h) => h.waitingFor.includes(canceling.id));
  if (!scope || !held) return;
  held.waitingFor = held.waitingFor.filter((id) => id !== canceling.id);
  if (held.waitingFor.length > 0) return;
  const rest = (scope.heldInterrupts ?? []).filter((h) => h !== held);
  if (rest.length > 0) scope.heldInterrupts = rest;
  else delete scope.heldInterrupts;
  if (held.then.kind === 'multiInstanceBody') return completeBody(run, scope);
  continueInterrupt(run, scope, held.then);
}

/**
 * A completion condition holds while inner elements of `scope` are still active (a multi-instance
 * body's remaining instances, an ad-hoc sub-process's elements when it cancels the rest): they are
 * terminated, and for instances started since the patch the canceling listeners of their user
 * tasks run under `scope`, whose completion waits for them (Camunda completes it once its
 * children have terminated). Returns those listeners' instances (none before the patch).
 */
export function terminateRemaining(run: Run, scope: ElementInstance): string[] {
  if (run.state.cancelingListenersHoldCompletion !== true) {
    terminateChildren(run, scope);
    return [];
  }
  return collectCanceling(run, scope.id, () => terminateChildren(run, scope));
}

/**
 * A cancellation of the instance (Camunda 8.8): every element is terminated, and the open user
 * tasks' canceling listeners run (those already running go on); the instance ends as cancelled
 * once they have all completed (finishProcess). A failing one is an incident to resolve, as
 * Camunda pauses the cancellation until it is. False when a cancellation is already under way.
 */
export function cancelHolding(run: Run): boolean {
  const root = run.state.instances[run.state.rootId];
  if (!root) return false;
  if (root.cancelRequested) return false;
  terminateHolding(run, root.id, () => {
    for (const childId of [...root.childIds]) {
      const child = run.state.instances[childId];
      if (child && !child.cancelingTask) terminateInstance(run, child);
    }
  });
  if (root.childIds.length === 0) {
    endWholeInstance(run, { type: 'cancel' });
    return true;
  }
  root.cancelRequested = true;
  delete root.joins;
  delete root.heldInterrupts;
  delete root.endListeners;
  cancelWaitsOf(run, root.id);
  run.state.bufferedMessages = [];
  return true;
}

/** Starts the canceling listeners of an instance beforeTaskCancelled made (from the agenda). */
export function startCanceling(run: Run, instanceId: string): void {
  const inst = run.state.instances[instanceId];
  if (inst?.cancelingTask) startListenerJob(run, inst, { kind: 'task', eventType: 'canceling', index: 0 });
}
