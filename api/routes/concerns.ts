import { z } from 'zod';
import {
  addNoteToConcern,
  closeConcernByStaff,
  escalateConcernByStaff,
  listConcerns,
  raiseConcernAbout,
  readConcern,
  type ConcernWithNotes,
} from '../../records/concerns/casework';
import type { ChildSummary } from '../../records/children/child-rows';
import type { Concern, ConcernCursor, ConcernListItem, ConcernStatus } from '../../records/concerns/rows';
import { actorOf } from '../audit/audit-builder';
import { deliverNow, startedBy } from '../process-outbox';
import { childBannerView, childSummaryView } from './child-views';
import { concernDetailSchema, concernListSchema, concernSchema } from './response-schemas';
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

const withNotesView = ({ concern, notes }: ConcernWithNotes) => ({ ...concernView(concern), notes });

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

/** A list row with its child (read and audited with the list in records/) and its decision SLA. */
const concernRow = (c: ConcernListItem & { child: ChildSummary | null }) => ({
  ...concernView(c),
  child: c.child ? childSummaryView(c.child) : null,
  decision: c.decisionTaskId ? { taskId: c.decisionTaskId, dueAt: c.decisionDueAt } : null,
});

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
      const page = await listConcerns(ctx.deps.db, actorOf(ctx), {
        statuses,
        nhsNumber: query.nhsNumber ?? null,
        after: query.cursor ?? null,
        limit: query.limit,
      });
      return ok({
        concerns: page.concerns.map(concernRow),
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
    responses: {
      201: "The concern; the child's safeguarding alert becomes 'concern' if it was 'none'. `escalationStarted` is false while the engine cannot be reached: the escalation then starts when it can (once)",
    },
    responseSchemas: {
      201: concernSchema.extend({
        escalationStarted: z.boolean().meta({
          description:
            'Whether the safeguarding-escalation process has started (else it starts once the engine answers)',
        }),
      }),
    },
    handler: async ({ params, body }, ctx) => {
      const raised = await raiseConcernAbout(ctx.deps.db, actorOf(ctx), params.nhsNumber, body.summary);
      // The safeguarding-escalation process takes it from here: its start was written with the
      // concern and goes now when the engine answers, else the outbox relay delivers it later.
      const escalationStarted = startedBy(await deliverNow(ctx, raised.escalation)) > 0;
      return created({ ...withNotesView(raised), escalationStarted });
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
      const { concern, notes, tasks, child } = await readConcern(ctx.deps.db, actorOf(ctx), params.id);
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
      return created(withNotesView(await addNoteToConcern(ctx.deps.db, actorOf(ctx), params.id, body.text)));
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
      return ok(
        withNotesView(
          await escalateConcernByStaff(ctx.deps.db, actorOf(ctx), params.id, body.reason, body.expectedVersion),
        ),
      );
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
      return ok(withNotesView(await closeConcernByStaff(ctx.deps.db, actorOf(ctx), params.id, body)));
    },
  }),
];
