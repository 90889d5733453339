import { z } from 'zod';
import { openAlertCount } from '../../records/break-glass-alerts';
import { concernCounts } from '../../records/concerns/rows';
import { localityTaskCounts, workloadOf } from '../../records/tasks/workload';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { QUEUE_COUNT_CAP } from './task-queues';
import { ROLES } from '../../records/staff';

const count = () => z.number().int();

export const safeguardingRoutes = [
  defineRoute({
    method: 'get',
    path: '/safeguarding/summary',
    tag: 'safeguarding',
    summary: 'Count what waits for a safeguarding lead in their localities',
    access: 'safeguarding.dashboard',
    schemas: {},
    responses: {
      200: "Escalated and overdue active tasks, break-glass alerts to acknowledge and open concerns by status, in the caller's localities",
    },
    responseSchemas: {
      200: z.object({
        escalatedTasks: count(),
        overdueTasks: count(),
        openAlerts: count(),
        concerns: z.object({ open: count(), escalated: count(), monitoring: count(), referred: count() }),
        limit: count().meta({ description: 'Task and alert counts stop at this number' }),
      }),
    },
    handler: async (_input, ctx) => {
      const localities = me(ctx).localityIds;
      const [tasks, openAlerts, concerns] = await Promise.all([
        localityTaskCounts(ctx.deps.db, localities, ctx.now(), QUEUE_COUNT_CAP),
        openAlertCount(ctx.deps.db, localities, QUEUE_COUNT_CAP),
        concernCounts(ctx.deps.db, localities),
      ]);
      const { closed: _closed, ...open } = concerns;
      return ok({
        escalatedTasks: tasks.escalated,
        overdueTasks: tasks.overdue,
        openAlerts,
        concerns: open,
        limit: QUEUE_COUNT_CAP,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/safeguarding/workload',
    tag: 'tasks',
    summary: "Show the team workload of the caller's localities",
    access: 'safeguarding.dashboard',
    schemas: {},
    responses: {
      200: "Per caseworker and lead of the caller's localities the tasks they hold and how many are overdue; per team its unclaimed and overdue tasks",
    },
    responseSchemas: {
      200: z.object({
        people: z.array(
          z.object({
            username: z.string(),
            displayName: z.string(),
            role: z.enum(ROLES),
            teams: z.array(z.string()),
            claimed: count(),
            overdue: count(),
          }),
        ),
        teams: z.array(z.object({ code: z.string(), name: z.string(), unclaimed: count(), overdue: count() })),
      }),
    },
    handler: async (_input, ctx) => ok(await workloadOf(ctx.deps.db, me(ctx).localityIds, ctx.now())),
  }),
];
