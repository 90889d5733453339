import { z } from 'zod';
import { publishConcernRaised } from '../../activities/safeguarding/raise-concern';
import { findChildById, setSafeguardingAlert } from '../../db/repositories/children';
import {
  addConcernNote,
  closeConcern,
  concernNotes,
  escalateConcern,
  findConcern,
  listConcerns,
  openConcernCount,
  raiseConcern,
  type Concern,
  type ConcernStatus,
} from '../../db/repositories/concerns';
import { inTransaction } from '../../db/repositories/sql';
import { tasksForConcern } from '../../db/repositories/tasks';
import { openChild, openChildById } from '../access/child-access';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me, type RequestContext } from '../request-context';
import { created, defineRoute, ok } from '../route-definition';
import { pageLimit } from '../validation';
import { childParams } from './children-schemas';
import { taskView } from './task-queues';

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
          limit: pageLimit(50),
        })
        .strict(),
    },
    responses: { 200: 'Concerns, escalated first, newest first' },
    handler: async ({ query }, ctx) => {
      const statuses: ConcernStatus[] =
        query.status === 'active' ? ['open', 'escalated', 'monitoring', 'referred'] : [query.status];
      const list = await listConcerns(ctx.deps.db, me(ctx).localityIds, statuses, query.limit);
      return ok({ concerns: list.map(concernView) });
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
    responses: { 200: "The concern with its notes, escalations and the child's tasks" },
    handler: async ({ params }, ctx) => {
      const concern = await openConcern(ctx, params.id, 'concern.read');
      const [notes, tasks] = await Promise.all([
        concernNotes(ctx.deps.db, concern.id),
        tasksForConcern(ctx.deps.db, concern.id, concern.childId),
      ]);
      await auditConcern(ctx.deps.db, ctx, 'concern.read', concern);
      return ok({ ...concernView(concern), notes, tasks: tasks.map(taskView) });
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
