import { z } from 'zod';
import { acknowledgeBreakGlassAlert, findBreakGlassAlert, listBreakGlassAlerts } from '../../db/repositories/alerts';
import { inTransaction } from '../../db/repositories/sql';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me } from '../request-context';
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
      ok({ alerts: await listBreakGlassAlerts(ctx.deps.db, me(ctx).localityIds, query.open === 'true', query.limit) }),
  }),
  defineRoute({
    method: 'post',
    path: '/alerts/break-glass/:id/acknowledge',
    tag: 'alerts',
    summary: 'Acknowledge a break-glass alert',
    access: 'alerts.acknowledge',
    schemas: { params: alertParams },
    responses: { 200: 'Acknowledged by the caller' },
    handler: async ({ params }, ctx) => {
      const alert = await findBreakGlassAlert(ctx.deps.db, params.id);
      if (!alert || !me(ctx).localityIds.includes(alert.localityId))
        throw ApiError.notFound(`No break-glass alert ${params.id} in your localities`);
      const done = await inTransaction(ctx.deps.db, async (tx) => {
        const acknowledged = await acknowledgeBreakGlassAlert(tx, alert.id, me(ctx).id);
        if (acknowledged)
          await audit(tx, ctx, {
            action: 'alert.acknowledge',
            entityType: 'break_glass_alert',
            entityId: alert.id,
            childId: alert.childId,
          });
        return acknowledged;
      });
      if (!done) throw ApiError.conflict('The alert was already acknowledged');
      return ok(await findBreakGlassAlert(ctx.deps.db, alert.id));
    },
  }),
];
