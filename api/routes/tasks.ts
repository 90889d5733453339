import { inTransaction } from '../../records/sql';
import { findActivePrincipalByUsername, staffWhoMayWork } from '../../records/staff';
import {
  assignTask,
  childOfTask,
  claimTask,
  findTask,
  unclaimTask,
  updateTaskAttributes,
  type HumanTask,
  type TaskChild,
} from '../../records/tasks/rows';
import { ApiError, PROBLEM_TYPES } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me, type RequestContext } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { validateFormData } from '../tasks/form-validation';
import { hasTaskRelationship, isCandidate, mayAssignTask, maySeeTask } from '../tasks/task-access';
import { breakGlass } from '../access/child-access';
import { TaskCompletionConflict, TaskCompletionPending, TaskCompletionRefused } from '../tasks/task-completer';
import { taskView } from '../tasks/task-view';
import {
  assignThroughListeners,
  hasAttributeChanges,
  TaskListenerRefusal,
  type ListenedAssignment,
} from '../tasks/task-listeners';
import { assignBody, claimBody, completeBody, taskParams } from './tasks-schemas';
import { taskDetail } from '../tasks/task-detail';
import { staffChoiceSchema, taskDetailSchema, taskSchema } from './response-schemas';
import { z } from 'zod';

/**
 * The task, if the caller may see it: in their queues (administrators: any), and for a task about
 * a child, with a legitimate relationship to the child or else break glass (X-Access-Reason:
 * audited, the child's locality leads alerted), whatever the role.
 */
async function loadTask(ctx: RequestContext, id: string, action: string): Promise<LoadedTask> {
  const task = await findTask(ctx.deps.db, id);
  if (!task) throw ApiError.notFound(`No task has id ${id}`);
  if (!maySeeTask(me(ctx), task) && me(ctx).role !== 'administrator') {
    throw ApiError.forbidden('This task is not in your queues');
  }
  const child = await childOfTask(ctx.deps.db, task);
  const brokeGlass = child !== null && !hasTaskRelationship(me(ctx), task, child);
  if (brokeGlass) await breakGlass(ctx, child, action);
  return { task, child, brokeGlass };
}

interface LoadedTask {
  task: HumanTask;
  child: TaskChild | null;
  brokeGlass: boolean;
}

/** A 409 about a task, typed so that a client can tell "someone got there first" from other problems. */
function taskConflict(detail: string, now: HumanTask): ApiError {
  return ApiError.conflict(detail, {
    type: PROBLEM_TYPES.taskConflict,
    extensions: { currentStatus: now.status, currentAssignee: now.assignee, currentVersion: now.rowVersion },
  });
}

/** Why a conditional update matched no row, from the task as it is now. */
async function conflict(ctx: RequestContext, id: string, expectedVersion: number | undefined): Promise<ApiError> {
  const now = await findTask(ctx.deps.db, id);
  if (!now) return ApiError.notFound(`No task has id ${id}`);
  if (now.status === 'claimed' && now.assignee !== me(ctx).username) {
    return taskConflict(`The task is already claimed by ${now.assignee}`, now);
  }
  if (expectedVersion !== undefined && now.rowVersion !== expectedVersion) {
    return taskConflict(`The task changed since version ${expectedVersion} (now ${now.rowVersion}): reload it`, now);
  }
  if (now.status === 'claimed') return taskConflict(`The task is already claimed by ${now.assignee}`, now);
  return taskConflict(`The task is ${now.status}`, now);
}

/** The row names the child the task is about: by its business key (the instance's), else its child id. */
const auditTask = (
  tx: Parameters<typeof audit>[0],
  ctx: RequestContext,
  action: string,
  t: HumanTask,
  child: TaskChild | null,
  detail: Record<string, unknown> = {},
) =>
  audit(tx, ctx, {
    action,
    entityType: 'task',
    entityId: t.id,
    childId: child?.id ?? t.childId,
    detail: { name: t.name, ...detail },
  });

/**
 * A claim, unclaim or assignment of a task whose user task has assigning listeners (Camunda 8.8):
 * they run first, through the same path as /v2 (api/tasks/task-listeners.ts); null when it has none.
 * A denial is a 409 with the listener's reason; listeners that do not complete in time, a 504.
 */
async function assigningListeners(
  ctx: RequestContext,
  task: HumanTask,
  child: TaskChild | null,
  assignee: string | null,
): Promise<ListenedAssignment | null> {
  try {
    return await assignThroughListeners(ctx, task, child, assignee);
  } catch (e) {
    if (!(e instanceof TaskListenerRefusal)) throw e;
    if (e.kind === 'pending') throw new ApiError(504, 'Gateway Timeout', e.message);
    if (e.kind === 'unavailable') throw new ApiError(503, 'Service Unavailable', e.message);
    throw ApiError.conflict(e.message);
  }
}

/** The listeners' other corrections (priority, dates, candidates), written with the assignment. */
async function withCorrections(
  tx: Parameters<typeof updateTaskAttributes>[0],
  updated: HumanTask | null,
  listened: ListenedAssignment | null,
): Promise<HumanTask | null> {
  if (!updated || !listened || !hasAttributeChanges(listened.attributes)) return updated;
  return updateTaskAttributes(tx, updated.id, listened.attributes);
}

export const taskRoutes = [
  defineRoute({
    method: 'get',
    path: '/tasks/:id',
    tag: 'tasks',
    summary: 'Read a task',
    access: 'tasks.read',
    schemas: { params: taskParams },
    responses: {
      200: "The task with its input variables, its form (the fields the API checks and the whole form-js schema), the definition version it belongs to, and the child's banner (a task about a child the caller has no relationship with needs X-Access-Reason)",
    },
    responseSchemas: { 200: taskDetailSchema },
    handler: async ({ params }, ctx) => {
      const { task, child, brokeGlass } = await loadTask(ctx, params.id, 'task.read');
      await auditTask(ctx.deps.db, ctx, 'task.read', task, child, { brokeGlass });
      return ok(await taskDetail(ctx, task));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tasks/:id/assignees',
    tag: 'tasks',
    summary: 'List the colleagues a task may be assigned to',
    access: 'tasks.assign',
    schemas: { params: taskParams },
    responses: {
      200: "Active caseworkers and leads with a legitimate relationship to the task (its child's or its locality is one of theirs, a candidate team is theirs, or they are named), with how many tasks each holds",
    },
    responseSchemas: { 200: z.object({ staff: z.array(staffChoiceSchema) }) },
    handler: async ({ params }, ctx) => {
      const { task, child } = await loadTask(ctx, params.id, 'task.assignees');
      if (!mayAssignTask(me(ctx), task, child)) throw ApiError.forbidden("The task's locality is not one of yours");
      const staff = await staffWhoMayWork(ctx.deps.db, task, child?.localityId ?? null);
      await audit(ctx.deps.db, ctx, {
        action: 'staff.list',
        entityType: 'task',
        entityId: task.id,
        childId: child?.id ?? task.childId,
        detail: { for: 'task.assign', count: staff.length },
      });
      return ok({ staff });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/claim',
    tag: 'tasks',
    summary: 'Claim a task',
    access: 'tasks.work',
    schemas: { params: taskParams, body: claimBody },
    responses: {
      200: "Claimed by the caller (once the task's assigning listeners have run, as they corrected it); 409 (type task-conflict) when someone else claimed it first, 409 when a listener denied it",
    },
    responseSchemas: { 200: taskSchema },
    handler: async ({ params, body }, ctx) => {
      const { task, child } = await loadTask(ctx, params.id, 'task.claim');
      if (!isCandidate(me(ctx), task))
        throw ApiError.forbidden('You are not a candidate for this task: a lead can assign it to you');
      const username = me(ctx).username;
      const listened = await assigningListeners(ctx, task, child, username);
      const claimed = await inTransaction(ctx.deps.db, async (tx) => {
        const to = listened ? listened.assignee : username;
        // A listener may have corrected the claim to someone else (or to nobody).
        const updated =
          to === username
            ? await claimTask(tx, task.id, username, body.expectedVersion)
            : await assignTask(tx, task.id, to, body.expectedVersion);
        const row = await withCorrections(tx, updated, listened);
        if (row) await auditTask(tx, ctx, 'task.claim', row, child, listened ? { to } : {});
        return row;
      });
      if (!claimed) throw await conflict(ctx, task.id, body.expectedVersion);
      return ok(taskView(claimed));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/unclaim',
    tag: 'tasks',
    summary: 'Unclaim a task',
    access: 'tasks.work',
    schemas: { params: taskParams, body: claimBody },
    responses: { 200: "Back in its queue (once the task's assigning listeners have run, as they corrected it)" },
    responseSchemas: { 200: taskSchema },
    handler: async ({ params, body }, ctx) => {
      const { task, child } = await loadTask(ctx, params.id, 'task.unclaim');
      if (task.status === 'claimed' && task.assignee !== me(ctx).username) {
        throw ApiError.forbidden(
          `The task is claimed by ${task.assignee}: only they can unclaim it, or a lead can reassign it`,
        );
      }
      const listened = task.status === 'claimed' ? await assigningListeners(ctx, task, child, null) : null;
      const released = await inTransaction(ctx.deps.db, async (tx) => {
        // A listener may have corrected the unassignment to an assignee.
        const updated = listened
          ? await assignTask(tx, task.id, listened.assignee, body.expectedVersion)
          : await unclaimTask(tx, task.id, me(ctx).username, body.expectedVersion);
        const row = await withCorrections(tx, updated, listened);
        if (row) await auditTask(tx, ctx, 'task.unclaim', row, child, listened ? { to: listened.assignee } : {});
        return row;
      });
      if (!released) throw await conflict(ctx, task.id, body.expectedVersion);
      return ok(taskView(released));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/assign',
    tag: 'tasks',
    summary: 'Assign or reassign a task',
    access: 'tasks.assign',
    schemas: { params: taskParams, body: assignBody },
    responses: {
      200: "Assigned (claimed by the assignee), or back in its queue when assignee is null, once the task's assigning listeners have run (as they corrected it; 409 when one denied it)",
    },
    responseSchemas: { 200: taskSchema },
    handler: async ({ params, body }, ctx) => {
      const { task, child } = await loadTask(ctx, params.id, 'task.assign');
      if (!mayAssignTask(me(ctx), task, child)) throw ApiError.forbidden("The task's locality is not one of yours");
      if (body.assignee !== null) {
        const assignee = await findActivePrincipalByUsername(ctx.deps.db, body.assignee);
        if (!assignee)
          throw ApiError.badRequest('Unknown assignee', [
            { field: 'body.assignee', message: 'is not an active member of staff' },
          ]);
        if (assignee.role !== 'caseworker' && assignee.role !== 'safeguarding_lead')
          throw ApiError.unprocessable(`${assignee.username} may not be given this task`, [
            { field: 'body.assignee', message: `is a ${assignee.role.replace('_', ' ')}, who does not work tasks` },
          ]);
        // Assigning must not give sight of a child to someone without a legitimate relationship.
        if (child && !hasTaskRelationship(assignee, task, child))
          throw ApiError.unprocessable(`${assignee.username} may not be given this task`, [
            {
              field: 'body.assignee',
              message:
                "has no legitimate relationship with the task's child (not of the child's or the task's locality, not a candidate)",
            },
          ]);
      }
      const listened = await assigningListeners(ctx, task, child, body.assignee);
      const to = listened ? listened.assignee : body.assignee;
      const assigned = await inTransaction(ctx.deps.db, async (tx) => {
        const updated = await withCorrections(tx, await assignTask(tx, task.id, to, body.expectedVersion), listened);
        if (updated) await auditTask(tx, ctx, 'task.assign', updated, child, { from: task.assignee, to });
        return updated;
      });
      if (!assigned) throw await conflict(ctx, task.id, body.expectedVersion);
      return ok(taskView(assigned));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tasks/:id/complete',
    tag: 'tasks',
    summary: 'Complete a task with its form data',
    access: 'tasks.work',
    schemas: { params: taskParams, body: completeBody },
    responses: { 200: 'Completed: returned only after the workflow accepted the completion' },
    responseSchemas: { 200: taskSchema },
    handler: async ({ params, body }, ctx) => {
      const { task, child } = await loadTask(ctx, params.id, 'task.complete');
      if (task.status !== 'claimed')
        throw taskConflict(
          task.status === 'open' ? 'Claim the task before completing it' : `The task is ${task.status}`,
          task,
        );
      if (task.assignee !== me(ctx).username) throw taskConflict(`The task is claimed by ${task.assignee}`, task);
      if (body.expectedVersion !== undefined && body.expectedVersion !== task.rowVersion) {
        throw taskConflict(
          `The task changed since version ${body.expectedVersion} (now ${task.rowVersion}): reload it`,
          task,
        );
      }
      const problems = validateFormData(task.form, body.data);
      if (problems.length > 0) throw ApiError.badRequest("The form data does not match the task's form", problems);
      try {
        await ctx.deps.taskCompleter.complete(task, {
          outcome: body.outcome ?? null,
          data: body.data,
          actor: me(ctx),
          // In the completion's transaction: recorded with the completed row, before the workflow is told.
          audit: (tx) =>
            auditTask(tx, ctx, 'task.complete', task, child, {
              outcome: body.outcome ?? null,
              fields: Object.keys(body.data),
            }),
        });
      } catch (error) {
        if (error instanceof TaskCompletionConflict) throw ApiError.conflict(error.message);
        if (error instanceof TaskCompletionRefused) throw ApiError.unprocessable(error.message);
        if (error instanceof TaskCompletionPending) throw new ApiError(504, 'Gateway Timeout', error.message);
        throw error;
      }
      return ok(taskView((await findTask(ctx.deps.db, task.id))!));
    },
  }),
];
