import type { ChildSummary } from '../../records/children/child-rows';
import { openChildByNhsNumber, readChildRecord, readChildTimeline, searchChildren } from '../../records/children/read';
import { writeAudit } from '../../records/audit';
import { actorOf } from '../audit/audit-builder';
import { defineRoute, ok } from '../route-definition';
import { childParams, childScheduleQuery, childSearchQuery } from './children-schemas';
import { childScheduleView } from '../../activities/immunisation/schedule-view';
import { todayInLondon } from '../../core/uk-time';

const summaryView = (c: ChildSummary) => ({
  nhsNumber: c.nhsNumber,
  givenName: c.givenName,
  familyName: c.familyName,
  dateOfBirth: c.dateOfBirth,
  sex: c.sex,
  postcode: c.postcode,
  locality: c.localityCode,
  status: c.status,
  safeguardingAlert: c.safeguardingAlert,
});

export const childrenRoutes = [
  defineRoute({
    method: 'get',
    path: '/children',
    tag: 'children',
    summary: 'Search children by NHS number, or by family name and date of birth',
    access: 'children.search',
    schemas: { query: childSearchQuery },
    responses: { 200: "Matching children in the caller's localities (all localities with X-Access-Reason)" },
    handler: async ({ query }, ctx) => {
      const by =
        query.nhsNumber !== undefined
          ? { nhsNumber: query.nhsNumber }
          : { familyName: query.familyName!, dateOfBirth: query.dateOfBirth! };
      const found = await searchChildren(ctx.deps.db, actorOf(ctx), by, query.limit);
      return ok({ results: found.map(summaryView) });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/children/:nhsNumber',
    tag: 'children',
    summary: "Read a child's record",
    access: 'children.read',
    schemas: { params: childParams },
    responses: { 200: 'The record with contacts, immunisations, screening results and safeguarding concerns' },
    handler: async ({ params }, ctx) => {
      const { child, brokeGlass, ...parts } = await readChildRecord(ctx.deps.db, actorOf(ctx), params.nhsNumber);
      return ok({
        ...summaryView(child),
        address: { line1: child.addressLine1, line2: child.addressLine2, town: child.town, postcode: child.postcode },
        gpPractice: child.gpPracticeOds,
        ...parts,
        accessedWithReason: brokeGlass,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/children/:nhsNumber/timeline',
    tag: 'children',
    summary: "Read a child's timeline",
    access: 'children.read',
    schemas: { params: childParams },
    responses: { 200: 'Events in date order, oldest first' },
    handler: async ({ params }, ctx) => {
      const { child, events } = await readChildTimeline(ctx.deps.db, actorOf(ctx), params.nhsNumber);
      return ok({ nhsNumber: child.nhsNumber, events });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/children/:nhsNumber/schedule',
    tag: 'children',
    summary:
      "Read a child's immunisation schedule: every dose of the child's cohort, given / due / overdue / no longer offered, and the catch-up plan",
    access: 'children.read',
    schemas: { params: childParams, query: childScheduleQuery },
    responses: {
      200: 'The schedule as of `asOf` (default: today in England), from the same rules as the overdue sweep (docs/immunisation-schedule.md)',
    },
    handler: async ({ params, query }, ctx) => {
      const actor = actorOf(ctx);
      const { child, brokeGlass } = await openChildByNhsNumber(ctx.deps.db, actor, params.nhsNumber, 'child.schedule');
      const asOf = query.asOf ?? todayInLondon(ctx.now().getTime());
      const view = (await childScheduleView(ctx.deps.db, child.id, asOf))!;
      await writeAudit(ctx.deps.db, actor, {
        action: 'child.schedule',
        entityType: 'child',
        entityId: child.nhsNumber,
        childId: child.id,
        detail: { brokeGlass, asOf },
      });
      return ok({ nhsNumber: child.nhsNumber, ...view, accessedWithReason: brokeGlass });
    },
  }),
];
