import { z } from 'zod';
import { publishConcernRaised } from '../../activities/safeguarding/raise-concern';
import { findChildById, setSafeguardingAlert } from '../../db/repositories/children';
import { hasRelationship } from '../access/child-access';
import { childBannerView, childSummaryView } from './child-views';
import { concernDetailSchema, concernListSchema, concernSchema } from './response-schemas';
import {
  addConcernNote,
  closeConcern,
  concernNotes,
  escalateConcern,
  findConcern,
  listConcernsPage,
  openConcernCount,
  raiseConcern,
  type Concern,
  type ConcernCursor,
  type ConcernListItem,
  type ConcernStatus,
} from '../../db/repositories/concerns';
import { childSummariesByIds, findChildByNhsNumber } from '../../db/repositories/children';
import { inTransaction } from '../../db/repositories/sql';
import { tasksForConcern } from '../../db/repositories/tasks';
import { openChild, openChildById } from '../access/child-access';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me, type RequestContext } from '../request-context';
import { created, defineRoute, ok } from '../route-definition';
import { nhsNumber, pageLimit } from '../validation';
import { childParams } from './children-schemas';
import { taskView } from '../tasks/task-view';

const concernParams = z.object({ id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a concern id') }).strict();
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const version = z.number().int().min(1).optional();
export const CLOSE_OUTCOMES = [
  'no_further_action',
  'monitoring_complete',
  'referred_to_childrens_social_care',
  'referred_to_other_agency',
] as const;

const concernView = (c: Concern) => ({
  id: c.id,
  nhsNumber: c.nhsNumber,
  status: c.status,
  summary: c.summary,
  raisedAt: c.raisedAt,
  escalatedAt: c.escalatedAt,
  outcome: c.outcome,
  closedAt: c.closedAt,
  rowVersion: c.rowVersion,
});

/** A concern and its child, opened under the legitimate-relationship rule. */
async function openConcern(ctx: RequestContext, id: string, action: string): Promise<Concern> {
  const concern = await findConcern(ctx.deps.db, id);
  if (!concern) throw ApiError.notFound(`No safeguarding concern has id ${id}`);
  await openChildById(
    ctx,
    { id: concern.childId, localityId: concern.localityId, nhsNumber: concern.nhsNumber },
    action,
  );
  return concern;
}

const auditConcern = (
  tx: Parameters<typeof audit>[0],
  ctx: RequestContext,
  action: string,
  c: Concern,
  detail: Record<string, unknown> = {},
) => audit(tx, ctx, { action, entityType: 'safeguarding_concern', entityId: c.id, childId: c.childId, detail });

async function changed(ctx: RequestContext, id: string) {
  const concern = (await findConcern(ctx.deps.db, id))!;
  return ok({ ...concernView(concern), notes: await concernNotes(ctx.deps.db, id) });
}

const encodeConcernCursor = (c: ConcernCursor) =>
  Buffer.from(JSON.stringify([c.escalated, c.raisedAt, c.id])).toString('base64url');

const concernCursor = z
  .string()
  .max(300)
  .transform((value, zctx): ConcernCursor => {
    try {
      const [escalated, raisedAt, id] = z
        .tuple([z.boolean(), z.iso.datetime(), z.string().regex(/^[1-9][0-9]{0,17}$/)])
        .parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return { escalated, raisedAt, id };
    } catch {
      zctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
  })
  .meta({ description: 'The `next` value of the previous page' });

/** List rows with their child (the page's children audited once as child.list) and decision SLA. */
async function concernRows(ctx: RequestContext, list: ConcernListItem[]) {
  const children = (await childSummariesByIds(ctx.deps.db, [...new Set(list.map((c) => c.childId))])).filter((c) =>
    hasRelationship(ctx, c),
  );
  if (children.length > 0) {
    await audit(ctx.deps.db, ctx, {
      action: 'child.list',
      entityType: 'child',
      detail: { list: 'concerns', children: children.map((c) => c.nhsNumber) },
    });
  }
  const byId = new Map(children.map((c) => [c.id, c]));
  return list.map((c) => {
    const child = byId.get(c.childId);
    return {
      ...concernView(c),
      child: child ? childSummaryView(child) : null,
      decision: c.decisionTaskId ? { taskId: c.decisionTaskId, dueAt: c.decisionDueAt } : null,
    };
  });
}

export const concernRoutes = [
  defineRoute({
    method: 'get',
    path: '/concerns',
    tag: 'concerns',
    summary: "List safeguarding concerns in the caller's localities",
    access: 'concerns.read',
    schemas: {
      query: z
        .object({
          status: z.enum(['active', 'open', 'escalated', 'monitoring', 'referred', 'closed']).default('active'),
          nhsNumber: nhsNumber().optional().meta({ description: "Only this child's concerns" }),
          limit: pageLimit(50),
          cursor: concernCursor.optional(),
        })
        .strict(),
    },
    responses: {
      200:
        "Concerns, escalated first, newest first, a page at a time, each with its child (when in the caller's localities) and the due " +
        'date of its open decision task; the page is audited once as child.list',
    },
    responseSchemas: { 200: concernListSchema },
    handler: async ({ query }, ctx) => {
      const statuses: ConcernStatus[] =
        query.status === 'active' ? ['open', 'escalated', 'monitoring', 'referred'] : [query.status];
      const child = query.nhsNumber ? await findChildByNhsNumber(ctx.deps.db, query.nhsNumber) : null;
      if (query.nhsNumber && !child) return ok({ concerns: [], next: null });
      const page = await listConcernsPage(ctx.deps.db, {
        localityIds: me(ctx).localityIds,
        statuses,
        childId: child?.id ?? null,
        after: query.cursor ?? null,
        limit: query.limit,
      });
      return ok({
        concerns: await concernRows(ctx, page.concerns),
        next: page.next ? encodeConcernCursor(page.next) : null,
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/children/:nhsNumber/concerns',
    tag: 'concerns',
    summary: 'Raise a safeguarding concern',
    access: 'concerns.raise',
    schemas: { params: childParams, body: z.object({ summary: text(2000) }).strict() },
    responses: { 201: "The concern; the child's safeguarding alert becomes 'concern' if it was 'none'" },
    responseSchemas: {
      201: concernSchema.extend({
        escalationStarted: z
          .boolean()
          .meta({ description: 'Whether the safeguarding-escalation process was started for it' }),
      }),
    },
    handler: async ({ params, body }, ctx) => {
      const { child } = await openChild(ctx, params.nhsNumber, 'concern.raise');
      const concern = await inTransaction(ctx.deps.db, async (tx) => {
        const raised = await raiseConcern(tx, child.id, body.summary, me(ctx).id);
        if (child.safeguardingAlert === 'none') await setSafeguardingAlert(tx, child.id, 'concern');
        await auditConcern(tx, ctx, 'concern.raise', raised, {
          safeguardingAlert: child.safeguardingAlert === 'none' ? 'concern' : child.safeguardingAlert,
        });
        return raised;
      });
      // The safeguarding-escalation process takes it from here (when the engine is connected);
      // the concern stands either way, and a failed start is reported rather than undoing it.
      let escalationStarted = false;
      if (ctx.deps.engine) {
        const { client, taskQueue } = ctx.deps.engine;
        escalationStarted = await publishConcernRaised(
          { sequelize: ctx.deps.db.sequelize, client, taskQueue },
          {
            concernId: concern.id,
            childId: child.id,
            nhsNumber: child.nhsNumber,
            reason: body.summary,
            severity: 'medium',
          },
        ).then(
          (r) => r.started > 0,
          () => false,
        );
      }
      return created({
        ...concernView(concern),
        notes: await concernNotes(ctx.deps.db, concern.id),
        escalationStarted,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/concerns/:id',
    tag: 'concerns',
    summary: 'Read a safeguarding concern',
    access: 'concerns.read',
    schemas: { params: concernParams },
    responses: { 200: "The concern with its notes, escalations, the child's banner and the child's tasks" },
    responseSchemas: { 200: concernDetailSchema },
    handler: async ({ params }, ctx) => {
      const concern = await openConcern(ctx, params.id, 'concern.read');
      const [notes, tasks] = await Promise.all([
        concernNotes(ctx.deps.db, concern.id),
        tasksForConcern(ctx.deps.db, concern.id, concern.childId),
      ]);
      await auditConcern(ctx.deps.db, ctx, 'concern.read', concern);
      const child = await findChildById(ctx.deps.db, concern.childId);
      return ok({
        ...concernView(concern),
        notes,
        tasks: tasks.map(taskView),
        child: child ? await childBannerView(ctx.deps.db, child) : null,
      });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/concerns/:id/notes',
    tag: 'concerns',
    summary: 'Add a note to a safeguarding concern',
    access: 'concerns.note',
    schemas: { params: concernParams, body: z.object({ text: text(10000) }).strict() },
    responses: { 201: 'The concern with the new note' },
    responseSchemas: { 201: concernSchema },
    handler: async ({ params, body }, ctx) => {
      const concern = await openConcern(ctx, params.id, 'concern.note');
      if (concern.status === 'closed') throw ApiError.conflict('The concern is closed');
      await inTransaction(ctx.deps.db, async (tx) => {
        const noteId = await addConcernNote(tx, concern.id, 'note', body.text, me(ctx).id);
        await auditConcern(tx, ctx, 'concern.note', concern, { noteId });
      });
      return { ...(await changed(ctx, concern.id)), status: 201 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/concerns/:id/escalate',
    tag: 'concerns',
    summary: 'Escalate a safeguarding concern',
    access: 'concerns.escalate',
    schemas: { params: concernParams, body: z.object({ reason: text(2000), expectedVersion: version }).strict() },
    responses: { 200: 'Escalated, with the reason as an escalation note' },
    responseSchemas: { 200: concernSchema },
    handler: async ({ params, body }, ctx) => {
      const concern = await openConcern(ctx, params.id, 'concern.escalate');
      const done = await inTransaction(ctx.deps.db, async (tx) => {
        const updated = await escalateConcern(tx, concern.id, me(ctx).id, body.expectedVersion);
        if (!updated) return false;
        await addConcernNote(tx, concern.id, 'escalation', body.reason, me(ctx).id);
        await auditConcern(tx, ctx, 'concern.escalate', concern, { escalationReason: body.reason });
        return true;
      });
      if (!done)
        throw ApiError.conflict(
          concern.status === 'closed' ? 'The concern is closed' : 'The concern changed since you read it: reload it',
        );
      return changed(ctx, concern.id);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/concerns/:id/close',
    tag: 'concerns',
    summary: 'Close a safeguarding concern with an outcome',
    access: 'concerns.close',
    schemas: {
      params: concernParams,
      body: z.object({ outcome: z.enum(CLOSE_OUTCOMES), note: text(10000), expectedVersion: version }).strict(),
    },
    responses: {
      200: "Closed; the child's alert returns to 'none' when it was 'concern' and no other concern is open",
    },
    responseSchemas: { 200: concernSchema },
    handler: async ({ params, body }, ctx) => {
      const concern = await openConcern(ctx, params.id, 'concern.close');
      const done = await inTransaction(ctx.deps.db, async (tx) => {
        const updated = await closeConcern(tx, concern.id, me(ctx).id, body.outcome, body.expectedVersion);
        if (!updated) return false;
        await addConcernNote(tx, concern.id, 'closure', body.note, me(ctx).id);
        const child = (await findChildById(tx, concern.childId))!;
        const othersOpen = (await openConcernCount(tx, child.id)) > 0;
        if (child.safeguardingAlert === 'concern' && !othersOpen) await setSafeguardingAlert(tx, child.id, 'none');
        await auditConcern(tx, ctx, 'concern.close', concern, { outcome: body.outcome });
        return true;
      });
      if (!done)
        throw ApiError.conflict(
          concern.status === 'closed'
            ? 'The concern is already closed'
            : 'The concern changed since you read it: reload it',
        );
      return changed(ctx, concern.id);
    },
  }),
];
