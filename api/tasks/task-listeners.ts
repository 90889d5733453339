/**
 * Changes to user tasks that have task listeners (Camunda 8.8), one path for both APIs: an
 * assignment (a claim, an unclaim, an assignment through /api, the web UI or /v2) or an update goes
 * to the task's process instance first, whose assigning / updating listeners' jobs must complete
 * before it takes effect; it comes back corrected by them, or denied. Like Camunda, the request
 * waits for them (past the wait the change stays asked for in the process). Each API turns the
 * refusals (TaskListenerRefusal) into its own problem types.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DefinitionStore } from '../../records/definition-store';
import { findActivePrincipalByUsername } from '../../records/staff';
import {
  findKeyedTask,
  type HumanTask,
  type KeyedTask,
  type TaskAttributeChanges,
  type TaskChild,
} from '../../records/tasks/rows';
import {
  changeUserTaskUpdate,
  DENIED_ERROR_TYPE,
  setVariablesUpdate,
  type SetVariablesInput,
  type SetVariablesResult,
} from '../../workflows/contract';
import type { UserTaskChanges } from '../../workflows/engine/types';
import { me, type RequestContext } from '../request-context';
import { hasTaskRelationship } from './task-access';

/**
 * Why a change through task listeners did not take effect: `denied` by a listener (its reason in
 * the message), `refused` (the task or its instance no longer takes it, or a corrected assignee
 * may not be given the task), `pending` (the listeners have not completed within the wait), or
 * `unavailable` (no engine).
 */
export class TaskListenerRefusal extends Error {
  constructor(
    readonly kind: 'denied' | 'refused' | 'pending' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'TaskListenerRefusal';
  }
}

/** Whether the task's user task has task listeners on `eventType` in its deployed definition. */
export async function hasTaskListeners(
  ctx: RequestContext,
  task: KeyedTask,
  eventType: 'assigning' | 'updating',
): Promise<boolean> {
  const definition = await new DefinitionStore(ctx.deps.db.sequelize).withGraph(
    task.processDefinitionId,
    task.processDefinitionVersion,
  );
  const node = definition?.graph?.nodes?.[task.elementId];
  return node?.kind === 'userTask' && (node.userTask.taskListeners ?? []).some((l) => l.eventType === eventType);
}

/** Whether any user task of the definition version has task listeners on canceling. */
export async function hasCancelingListeners(ctx: RequestContext, processId: string, version: number): Promise<boolean> {
  const definition = await new DefinitionStore(ctx.deps.db.sequelize).withGraph(processId, version);
  return Object.values(definition?.graph?.nodes ?? {}).some(
    (n) => n.kind === 'userTask' && (n.userTask.taskListeners ?? []).some((l) => l.eventType === 'canceling'),
  );
}

const waitSeconds = (ctx: RequestContext) => Math.round(ctx.deps.taskListenerWaitMs / 1000);

/** Races `work` against the listener wait: 'pending' when the wait ran out first. */
async function withinWait<T>(ctx: RequestContext, work: Promise<T>): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), ctx.deps.taskListenerWaitMs);
  });
  try {
    return await Promise.race([work, waited]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * After a cancellation was asked for: Camunda answers once the instance is cancelled, which waits
 * for the canceling listeners of its open user tasks (a failing one is an incident that holds it
 * until resolved); past the wait, `pending` (the cancellation goes on).
 */
export async function awaitCancellation(ctx: RequestContext, instanceId: string): Promise<void> {
  if (!ctx.deps.engine) throw new TaskListenerRefusal('unavailable', 'The process engine is not connected to this API');
  const ended = ctx.deps.engine.client.workflow
    .getHandle(instanceId)
    .result()
    .then(
      () => 'ended' as const,
      () => 'ended' as const,
    );
  if ((await withinWait(ctx, ended)) === 'pending')
    throw new TaskListenerRefusal(
      'pending',
      `The canceling listeners of the instance's user tasks have not completed within ${waitSeconds(ctx)} s; the cancellation goes on`,
    );
}

function refusal(e: WorkflowUpdateFailedError): TaskListenerRefusal {
  const cause = e.cause as { type?: string; message?: string } | undefined;
  if (cause?.type === DENIED_ERROR_TYPE)
    return new TaskListenerRefusal('denied', `Denied by a task listener: ${cause.message}`);
  return new TaskListenerRefusal('refused', `The process refused the change: ${cause?.message ?? e.message}`);
}

/**
 * Runs the task's listeners for the change and returns the changes to make. An assignee a listener
 * corrected to must still be someone who may be given the task (as the routes check for the
 * assignee asked for): otherwise the change is refused and nothing is written.
 */
export async function changeThroughListeners(
  ctx: RequestContext,
  task: KeyedTask,
  child: TaskChild | null,
  eventType: 'assigning' | 'updating',
  changes: UserTaskChanges,
): Promise<UserTaskChanges> {
  if (!ctx.deps.engine) throw new TaskListenerRefusal('unavailable', 'The process engine is not connected to this API');
  const update = ctx.deps.engine.client.workflow.getHandle(task.processInstanceId).executeUpdate(changeUserTaskUpdate, {
    args: [{ taskId: task.id, eventType, changes, actor: me(ctx).username }],
  });
  let result: Awaited<typeof update> | 'pending';
  try {
    result = await withinWait(ctx, update);
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw refusal(e);
    if (e instanceof WorkflowNotFoundError)
      throw new TaskListenerRefusal('refused', 'The process instance of this task has ended');
    throw e;
  }
  if (result === 'pending') {
    update.catch(() => undefined);
    throw new TaskListenerRefusal(
      'pending',
      `The task's ${eventType} listeners have not completed within ${waitSeconds(ctx)} s`,
    );
  }
  const out = result.changes;
  if (typeof out.assignee === 'string' && out.assignee !== changes.assignee) {
    const to = await findActivePrincipalByUsername(ctx.deps.db, out.assignee);
    if (!to || (child && !hasTaskRelationship(to, task, child)))
      throw new TaskListenerRefusal(
        'refused',
        `A task listener corrected the assignee to ${out.assignee}, who may not be given this task`,
      );
  }
  return out;
}

/**
 * Variables set on an element instance of a running instance; on a user task's instance they pass
 * its updating listeners first (Camunda 8.8), and the result names the task and their corrections.
 */
export async function setVariablesThroughListeners(
  ctx: RequestContext,
  processInstanceId: string,
  input: SetVariablesInput,
): Promise<SetVariablesResult> {
  if (!ctx.deps.engine) throw new TaskListenerRefusal('unavailable', 'The process engine is not connected to this API');
  const update = ctx.deps.engine.client.workflow
    .getHandle(processInstanceId)
    .executeUpdate(setVariablesUpdate, { args: [input] });
  let result: SetVariablesResult | 'pending';
  try {
    result = await withinWait(ctx, update);
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw refusal(e);
    if (e instanceof WorkflowNotFoundError) throw new TaskListenerRefusal('refused', 'The process instance has ended');
    throw e;
  }
  if (result === 'pending') {
    update.catch(() => undefined);
    throw new TaskListenerRefusal(
      'pending',
      `The user task's updating listeners have not completed within ${waitSeconds(ctx)} s`,
    );
  }
  return result;
}

/** Changes a task listener made besides the assignee, as row changes (dates already checked by the engine). */
export function attributeChanges(c: UserTaskChanges): TaskAttributeChanges {
  const date = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : new Date(v));
  const out: TaskAttributeChanges = {};
  if (c.candidateGroups !== undefined) out.candidateGroups = c.candidateGroups;
  if (c.candidateUsers !== undefined) out.candidateUsers = c.candidateUsers;
  if (c.dueDate !== undefined) out.dueAt = date(c.dueDate) ?? null;
  if (c.followUpDate !== undefined) out.followUpAt = date(c.followUpDate) ?? null;
  if (c.priority !== undefined) out.priority = c.priority;
  return out;
}

export const hasAttributeChanges = (c: TaskAttributeChanges) => Object.keys(c).length > 0;

/** What an assignment through assigning listeners leaves: the assignee (null: unassigned) and attributes they corrected. */
export interface ListenedAssignment {
  assignee: string | null;
  attributes: TaskAttributeChanges;
}

/**
 * An assignment (assignee null: back to the queue) of a task: when its user task has assigning
 * listeners they run first, and the assignee and attributes they leave are returned; null when
 * it has none (assign as asked). Every API's claim, unclaim and assignment comes through here.
 */
export async function assignThroughListeners(
  ctx: RequestContext,
  task: HumanTask | KeyedTask,
  child: TaskChild | null,
  assignee: string | null,
): Promise<ListenedAssignment | null> {
  const keyed = 'processDefinitionId' in task ? task : await findKeyedTask(ctx.deps.db, task.id);
  if (!keyed || !(await hasTaskListeners(ctx, keyed, 'assigning'))) return null;
  const changes = await changeThroughListeners(ctx, keyed, child, 'assigning', { assignee });
  return {
    assignee: changes.assignee === undefined ? assignee : changes.assignee,
    attributes: attributeChanges(changes),
  };
}
