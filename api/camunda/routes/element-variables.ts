/**
 * Variables set on a running instance through the Camunda REST API (PUT
 * /v2/element-instances/{key}/variables): on the process instance's key or an active element
 * instance's, `local` into that scope, else each where it is defined, else on the process. On a
 * user task's element instance, as Camunda 8.8, they go to the task's own scope as an update of
 * the task: its `updating` listeners run first (changed attribute `variables`), may correct the
 * task or deny the update (409), and the request waits for them (504 past the listener wait).
 * Operators only (instances.variables); an instance about a child follows the child's
 * legitimate-relationship rule; audited before the engine is told.
 */
import { findActivePrincipalByUsername } from '../../../records/staff';
import { findInstanceOfElementKey } from '../../../records/keyed-instances';
import { inTransaction } from '../../../records/sql';
import { assignTask, childOfTask, findKeyedTask, updateTaskAttributes } from '../../../records/tasks/rows';
import { ApiError } from '../../api-error';
import { auditBeforeEngine } from '../../audit/audit-before-engine';
import { audit } from '../../audit/audit-builder';
import { me, type RequestContext } from '../../request-context';
import { noContent } from '../../route-definition';
import { hasTaskRelationship } from '../../tasks/task-access';
import {
  attributeChanges,
  hasAttributeChanges,
  setVariablesThroughListeners,
  TaskListenerRefusal,
} from '../../tasks/task-listeners';
import type { UserTaskChanges } from '../../../workflows/engine/types';
import { camundaError, type CamundaRoute } from '../camunda-route';
import { openChild } from '../instances';

function v2Refusal(e: unknown): unknown {
  if (!(e instanceof TaskListenerRefusal)) return e;
  if (e.kind === 'pending') return new ApiError(504, 'DEADLINE_EXCEEDED', e.message);
  if (e.kind === 'unavailable') return camundaError.unavailable(e.message);
  if (/is not active|has ended/.test(e.message)) return camundaError.notFound(e.message);
  return camundaError.invalidState(e.message);
}

/** What the task's updating listeners corrected, written to its row (the assignee only to someone who may have it). */
async function applyCorrections(ctx: RequestContext, taskId: string, changes: UserTaskChanges): Promise<string[]> {
  const attributes = attributeChanges(changes);
  const assignee = typeof changes.assignee === 'string' ? changes.assignee : undefined;
  if (!hasAttributeChanges(attributes) && assignee === undefined) return [];
  const task = await findKeyedTask(ctx.deps.db, taskId);
  if (!task) return [];
  if (assignee !== undefined && assignee !== task.assignee) {
    const to = await findActivePrincipalByUsername(ctx.deps.db, assignee);
    const child = await childOfTask(ctx.deps.db, task);
    if (!to || (child && !hasTaskRelationship(to, task, child)))
      throw camundaError.invalidState(
        `A task listener corrected the assignee to ${assignee}, who may not be given this task`,
      );
  }
  await inTransaction(ctx.deps.db, async (tx) => {
    if (hasAttributeChanges(attributes)) await updateTaskAttributes(tx, task.id, attributes);
    if (assignee !== undefined && assignee !== task.assignee) await assignTask(tx, task.id, assignee);
    await audit(tx, ctx, {
      action: 'task.update',
      entityType: 'task',
      entityId: task.id,
      childId: task.childId,
      detail: {
        name: task.name,
        userTaskKey: task.key,
        api: 'v2',
        changed: Object.keys(changes),
        by: 'updating listeners',
      },
    });
  });
  return Object.keys(changes);
}

export const elementVariableRoutes: CamundaRoute[] = [
  {
    method: 'put',
    path: '/element-instances/:elementInstanceKey/variables',
    summary: 'Update element instance variables',
    access: 'instances.variables',
    operation: 'createElementInstanceVariables',
    handler: async ({ path, body }, ctx) => {
      const key = String(path.elementInstanceKey);
      const found = await findInstanceOfElementKey(ctx.deps.db, key);
      if (!found) throw camundaError.notFound(`No element instance has key ${key}`);
      const { instance, elementInstanceId } = found;
      if (instance.status !== 'running' && instance.status !== 'incident')
        throw camundaError.notFound(`The process instance of element instance ${key} is not active`);
      const brokeGlass = await openChild(ctx, instance, 'process_instance.variables.set');
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      const local = body.local === true;
      const result = await auditBeforeEngine(
        ctx,
        {
          action: 'process_instance.variables.set',
          entityType: 'process_instance',
          entityId: instance.id,
          childId: instance.childId,
          detail: { elementInstanceKey: key, variables: Object.keys(variables), local, brokeGlass, api: 'v2' },
        },
        () =>
          setVariablesThroughListeners(ctx, instance.id, {
            ...(elementInstanceId ? { elementInstanceId } : {}),
            variables,
            local,
            actor: me(ctx).username,
          }).catch((e: unknown) => {
            throw v2Refusal(e);
          }),
      );
      if (result.taskId) await applyCorrections(ctx, result.taskId, result.changes);
      return noContent();
    },
  },
];
