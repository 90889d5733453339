import { z } from 'zod';
import { openChildByNhsNumber, readChildRecord, searchChildren } from '../../records/children/read';
import { readChildTimelinePage } from '../../records/children/timeline-page';
import { writeAudit } from '../../records/audit';
import { practiceByCode } from '../../records/localities';
import { readChildScreening } from '../../records/screening/newborn-status';
import { actorOf } from '../audit/audit-builder';
import { RESTRICTED_DETAILS_ROLES } from '../access/policy';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';
import {
  childParams,
  childScheduleQuery,
  childSearchQuery,
  encodeTimelineCursor,
  timelineQuery,
} from './children-schemas';
import { childScheduleView } from '../../records/immunisations/schedule-view';
import { todayInLondon } from '../../core/uk-time';
import { childSummaryView as summaryView } from './child-views';
import { childScheduleSchema, childSummarySchema, screeningStatusSchema, timelineSchema } from './response-schemas';

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
    responses: {
      200:
        'The record with contacts, immunisations, screening results and safeguarding concerns. A record restricted on PDS ' +
        '(`restricted`) reads "Withheld" for its address and its contacts carry `detailsWithheld: true` with no phone or email (null means not known), except for a safeguarding lead ' +
        '(`restrictedDetailsShown`, audited child.restricted_details_read). An NHS number PDS superseded opens the child under its current ' +
        'number (`supersededNhsNumber` is then the number asked for)',
    },
    handler: async ({ params }, ctx) => {
      const { child, brokeGlass, ...parts } = await readChildRecord(ctx.deps.db, actorOf(ctx), params.nhsNumber, {
        restrictedDetails: RESTRICTED_DETAILS_ROLES.includes(me(ctx).role),
      });
      return ok({
        ...summaryView(child),
        address: { line1: child.addressLine1, line2: child.addressLine2, town: child.town, postcode: child.postcode },
        gpPractice: child.gpPracticeOds,
        gpPracticeName: child.gpPracticeOds
          ? ((await practiceByCode(ctx.deps.db, child.gpPracticeOds))?.name ?? null)
          : null,
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
      const page = await readChildTimelinePage(ctx.deps.db, actorOf(ctx), params.nhsNumber, {
        includeAccess: me(ctx).role === 'safeguarding_lead',
        kinds: query.kinds ?? null,
        before: query.cursor ?? null,
        limit: query.limit,
      });
      return ok({
        nhsNumber: page.nhsNumber,
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
      return ok(
        await readChildScreening(ctx.deps.db, actorOf(ctx), params.nhsNumber, todayInLondon(ctx.now().getTime())),
      );
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
    responseSchemas: { 200: childScheduleSchema },
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
