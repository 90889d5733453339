/**
 * User tasks through the Camunda REST API, under CHIS Flow's task rules (api/routes/tasks.ts):
 * a member of staff sees the tasks of their queues (administrators every task about no child); a
 * task about a child needs a legitimate relationship with the child or break glass
 * (X-Access-Reason), whatever the role; claims a task they are a candidate for by assigning it to
 * themselves; leads and administrators assign within their localities, only to someone with a
 * relationship; the assignee completes. Audit rows are written with the change they record. Completion takes any variables, as Camunda does, and
 * still checks them against the task's form where it has one (required fields, value types).
 */
import { inTransaction, type Db } from '../../../records/sql';
import { findActivePrincipalByUsername } from '../../../records/staff';
import {
  assignTask,
  claimTask,
  updateTaskAttributes,
  findTask,
  findTaskByKey,
  unclaimTask,
  type KeyedTask,
  childOfTask,
  type TaskChild,
} from '../../../records/tasks/rows';
import { breakGlass } from '../../access/child-access';
import { roleMay } from '../../access/policy';
import { audit } from '../../audit/audit-builder';
import { groupsOf, me, type RequestContext } from '../../request-context';
import { noContent, ok } from '../../route-definition';
import { formFieldsOf, validateFormData } from '../../tasks/form-validation';
import { hasTaskRelationship, isCandidate, mayAssignTask, maySeeTask } from '../../tasks/task-access';
import { TaskCompletionConflict, TaskCompletionPending, TaskCompletionRefused } from '../../tasks/task-completer';
import { ApiError } from '../../api-error';
import type { UserTaskChanges } from '../../../workflows/engine/types';
import {
  assignThroughListeners,
  attributeChanges,
  changeThroughListeners,
  hasAttributeChanges as hasAny,
  hasTaskListeners,
  TaskListenerRefusal,
} from '../../tasks/task-listeners';
import { camundaError, DEFAULT_TENANT, type CamundaRoute } from '../camunda-route';
import { pageOf, pageResult } from '../search';
import { searchV2Tasks } from '../../../records/v2-search';
import { openListenerJobOfTask } from '../../../records/jobs';

const STATE: Record<string, string> = {
  open: 'CREATED',
  claimed: 'CREATED',
  completed: 'COMPLETED',
  cancelled: 'CANCELED',
};
const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

function taskResult(t: KeyedTask) {
  const form = t.form as { source?: string; key?: string } | null;
  return {
    name: t.name,
    state: STATE[t.status],
    ...(t.assignee ? { assignee: t.assignee } : {}),
    elementId: t.elementId,
    candidateGroups: t.candidateGroups,
    candidateUsers: t.candidateUsers,
    processDefinitionId: t.processDefinitionId,
    creationDate: t.createdAt.toISOString(),
    ...(t.completedAt ? { completionDate: iso(t.completedAt) } : {}),
    ...(t.followUpAt ? { followUpDate: iso(t.followUpAt) } : {}),
    ...(t.dueAt ? { dueDate: iso(t.dueAt) } : {}),
    tenantId: DEFAULT_TENANT,
    ...(form?.source === 'external' && form.key ? { externalFormReference: form.key } : {}),
    processDefinitionVersion: t.processDefinitionVersion,
    customHeaders: {},
    priority: t.priority,
    userTaskKey: t.key,
    ...(t.elementInstanceKey ? { elementInstanceKey: t.elementInstanceKey } : {}),
    processName: t.processName ?? t.processDefinitionId,
    processDefinitionKey: t.processDefinitionKey,
    processInstanceKey: t.processInstanceKey,
  };
}

/** Staff who read queues, and those who assign tasks (administrators: any task, as on /api). */
function mayReadTasks(ctx: RequestContext): void {
  const role = me(ctx).role;
  if (!roleMay(role, 'tasks.read') && !roleMay(role, 'tasks.assign'))
    throw camundaError.forbidden(`Your role (${role}) may not read user tasks`);
}

interface OpenedTask {
  task: KeyedTask;
  child: TaskChild | null;
  brokeGlass: boolean;
}

/** As /api/tasks/:id: in the caller's queues (administrators: any), and the relationship rule for a task about a child. */
async function openTask(ctx: RequestContext, key: string, action: string): Promise<OpenedTask> {
  mayReadTasks(ctx);
  const task = await findTaskByKey(ctx.deps.db, key);
  if (!task) throw camundaError.notFound(`No user task has key ${key}`);
  if (!maySeeTask(me(ctx), task) && me(ctx).role !== 'administrator')
    throw camundaError.forbidden('This task is not in your queues');
  const child = await childOfTask(ctx.deps.db, task);
  const brokeGlass = child !== null && !hasTaskRelationship(me(ctx), task, child);
  if (brokeGlass) await breakGlass(ctx, child, action);
  return { task, child, brokeGlass };
}

/**
 * A job worker's account (role with jobs.work but no task reading: integration) reads a user task
 * only while a task listener job of that task is open that it may activate (Camunda's listener
 * workers fetch their task by the job's userTaskKey): the same locality rule as job activation.
 * Null for roles that read tasks by the queue rules (openTask).
 */
async function openListenedTask(ctx: RequestContext, key: string): Promise<{ task: KeyedTask; jobKey: string } | null> {
  const principal = me(ctx);
  if (roleMay(principal.role, 'tasks.read') || roleMay(principal.role, 'tasks.assign')) return null;
  if (!roleMay(principal.role, 'jobs.work')) return null;
  const localityIds = principal.role === 'integration' ? null : principal.localityIds;
  const jobKey = await openListenerJobOfTask(ctx.deps.db, key, localityIds);
  if (!jobKey)
    throw camundaError.forbidden(
      `Your role (${principal.role}) may read a user task only while a task listener job of it is open for you to work`,
    );
  const task = await findTaskByKey(ctx.deps.db, key);
  if (!task) throw camundaError.notFound(`No user task has key ${key}`);
  return { task, jobKey };
}

const auditTask = (db: Db, ctx: RequestContext, action: string, t: KeyedTask, detail: Record<string, unknown> = {}) =>
  audit(db, ctx, {
    action,
    entityType: 'task',
    entityId: t.id,
    childId: t.childId,
    detail: { name: t.name, userTaskKey: t.key, api: 'v2', ...detail },
  });

/** A refusal of a change through task listeners, as the Camunda REST API's problem. */
function v2Refusal(e: unknown): unknown {
  if (!(e instanceof TaskListenerRefusal)) return e;
  if (e.kind === 'pending') return new ApiError(504, 'DEADLINE_EXCEEDED', e.message);
  if (e.kind === 'unavailable') return camundaError.unavailable(e.message);
  return camundaError.invalidState(e.message);
}

/** An assignment through the task's assigning listeners (null: it has none), refusals as /v2 problems. */
async function assigningListeners(
  ctx: RequestContext,
  task: KeyedTask,
  child: TaskChild | null,
  assignee: string | null,
) {
  try {
    return await assignThroughListeners(ctx, task, child, assignee);
  } catch (e) {
    throw v2Refusal(e);
  }
}

export const userTaskRoutes: CamundaRoute[] = [
  {
    method: 'post',
    path: '/user-tasks/search',
    summary: 'Search user tasks',
    access: 'signedIn',
    operation: 'searchUserTasks',
    handler: async ({ body }, ctx) => {
      mayReadTasks(ctx);
      const filter = (body.filter ?? {}) as Record<string, unknown>;
      const page = pageOf(body.page);
      const principal = me(ctx);
      const viewer = {
        username: principal.username,
        groups: groupsOf(principal),
        localityIds: principal.localityIds,
        role: principal.role,
      };
      const { tasks, total } = await searchV2Tasks(
        ctx.deps.db,
        { filter, sort: body.sort, ...page },
        viewer,
        principal.role === 'administrator',
      );
      return ok({ items: tasks.map(taskResult), page: pageResult(page, tasks.length, total) });
    },
  },
  {
    method: 'get',
    path: '/user-tasks/:userTaskKey',
    summary: 'Read a user task',
    access: 'signedIn',
    handler: async ({ path }, ctx) => {
      const listened = await openListenedTask(ctx, path.userTaskKey);
      if (listened) {
        await auditTask(ctx.deps.db, ctx, 'task.read', listened.task, { listenerJobKey: listened.jobKey });
        return ok(taskResult(listened.task));
      }
      const { task, brokeGlass } = await openTask(ctx, path.userTaskKey, 'task.read');
      await auditTask(ctx.deps.db, ctx, 'task.read', task, { brokeGlass });
      return ok(taskResult(task));
    },
  },
  {
    method: 'post',
    path: '/user-tasks/:userTaskKey/assignment',
    summary: 'Assign a user task',
    access: 'signedIn',
    operation: 'assignUserTask',
    handler: async ({ path, body }, ctx) => {
      const { task, child } = await openTask(ctx, path.userTaskKey, 'task.assign');
      const principal = me(ctx);
      const assignee = String(body.assignee ?? '').toLowerCase();
      if (task.status !== 'open' && task.status !== 'claimed')
        throw camundaError.invalidState(`The user task is ${task.status}`);
      if (task.status === 'claimed' && body.allowOverride === false && task.assignee !== assignee)
        throw camundaError.invalidState(`The user task is assigned to ${task.assignee}`);
      const self = assignee === principal.username;
      const record = (tx: Db) =>
        auditTask(tx, ctx, self ? 'task.claim' : 'task.assign', task, { from: task.assignee, to: assignee });
      if (self && roleMay(principal.role, 'tasks.work') && isCandidate(principal, task) && task.status === 'open') {
        const listened = await assigningListeners(ctx, task, child, assignee);
        const claimed = await inTransaction(ctx.deps.db, async (tx) => {
          const to = listened?.assignee ?? assignee;
          const updated =
            to === principal.username ? await claimTask(tx, task.id, to) : await assignTask(tx, task.id, to);
          if (updated && listened && hasAny(listened.attributes))
            await updateTaskAttributes(tx, task.id, listened.attributes);
          if (updated) await record(tx);
          return updated;
        });
        if (!claimed) throw camundaError.invalidState('The user task was claimed by someone else first');
      } else {
        if (!roleMay(principal.role, 'tasks.assign'))
          throw camundaError.forbidden(
            self
              ? 'You are not a candidate for this task: a lead can assign it to you'
              : `Your role (${principal.role}) may not assign tasks to others`,
          );
        if (!mayAssignTask(principal, task, child))
          throw camundaError.forbidden("The task's locality is not one of yours");
        const to = await findActivePrincipalByUsername(ctx.deps.db, assignee);
        if (!to)
          throw camundaError.invalid('Unknown assignee', [
            { field: 'body.assignee', message: 'is not an active member of staff' },
          ]);
        // Assigning must not give sight of a child to someone without a legitimate relationship.
        if (child && !hasTaskRelationship(to, task, child))
          throw camundaError.invalid(`${to.username} may not be given this task`, [
            {
              field: 'body.assignee',
              message:
                "has no legitimate relationship with the task's child (not of the child's or the task's locality, not a candidate)",
            },
          ]);
        const listened = await assigningListeners(ctx, task, child, assignee);
        const assigned = await inTransaction(ctx.deps.db, async (tx) => {
          const updated = await assignTask(tx, task.id, listened ? listened.assignee : assignee);
          if (updated && listened && hasAny(listened.attributes))
            await updateTaskAttributes(tx, task.id, listened.attributes);
          if (updated) await record(tx);
          return updated;
        });
        if (!assigned) throw camundaError.invalidState('The user task changed meanwhile');
      }
      return noContent();
    },
  },
  {
    method: 'delete',
    path: '/user-tasks/:userTaskKey/assignee',
    summary: 'Unassign a user task',
    access: 'signedIn',
    handler: async ({ path }, ctx) => {
      const { task, child } = await openTask(ctx, path.userTaskKey, 'task.unclaim');
      const principal = me(ctx);
      if (task.status !== 'open' && task.status !== 'claimed')
        throw camundaError.invalidState(`The user task is ${task.status}`);
      if (task.status === 'open') return noContent();
      const own = task.assignee === principal.username && roleMay(principal.role, 'tasks.work');
      if (!own && (!roleMay(principal.role, 'tasks.assign') || !mayAssignTask(principal, task, child)))
        throw camundaError.forbidden(`The task is assigned to ${task.assignee}: only they, or a lead, can unassign it`);
      const listened = await assigningListeners(ctx, task, child, null);
      const released = await inTransaction(ctx.deps.db, async (tx) => {
        if (listened) {
          // The listeners may have corrected the unassignment to an assignee.
          const updated = await assignTask(tx, task.id, listened.assignee);
          if (updated && hasAny(listened.attributes)) await updateTaskAttributes(tx, task.id, listened.attributes);
          if (updated) await auditTask(tx, ctx, 'task.unclaim', task, { from: task.assignee, to: listened.assignee });
          return updated;
        }
        const updated = own ? await unclaimTask(tx, task.id, principal.username) : await assignTask(tx, task.id, null);
        if (updated) await auditTask(tx, ctx, 'task.unclaim', task, { from: task.assignee });
        return updated;
      });
      if (!released) throw camundaError.invalidState('The user task changed meanwhile');
      return noContent();
    },
  },
  {
    method: 'patch',
    path: '/user-tasks/:userTaskKey',
    summary: 'Update a user task',
    access: 'tasks.assign',
    operation: 'updateUserTask',
    handler: async ({ path, body }, ctx) => {
      const { task, child } = await openTask(ctx, path.userTaskKey, 'task.update');
      if (task.status !== 'open' && task.status !== 'claimed')
        throw camundaError.invalidState(`The user task is ${task.status}`);
      if (!mayAssignTask(me(ctx), task, child)) throw camundaError.forbidden("The task's locality is not one of yours");
      const changeset = (body.changeset ?? {}) as Record<string, unknown>;
      // As Camunda: null or absent keeps a value, an empty string clears a date, an empty list the candidates.
      const asked: UserTaskChanges = {};
      const problems: Array<{ field: string; message: string }> = [];
      for (const key of ['dueDate', 'followUpDate'] as const) {
        const v = changeset[key];
        if (v === undefined || v === null) continue;
        if (v === '') asked[key] = null;
        else if (typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /T/.test(v)) asked[key] = v;
        else problems.push({ field: `body.changeset.${key}`, message: 'is not an ISO 8601 date-time' });
      }
      for (const key of ['candidateGroups', 'candidateUsers'] as const) {
        const v = changeset[key];
        if (Array.isArray(v)) asked[key] = v.map(String);
      }
      if (typeof changeset.priority === 'number') asked.priority = changeset.priority;
      if (problems.length > 0) throw camundaError.invalid('The changeset is not valid', problems);
      const changes = (await hasTaskListeners(ctx, task, 'updating'))
        ? await changeThroughListeners(ctx, task, child, 'updating', asked).catch((e: unknown) => {
            throw v2Refusal(e);
          })
        : asked;
      const attributes = attributeChanges(changes);
      const updated = await inTransaction(ctx.deps.db, async (tx) => {
        const row = hasAny(attributes) ? await updateTaskAttributes(tx, task.id, attributes) : task;
        if (row && typeof changes.assignee === 'string' && changes.assignee !== task.assignee)
          await assignTask(tx, task.id, changes.assignee);
        if (row) await auditTask(tx, ctx, 'task.update', task, { changed: Object.keys(changes) });
        return row;
      });
      if (!updated) throw camundaError.invalidState('The user task changed meanwhile');
      return noContent();
    },
  },
  {
    method: 'post',
    path: '/user-tasks/:userTaskKey/completion',
    summary: 'Complete a user task',
    access: 'tasks.work',
    operation: 'completeUserTask',
    handler: async ({ path, body }, ctx) => {
      let { task } = await openTask(ctx, path.userTaskKey, 'task.complete');
      const principal = me(ctx);
      if (task.status !== 'open' && task.status !== 'claimed')
        throw camundaError.invalidState(`The user task is ${task.status}`);
      if (task.status === 'open') {
        // As Tasklist's "assign to me and complete": a candidate takes the task first.
        if (!isCandidate(principal, task)) throw camundaError.forbidden('You are not a candidate for this task');
        const claimed = await inTransaction(ctx.deps.db, async (tx) => {
          const updated = await claimTask(tx, task.id, principal.username);
          if (updated) await auditTask(tx, ctx, 'task.claim', task, { to: principal.username });
          return updated;
        });
        if (!claimed) throw camundaError.invalidState('The user task was claimed by someone else first');
        task = { ...task, ...(await findTask(ctx.deps.db, task.id))! };
      }
      if (task.assignee !== principal.username)
        throw camundaError.invalidState(`The user task is assigned to ${task.assignee}`);
      const variables = (body.variables ?? {}) as Record<string, unknown>;
      // Any variables (Camunda); the form's own fields must still be present and of their type.
      const formKeys = new Set(formFieldsOf(task.form).map((f) => f.key));
      const problems = validateFormData(
        task.form,
        Object.fromEntries(Object.entries(variables).filter(([k]) => formKeys.has(k))),
        'body.variables',
      );
      if (problems.length > 0) throw camundaError.invalid("The variables do not match the task's form", problems);
      try {
        await ctx.deps.taskCompleter.complete(task, {
          outcome: typeof body.action === 'string' && body.action !== 'complete' ? body.action : null,
          data: variables,
          actor: principal,
          // In the completion's transaction: recorded with the completed row, before the workflow is told.
          audit: (tx) => auditTask(tx, ctx, 'task.complete', task, { variables: Object.keys(variables) }),
        });
      } catch (e) {
        if (e instanceof TaskCompletionConflict || e instanceof TaskCompletionRefused)
          throw camundaError.invalidState(e.message);
        if (e instanceof TaskCompletionPending) throw new ApiError(504, 'DEADLINE_EXCEEDED', e.message);
        throw e;
      }
      return noContent();
    },
  },
];
