import { z } from 'zod';
import { readQueue, type QueueRequest } from '../../records/tasks/queues';
import type { HumanTask } from '../../records/tasks/rows';
import { actorOf } from '../audit/audit-builder';
import { groupsOf, me, type RequestContext } from '../request-context';
import { defineRoute, ok, type RouteDefinition } from '../route-definition';
import type { RouteInput } from '../validation';
import { childParams } from './children-schemas';
import { encodeCursor, queueQuery } from './tasks-schemas';

export const taskView = (t: HumanTask) => ({
  id: t.id,
  name: t.name,
  elementId: t.elementId,
  processInstanceId: t.processInstanceId,
  processKey: t.processKey,
  businessKey: t.businessKey,
  childId: t.childId,
  localityId: t.localityId,
  concernId: t.concernId,
  candidateGroups: t.candidateGroups,
  candidateUsers: t.candidateUsers,
  assignee: t.assignee,
  status: t.status,
  priority: t.priority,
  dueAt: t.dueAt,
  followUpAt: t.followUpAt,
  form: t.form,
  input: t.input,
  outcome: t.outcome,
  data: t.data,
  createdAt: t.createdAt,
  claimedAt: t.claimedAt,
  completedAt: t.completedAt,
  completedBy: t.completedBy,
  escalatedAt: t.escalatedAt,
  escalationReason: t.escalationReason,
  rowVersion: t.rowVersion,
});

const viewer = (ctx: RequestContext) => {
  const p = me(ctx);
  return { username: p.username, groups: groupsOf(p), localityIds: p.localityIds, role: p.role };
};

async function page(ctx: RequestContext, queue: QueueRequest, query: z.output<typeof queueQuery>) {
  const result = await readQueue(ctx.deps.db, actorOf(ctx), queue, query.limit, query.cursor ?? null);
  return ok({ tasks: result.tasks.map(taskView), next: result.next ? encodeCursor(result.next) : null });
}

type Schemas = { params?: z.ZodType; query: typeof queueQuery };

function queueRoute<S extends Schemas>(
  path: string,
  summary: string,
  schemas: S,
  queue: (input: RouteInput<S>, ctx: RequestContext) => QueueRequest,
): RouteDefinition<S> {
  return defineRoute({
    method: 'get',
    path,
    tag: 'tasks',
    summary,
    access: 'tasks.read',
    schemas,
    responses: {
      200: 'A page of tasks, highest priority then earliest due first; `next` is the cursor of the following page or null',
    },
    handler: async (input, ctx) => page(ctx, queue(input, ctx), input.query),
  });
}

export const taskQueueRoutes = [
  queueRoute('/tasks/queues/mine', 'List my tasks', { query: queueQuery }, (_i, ctx) => ({
    kind: 'mine',
    viewer: viewer(ctx),
    now: ctx.now(),
  })),
  queueRoute('/tasks/queues/unclaimed', "List my teams' unclaimed tasks", { query: queueQuery }, (_i, ctx) => ({
    kind: 'unclaimed',
    viewer: viewer(ctx),
    now: ctx.now(),
  })),
  queueRoute('/tasks/queues/overdue', 'List overdue tasks', { query: queueQuery }, (_i, ctx) => ({
    kind: 'overdue',
    viewer: viewer(ctx),
    now: ctx.now(),
  })),
  queueRoute('/tasks/queues/due-today', 'List tasks due today', { query: queueQuery }, (_i, ctx) => ({
    kind: 'dueToday',
    viewer: viewer(ctx),
    now: ctx.now(),
  })),
  queueRoute(
    '/tasks/queues/locality/:code',
    "List a locality's tasks",
    {
      params: z.object({ code: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a locality code') }).strict(),
      query: queueQuery,
    },
    ({ params }) => ({ kind: 'locality', localityCode: params.code }),
  ),
  queueRoute(
    '/tasks/queues/process/:key',
    "List a process's tasks",
    {
      params: z.object({ key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/, 'must be a process key') }).strict(),
      query: queueQuery,
    },
    ({ params }, ctx) => ({ kind: 'process', processKey: params.key, viewer: viewer(ctx) }),
  ),
  queueRoute(
    '/children/:nhsNumber/tasks',
    "List a child's active tasks",
    { params: childParams, query: queueQuery },
    ({ params }) => ({ kind: 'child', nhsNumber: params.nhsNumber }),
  ),
];
