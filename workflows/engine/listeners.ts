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
import { looksZoned, parseInstant, parseZonedDateTime, type ActivityRef, type GraphNode } from '../../bpmn/runtime';
import { behave, startJob, startProcessScope } from './behaviour';
import { finishProcess, leaveElement } from './completion';
import { nodeOf, raiseIncident, type Run } from './run';
import type { ElementInstance, ListenerJob, UserTaskCorrections, Variables } from './types';
import { propagateVariables } from './variables';
import { afterTaskListenerJob, openOrAssign } from './task-transitions';

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
  startJob(run, inst, job, listener);
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
    const problem = correct(inst, corrections, run.state.zonedTaskDates === true);
    if (problem) return raiseIncident(run, inst, 'jobFailed', problem, 'job', undefined, listener);
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

const isText = (v: unknown): v is string => typeof v === 'string';

function zonedInstant(text: string): number | null {
  const at = parseZonedDateTime(text);
  return typeof at === 'string' ? null : at.epochMs;
}

/** Applies a task listener's corrections to the task about to open; a plain-words problem when one is wrong. */
function correct(inst: ElementInstance, c: UserTaskCorrections | undefined, zoneIds: boolean): string | null {
  const task = inst.pendingTask;
  if (!task || !c) return null;
  if (c.assignee !== undefined) {
    if (!isText(c.assignee)) return 'the task listener corrected the assignee to something other than text';
    if (c.assignee === '') delete task.assignee;
    else task.assignee = c.assignee;
  }
  for (const key of ['candidateGroups', 'candidateUsers'] as const) {
    const list = c[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every(isText))
      return `the task listener corrected ${key} to something other than a list of text`;
    task[key] = [...list];
  }
  for (const [key, field] of [
    ['dueDate', 'dueAt'],
    ['followUpDate', 'followUpAt'],
  ] as const) {
    const text = c[key];
    if (text === undefined) continue;
    const at = !isText(text) ? null : zoneIds && looksZoned(text) ? zonedInstant(text) : parseInstant(text);
    if (at === null)
      return `the task listener corrected ${key} to ${JSON.stringify(text)}, which is not an ISO 8601 date-time`;
    task[field] = at;
  }
  if (c.priority !== undefined) {
    if (!Number.isInteger(c.priority) || c.priority < 0 || c.priority > 100)
      return `the task listener corrected the priority to ${JSON.stringify(c.priority)}, not a whole number from 0 to 100`;
    task.priority = c.priority;
  }
  return null;
}
