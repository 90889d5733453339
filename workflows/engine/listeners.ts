/**
 * Listener jobs (Camunda 8): execution listeners (zeebe:executionListeners) run as jobs around an
 * element: `start` ones after its input mappings and before its behaviour, `end` ones after its
 * output mappings and before it leaves, one after another in diagram order, the element waiting
 * for each. A user task's `creating` task listeners run before the task opens; the corrections
 * their job workers return (assignee, candidates, dates, priority) apply to the task that opens.
 *
 * Variables a start listener completes with become local variables of the element (its own
 * behaviour and job see them); an end listener's, like an output without mappings, go to the
 * enclosing scopes; the process's own listeners set process variables. A listener job that
 * fails after its retries, or throws a BPMN error (Camunda does not let listeners throw them),
 * is an incident on the element; retrying it runs that listener's job again.
 */
import type { ActivityRef, GraphNode } from '../../bpmn/runtime';
import { behave, startJob, startProcessScope } from './behaviour';
import { finishProcess, leaveElement } from './completion';
import { nodeOf, raiseIncident, type Run } from './run';
import type { ElementInstance, ListenerJob, UserTaskCorrections, Variables } from './types';
import { propagateVariables } from './variables';
import {
  afterTaskListenerJob,
  correctionsProblem,
  correctNewTask,
  openOrAssign,
  newTaskHeaders,
  taskListenerHeaders,
} from './task-transitions';

function listenersOf(run: Run, inst: ElementInstance, listener: ListenerJob): readonly ActivityRef[] {
  if (inst.kind === 'process')
    return run.graph.listeners?.[listener.kind === 'execution' ? listener.eventType : 'start'] ?? [];
  const node: GraphNode = nodeOf(run, inst.elementId);
  if (listener.kind === 'task')
    return node.kind === 'userTask'
      ? (node.userTask.taskListeners ?? []).filter((l) => l.eventType === listener.eventType).map((l) => l.job)
      : [];
  return node.listeners?.[listener.eventType] ?? [];
}

/** Whether the element (or, for the process instance, the process) has listeners of that event. */
export function hasExecutionListeners(run: Run, inst: ElementInstance, eventType: 'start' | 'end'): boolean {
  return listenersOf(run, inst, { kind: 'execution', eventType, index: 0 }).length > 0;
}

/** Starts the listener's job (the first one of an event: index 0). */
export function startListenerJob(run: Run, inst: ElementInstance, listener: ListenerJob): void {
  const job = listenersOf(run, inst, listener)[listener.index];
  if (!job) throw new Error(`"${inst.elementId}" has no ${listener.eventType} listener ${listener.index}`);
  // Assigning, updating, completing and canceling listeners see the task's data in their headers.
  // So do creating ones, the task as it is about to open (instances since newTaskListenerHeaders).
  const headers =
    listener.kind !== 'task'
      ? undefined
      : listener.eventType !== 'creating'
        ? taskListenerHeaders(inst, listener.eventType, run.state.newTaskListenerHeaders === true)
        : run.state.newTaskListenerHeaders === true && inst.pendingTask
          ? newTaskHeaders(inst.pendingTask)
          : undefined;
  // The job's row names its user task's key (Camunda's io.camunda.zeebe:userTaskKey header).
  const userTaskId =
    listener.kind === 'task'
      ? (inst.cancelingTask?.taskId ?? inst.pendingTransition?.taskId ?? inst.pendingTask?.taskId)
      : undefined;
  startJob(run, inst, job, listener, undefined, headers, userTaskId);
}

/** A listener's job completed: the next listener of the event runs, or the element goes on. */
export function afterListenerJob(
  run: Run,
  inst: ElementInstance,
  listener: ListenerJob,
  variables: Variables,
  corrections: UserTaskCorrections | undefined,
  denied?: { reason?: string },
): void {
  if (listener.kind === 'task' && listener.eventType !== 'creating')
    return afterTaskListenerJob(run, inst, listener, corrections, denied);
  if (listener.kind === 'task') {
    const problem = corrections ? correctionsProblem(run, corrections) : null;
    if (problem) return raiseIncident(run, inst, 'jobFailed', problem, 'job', undefined, listener);
    if (inst.pendingTask && corrections) correctNewTask(run, inst.pendingTask, corrections);
  } else if (listener.eventType === 'start') Object.assign(inst.variables, variables);
  else if (inst.kind === 'process') Object.assign(inst.variables, variables);
  else propagateVariables(run, inst.parentId, variables);

  const next = { ...listener, index: listener.index + 1 };
  if (next.index < listenersOf(run, inst, next).length) return startListenerJob(run, inst, next);
  if (listener.kind === 'task') {
    const task = inst.pendingTask;
    delete inst.pendingTask;
    // The process's assignee: its assigning listeners run next.
    if (task) openOrAssign(run, inst, task);
    return;
  }
  if (listener.eventType === 'start') {
    inst.startListenersDone = true;
    if (inst.kind === 'process') return startProcessScope(run, inst);
    const trigger = inst.triggerVariables !== undefined ? { variables: inst.triggerVariables } : undefined;
    delete inst.triggerVariables;
    return behave(run, inst, trigger);
  }
  if (inst.kind === 'process') return finishProcess(run, inst, true);
  const loopOutput = inst.endListeners?.loopOutput ?? null;
  leaveElement(run, inst, loopOutput);
}
