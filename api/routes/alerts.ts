import { z } from 'zod';
import {
  acknowledgeBreakGlassAlert,
  listBreakGlassAlerts,
  type AlertCursor,
  type BreakGlassAlert,
} from '../../records/break-glass-alerts';
import type { ChildSummary } from '../../records/children/child-rows';
import { actorOf } from '../audit/audit-builder';
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

/** An alert row with its child's summary (read and audited with the list in records/). */
const alertRow = (a: BreakGlassAlert & { child: ChildSummary | null }) => ({
  ...alertView(a),
  child: a.child ? childSummaryView(a.child) : null,
});

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
        actorOf(ctx),
        query.open === 'true',
        query.limit,
        query.cursor ?? null,
      );
      return ok({ alerts: page.alerts.map(alertRow), next: page.next ? encodeAlertCursor(page.next) : null });
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
    handler: async ({ params }, ctx) =>
      ok(alertView(await acknowledgeBreakGlassAlert(ctx.deps.db, actorOf(ctx), params.id))),
  }),
];
