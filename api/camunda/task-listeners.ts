/**
 * Assignments and updates of user tasks that have assigning / updating task listeners (Camunda
 * 8.8): the change goes to the task's process instance first, whose listeners' jobs must complete
 * before it takes effect; it comes back corrected by them, or denied. Like Camunda, the request
 * waits for them (504 past the wait, the change still asked for in the process).
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DefinitionStore } from '../../records/definition-store';
import { findActivePrincipalByUsername } from '../../records/staff';
import type { KeyedTask, TaskChild } from '../../records/tasks/rows';
import { changeUserTaskUpdate, DENIED_ERROR_TYPE } from '../../workflows/contract';
import type { UserTaskChanges } from '../../workflows/engine/types';
import { ApiError } from '../api-error';
import { me, type RequestContext } from '../request-context';
import { hasTaskRelationship } from '../tasks/task-access';
import { camundaError } from './camunda-route';

/** How long an assignment or update waits for the task's listeners. */
export const TASK_LISTENER_WAIT_MS = 30_000;

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
  const node = definition?.graph.nodes[task.elementId];
  return node?.kind === 'userTask' && (node.userTask.taskListeners ?? []).some((l) => l.eventType === eventType);
}

/** Whether any user task of the definition version has task listeners on canceling. */
export async function hasCancelingListeners(ctx: RequestContext, processId: string, version: number): Promise<boolean> {
  const definition = await new DefinitionStore(ctx.deps.db.sequelize).withGraph(processId, version);
  return Object.values(definition?.graph.nodes ?? {}).some(
    (n) => n.kind === 'userTask' && (n.userTask.taskListeners ?? []).some((l) => l.eventType === 'canceling'),
  );
}

/**
 * After a cancellation was asked for: Camunda answers once the instance is cancelled, which waits
 * for the canceling listeners of its open user tasks (a failing one is an incident that holds it
 * until resolved); past the wait, 504 (the cancellation goes on).
 */
export async function awaitCancellation(ctx: RequestContext, instanceId: string): Promise<void> {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  const ended = ctx.deps.engine.client.workflow
    .getHandle(instanceId)
    .result()
    .then(
      () => 'ended' as const,
      () => 'ended' as const,
    );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), TASK_LISTENER_WAIT_MS);
  });
  try {
    if ((await Promise.race([ended, waited])) === 'pending')
      throw new ApiError(
        504,
        'DEADLINE_EXCEEDED',
        `The canceling listeners of the instance's user tasks have not completed within ${TASK_LISTENER_WAIT_MS / 1000} s; the cancellation goes on`,
      );
  } finally {
    clearTimeout(timer);
  }
}

/** A problem a workflow update failed with: the listener's denial, or the task no longer taking it. */
function refusal(e: WorkflowUpdateFailedError): ApiError {
  const cause = e.cause as { type?: string; message?: string } | undefined;
  if (cause?.type === DENIED_ERROR_TYPE)
    return camundaError.invalidState(`Denied by a task listener: ${cause.message}`);
  return camundaError.invalidState(`The process refused the change: ${cause?.message ?? e.message}`);
}

/**
 * Runs the task's listeners for the change and returns the changes to make. An assignee a listener
 * corrected to must still be someone who may be given the task (as the route checks for the
 * assignee asked for): otherwise the change is refused and nothing is written.
 */
export async function changeThroughListeners(
  ctx: RequestContext,
  task: KeyedTask,
  child: TaskChild | null,
  eventType: 'assigning' | 'updating',
  changes: UserTaskChanges,
): Promise<UserTaskChanges> {
  if (!ctx.deps.engine) throw camundaError.unavailable('The process engine is not connected to this API');
  const update = ctx.deps.engine.client.workflow.getHandle(task.processInstanceId).executeUpdate(changeUserTaskUpdate, {
    args: [{ taskId: task.id, eventType, changes, actor: me(ctx).username }],
  });
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'pending'>((resolve) => {
    timer = setTimeout(() => resolve('pending'), TASK_LISTENER_WAIT_MS);
  });
  let result: Awaited<typeof update> | 'pending';
  try {
    result = await Promise.race([update, waited]);
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw refusal(e);
    if (e instanceof WorkflowNotFoundError)
      throw camundaError.invalidState('The process instance of this task has ended');
    throw e;
  } finally {
    clearTimeout(timer);
  }
  if (result === 'pending') {
    update.catch(() => undefined);
    throw new ApiError(
      504,
      'DEADLINE_EXCEEDED',
      `The task's ${eventType} listeners have not completed within ${TASK_LISTENER_WAIT_MS / 1000} s`,
    );
  }
  const out = result.changes;
  if (typeof out.assignee === 'string' && out.assignee !== changes.assignee) {
    const to = await findActivePrincipalByUsername(ctx.deps.db, out.assignee);
    if (!to || (child && !hasTaskRelationship(to, task, child)))
      throw camundaError.invalidState(
        `A task listener corrected the assignee to ${out.assignee}, who may not be given this task`,
      );
  }
  return out;
}
