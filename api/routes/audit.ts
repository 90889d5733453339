import { z } from 'zod';
import { readAuditTrail } from '../../records/audit';
import { childIdOfNhsNumberOrSuperseded } from '../../records/children/child-rows';
import { mergesInto } from '../../records/children/merge';
import { actorOf } from '../audit/audit-builder';
import { defineRoute, ok } from '../route-definition';
import { nhsNumber, pageLimit } from '../validation';

const auditQuery = z
  .object({
    nhsNumber: nhsNumber().optional(),
    actor: z
      .string()
      .regex(/^[a-z0-9._-]{1,64}$/, 'must be a username')
      .optional(),
    action: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]+)*$/, 'must be an action such as child.read')
      .optional(),
    from: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with zone' }).optional(),
    to: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with zone' }).optional(),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,17}$/, 'is not a cursor returned by this API')
      .optional(),
    limit: pageLimit(50),
  })
  .strict();

/** The trail is read-only through the API: there is no update or delete route, and the table refuses both. */
export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Read the audit trail',
    access: 'audit.read',
    schemas: { query: auditQuery },
    responses: { 200: 'Events newest first; `next` is the cursor of the following page or null' },
    handler: async ({ query }, ctx) => {
      let childIds: string[] | undefined;
      if (query.nhsNumber) {
        // The child's record under its current number or one PDS superseded, and the records
        // merged into it: their audit rows keep the merged record's id (the trail is append-only).
        const id = await childIdOfNhsNumberOrSuperseded(ctx.deps.db, query.nhsNumber);
        if (!id) return ok({ events: [], next: null });
        childIds = [id, ...(await mergesInto(ctx.deps.db, id)).map((m) => m.mergedChildId)];
      }
      const filter = {
        childIds,
        actorUsername: query.actor,
        action: query.action,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        beforeId: query.cursor,
        limit: query.limit + 1,
      };
      const events = await readAuditTrail(ctx.deps.db, actorOf(ctx), filter, { ...query, cursor: undefined });
      const page = events.slice(0, query.limit);
      return ok({ events: page, next: events.length > query.limit ? page[page.length - 1].id : null });
    },
  }),
];
