import { z } from 'zod';
import { acknowledgeBreakGlassAlert, listBreakGlassAlerts } from '../../records/break-glass-alerts';
import { actorOf } from '../audit/audit-builder';
import { defineRoute, ok } from '../route-definition';
import { pageLimit } from '../validation';

const alertParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an alert id') }).strict();

export const alertRoutes = [
  defineRoute({
    method: 'get',
    path: '/alerts/break-glass',
    tag: 'alerts',
    summary: "List break-glass alerts of the caller's localities",
    access: 'alerts.read',
    schemas: { query: z.object({ open: z.enum(['true', 'false']).default('true'), limit: pageLimit(50) }).strict() },
    responses: { 200: 'Alerts, unacknowledged first, newest first' },
    handler: async ({ query }, ctx) =>
      ok({ alerts: await listBreakGlassAlerts(ctx.deps.db, actorOf(ctx), query.open === 'true', query.limit) }),
  }),
  defineRoute({
    method: 'post',
    path: '/alerts/break-glass/:id/acknowledge',
    tag: 'alerts',
    summary: 'Acknowledge a break-glass alert',
    access: 'alerts.acknowledge',
    schemas: { params: alertParams },
    responses: { 200: 'Acknowledged by the caller' },
    handler: async ({ params }, ctx) => ok(await acknowledgeBreakGlassAlert(ctx.deps.db, actorOf(ctx), params.id)),
  }),
];
