import { z } from 'zod';
import { childRecordParts, gpPracticeOf, searchChildren } from '../../db/repositories/children';
import { childTimelinePage } from '../../db/repositories/child-timeline';
import { hasRelationship, breakGlass, openChild } from '../access/child-access';
import { audit } from '../audit/audit-builder';
import { childScreening } from '../children/child-screening';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import {
  childParams,
  childScheduleQuery,
  childSearchQuery,
  encodeTimelineCursor,
  timelineQuery,
} from './children-schemas';
import { childScheduleView } from '../../activities/immunisation/schedule-view';
import { todayInLondon } from '../../core/uk-time';
import { childSummaryView as summaryView } from './child-views';
import { childSummarySchema, screeningStatusSchema, timelineSchema } from './response-schemas';

export const childrenRoutes = [
  defineRoute({
    method: 'get',
    path: '/children',
    tag: 'children',
    summary: 'Search children by NHS number, or by family name and date of birth',
    access: 'children.search',
    schemas: { query: childSearchQuery },
    responses: { 200: "Matching children in the caller's localities (all localities with X-Access-Reason)" },
    responseSchemas: { 200: z.object({ results: z.array(childSummarySchema) }) },
    handler: async ({ query }, ctx) => {
      const by =
        query.nhsNumber !== undefined
          ? { nhsNumber: query.nhsNumber }
          : { familyName: query.familyName!, dateOfBirth: query.dateOfBirth! };
      // Without a stated reason the search never leaves the caller's localities.
      const found = await searchChildren(ctx.deps.db, by, ctx.accessReason ? null : me(ctx).localityIds, query.limit);
      for (const child of found) {
        if (!hasRelationship(ctx, child)) await breakGlass(ctx, child, 'child.search');
        await audit(ctx.deps.db, ctx, {
          action: 'child.search',
          entityType: 'child',
          entityId: child.nhsNumber,
          childId: child.id,
          detail: { by: 'nhsNumber' in by ? 'nhsNumber' : 'nameAndDateOfBirth' },
        });
      }
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
      const { child, brokeGlass } = await openChild(ctx, params.nhsNumber, 'child.read');
      const parts = await childRecordParts(ctx.deps.db, child.id);
      await audit(ctx.deps.db, ctx, {
        action: 'child.read',
        entityType: 'child',
        entityId: child.nhsNumber,
        childId: child.id,
        detail: { brokeGlass },
      });
      return ok({
        ...summaryView(child),
        address: { line1: child.addressLine1, line2: child.addressLine2, town: child.town, postcode: child.postcode },
        gpPractice: child.gpPracticeOds,
        gpPracticeName: (await gpPracticeOf(ctx.deps.db, child.gpPracticeOds))?.name ?? null,
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
    schemas: { params: childParams, query: timelineQuery },
    responses: {
      200:
        'Everything that happened to the child, newest first, a page at a time: record, safeguarding, tasks, process instances, moves, ' +
        'address and GP changes, appointments and Was Not Brought, emails about the child, death notification; for safeguarding leads ' +
        'also who opened the record and why. `next` is the cursor of the following (older) page or null',
    },
    responseSchemas: { 200: timelineSchema },
    handler: async ({ params, query }, ctx) => {
      const { child, brokeGlass } = await openChild(ctx, params.nhsNumber, 'child.timeline');
      const page = await childTimelinePage(ctx.deps.db, child, {
        includeAccess: me(ctx).role === 'safeguarding_lead',
        kinds: query.kinds ?? null,
        before: query.cursor ?? null,
        limit: query.limit,
      });
      await audit(ctx.deps.db, ctx, {
        action: 'child.timeline',
        entityType: 'child',
        entityId: child.nhsNumber,
        childId: child.id,
        detail: { brokeGlass },
      });
      return ok({
        nhsNumber: child.nhsNumber,
        events: page.entries,
        next: page.next ? encodeTimelineCursor(page.next) : null,
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/children/:nhsNumber/screening',
    tag: 'children',
    summary: 'Read where a child stands against the newborn screening deadlines',
    access: 'children.read',
    schemas: { params: childParams },
    responses: {
      200: 'The newborn screening programmes (NIPE, blood spot, hearing) against their deadlines: recorded (with the latest outcome), due, overdue, not recorded',
    },
    responseSchemas: { 200: screeningStatusSchema },
    handler: async ({ params }, ctx) => {
      const { child, brokeGlass } = await openChild(ctx, params.nhsNumber, 'child.screening');
      const screening = await childScreening(ctx.deps.db, child, todayInLondon(ctx.now().getTime()));
      await audit(ctx.deps.db, ctx, {
        action: 'child.screening',
        entityType: 'child',
        entityId: child.nhsNumber,
        childId: child.id,
        detail: { brokeGlass },
      });
      return ok({ nhsNumber: child.nhsNumber, ...screening });
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
      const { child, brokeGlass } = await openChild(ctx, params.nhsNumber, 'child.schedule');
      const asOf = query.asOf ?? todayInLondon(ctx.now().getTime());
      const view = (await childScheduleView(ctx.deps.db, child.id, asOf))!;
      await audit(ctx.deps.db, ctx, {
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
