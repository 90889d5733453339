import { z } from 'zod';
import {
  acknowledgeBreakGlassAlert,
  findBreakGlassAlert,
  listBreakGlassAlerts,
  type AlertCursor,
  type BreakGlassAlert,
} from '../../db/repositories/alerts';
import { childSummariesByIds } from '../../db/repositories/children';
import { inTransaction } from '../../db/repositories/sql';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me, type RequestContext } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import { pageLimit } from '../validation';
import { childSummaryView } from './child-views';
import { alertListSchema, alertSchema } from './response-schemas';

const alertParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an alert id') }).strict();

const encodeAlertCursor = (c: AlertCursor) =>
  Buffer.from(JSON.stringify([c.open, c.raisedAt, c.id])).toString('base64url');

const alertCursor = z
  .string()
  .max(300)
  .transform((value, zctx): AlertCursor => {
    try {
      const [open, raisedAt, id] = z
        .tuple([z.boolean(), z.iso.datetime(), z.string().regex(/^[1-9][0-9]{0,17}$/)])
        .parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return { open, raisedAt, id };
    } catch {
      zctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
  })
  .meta({ description: 'The `next` value of the previous page' });

const alertView = (a: BreakGlassAlert) => ({
  id: a.id,
  nhsNumber: a.nhsNumber,
  localityId: a.localityId,
  actorUsername: a.actorUsername,
  actorDisplayName: a.actorDisplayName,
  actorRole: a.actorRole,
  reason: a.reason,
  action: a.action,
  raisedAt: a.raisedAt,
  acknowledgedAt: a.acknowledgedAt,
  acknowledgedBy: a.acknowledgedBy,
  acknowledgedByUsername: a.acknowledgedByUsername,
});

/** Alerts with their child's summary: the leads' own localities' children, read once per page (audited as child.list). */
async function alertRows(ctx: RequestContext, alerts: BreakGlassAlert[]) {
  const children = await childSummariesByIds(ctx.deps.db, [...new Set(alerts.map((a) => a.childId))]);
  if (children.length > 0) {
    await audit(ctx.deps.db, ctx, {
      action: 'child.list',
      entityType: 'child',
      detail: { list: 'break-glass alerts', children: children.map((c) => c.nhsNumber) },
    });
  }
  const byId = new Map(children.map((c) => [c.id, c]));
  return alerts.map((a) => {
    const child = byId.get(a.childId);
    return { ...alertView(a), child: child ? childSummaryView(child) : null };
  });
}

export const alertRoutes = [
  defineRoute({
    method: 'get',
    path: '/alerts/break-glass',
    tag: 'alerts',
    summary: "List break-glass alerts of the caller's localities",
    access: 'alerts.read',
    schemas: {
      query: z
        .object({
          open: z.enum(['true', 'false']).default('true'),
          limit: pageLimit(50),
          cursor: alertCursor.optional(),
        })
        .strict(),
    },
    responses: {
      200: 'Alerts, unacknowledged first, newest first, a page at a time, with who opened which child and why; `next` is the following page',
    },
    responseSchemas: { 200: alertListSchema },
    handler: async ({ query }, ctx) => {
      const page = await listBreakGlassAlerts(
        ctx.deps.db,
        me(ctx).localityIds,
        query.open === 'true',
        query.limit,
        query.cursor ?? null,
      );
      return ok({ alerts: await alertRows(ctx, page.alerts), next: page.next ? encodeAlertCursor(page.next) : null });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/alerts/break-glass/:id/acknowledge',
    tag: 'alerts',
    summary: 'Acknowledge a break-glass alert',
    access: 'alerts.acknowledge',
    schemas: { params: alertParams },
    responses: { 200: 'Acknowledged by the caller' },
    responseSchemas: { 200: alertSchema },
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
      return ok(alertView((await findBreakGlassAlert(ctx.deps.db, alert.id))!));
    },
  }),
];
