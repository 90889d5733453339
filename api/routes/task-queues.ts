import { z } from 'zod';
import { listLocalities } from '../../records/localities';
import { queueCounts } from '../../records/tasks/counts';
import { readQueue, type QueueRequest } from '../../records/tasks/queues';
import { actorOf } from '../audit/audit-builder';
import { groupsOf, me, type RequestContext } from '../request-context';
import { defineRoute, ok, type RouteDefinition } from '../route-definition';
import type { RouteInput } from '../validation';
import { childParams } from './children-schemas';
import { encodeCursor, queueQuery } from './tasks-schemas';
import { taskPageSchema } from './response-schemas';
import { taskView } from '../tasks/task-view';
import { childSummaryView } from './child-views';

/** Counts stop here: a badge says "1000+" rather than count a huge queue on every page load. */
export const QUEUE_COUNT_CAP = 1000;

const viewer = (ctx: RequestContext) => {
  const p = me(ctx);
  return { username: p.username, groups: groupsOf(p), localityIds: p.localityIds, role: p.role };
};

async function page(ctx: RequestContext, queue: QueueRequest, query: z.output<typeof queueQuery>) {
  const result = await readQueue(ctx.deps.db, actorOf(ctx), queue, query.limit, query.cursor ?? null);
  return ok({
    tasks: result.tasks.map((t) => {
      const child = t.childId ? result.children.get(t.childId) : undefined;
      return { ...taskView(t), child: child ? childSummaryView(child) : null };
    }),
    next: result.next ? encodeCursor(result.next) : null,
  });
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
      200:
        "A page of tasks, highest priority then earliest due first, each with its child when the child is in the caller's localities " +
        '(the page is audited once as child.list, naming the children); `next` is the cursor of the following page or null',
    },
    responseSchemas: { 200: taskPageSchema },
    handler: async (input, ctx) => page(ctx, queue(input, ctx), input.query),
  });
}

const countsSchema = z.object({
  mine: z.number().int(),
  unclaimed: z.number().int(),
  dueToday: z.number().int(),
  overdue: z.number().int(),
  localities: z.array(z.object({ code: z.string(), name: z.string(), count: z.number().int() })),
  processes: z.array(z.object({ key: z.string(), name: z.string().nullable(), count: z.number().int() })),
  limit: z.number().int().meta({ description: 'Counts stop at this number: a count equal to it means "at least"' }),
});

export const taskQueueRoutes = [
  defineRoute({
    method: 'get',
    path: '/tasks/queues/counts',
    tag: 'tasks',
    summary: 'Count the tasks in my queues',
    access: 'tasks.read',
    schemas: {},
    responses: {
      200: "How many tasks each of the caller's queues holds (mine, unclaimed, due today, overdue, per locality, per process with tasks)",
    },
    responseSchemas: { 200: countsSchema },
    handler: async (_input, ctx) => {
      const counts = await queueCounts(ctx.deps.db, viewer(ctx), ctx.now(), QUEUE_COUNT_CAP);
      const localities = await listLocalities(ctx.deps.db);
      return ok({
        ...counts,
        localities: counts.localities.map((c) => {
          const l = localities.find((x) => x.id === c.id)!;
          return { code: l.code, name: l.name, count: c.count };
        }),
        limit: QUEUE_COUNT_CAP,
      });
    },
  }),
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
  queueRoute('/tasks/queues/escalated', 'List escalated tasks of my localities', { query: queueQuery }, () => ({
    kind: 'escalated',
  })),
  queueRoute(
    '/children/:nhsNumber/tasks',
    "List a child's active tasks",
    { params: childParams, query: queueQuery },
    ({ params }) => ({ kind: 'child', nhsNumber: params.nhsNumber }),
  ),
];
