/**
 * Reports for service managers and safeguarding leads. Immunisation coverage in the COVER style:
 * counts only, no child named, so the report is audited as a report read (with its filter), not
 * as a read of children's records. Leads see their own localities; managers the region.
 */
import { z } from 'zod';
import { todayInLondon } from '../../core/uk-time';
import { listLocalities } from '../../records/localities';
import { coverageCounts } from '../../records/coverage';
import {
  COVER_MILESTONES,
  COVER_MILESTONE_IDS,
  cohortBirthDates,
  coverQuarter,
  coverSegments,
  isCoverQuarter,
  previousQuarter,
  quarterOf,
  seriesProducts,
  type CoverMilestone,
} from '../../schedule/cover';
import { ApiError } from '../api-error';
import { audit } from '../audit/audit-builder';
import { me } from '../request-context';
import { defineRoute, ok } from '../route-definition';

const figures = z.object({
  eligible: z.number().int().meta({ description: 'Children of the cohort the measure applies to' }),
  immunised: z.number().int().meta({ description: 'Of them, children with the doses by the birthday' }),
  percent: z
    .number()
    .nullable()
    .meta({ description: 'immunised / eligible × 100, one decimal; null with no children' }),
});

const coverageResponse = z.object({
  quarter: z.object({
    id: z.string(),
    from: z.string(),
    to: z.string(),
    label: z.string(),
    complete: z.boolean().meta({ description: 'False while the quarter is under way: only birthdays so far count' }),
  }),
  asOf: z.string(),
  localities: z.array(z.object({ code: z.string(), name: z.string() })),
  cohorts: z.array(
    z.object({
      milestone: z.enum(COVER_MILESTONE_IDS),
      label: z.string(),
      bornFrom: z.string(),
      bornTo: z.string(),
      measures: z.array(
        z.object({
          id: z.string(),
          series: z.string(),
          doses: z.number().int(),
          label: z.string(),
          total: figures,
          localities: z.array(figures.extend({ code: z.string() })),
        }),
      ),
    }),
  ),
});

const percent = (immunised: number, eligible: number) =>
  eligible === 0 ? null : Math.round((immunised / eligible) * 1000) / 10;

/** `1 year` for PostgreSQL from a milestone's age in years. */
const intervalOf = (m: CoverMilestone) => `${COVER_MILESTONES[m].age.years} years`;

export const reportRoutes = [
  defineRoute({
    method: 'get',
    path: '/reports/coverage',
    tag: 'reports',
    summary: 'Immunisation coverage at 12 months, 24 months and 5 years (COVER style), by locality',
    access: 'reports.coverage',
    schemas: {
      query: z
        .object({
          quarter: z
            .string()
            .refine(isCoverQuarter, 'must be a quarter as YYYY-Qn, e.g. 2026-Q3')
            .optional()
            .meta({ description: 'Children whose birthday fell in this quarter; default the last complete quarter' }),
          cohort: z
            .enum(COVER_MILESTONE_IDS)
            .optional()
            .meta({ description: 'Only this birthday (12m, 24m, 5y); default all three' }),
          locality: z
            .string()
            .regex(/^[a-z0-9-]{1,40}$/, 'must be a locality code')
            .optional(),
        })
        .strict(),
    },
    responses: {
      200: 'Per cohort and vaccine series the children eligible and immunised by the birthday, for the region (or the caller’s localities) and per locality',
    },
    responseSchemas: { 200: coverageResponse },
    handler: async ({ query }, ctx) => {
      const principal = me(ctx);
      const today = todayInLondon(ctx.now().getTime());
      const quarter = query.quarter ? coverQuarter(query.quarter) : previousQuarter(quarterOf(today));
      if (quarter.from > today) {
        throw ApiError.unprocessable(`${quarter.id} has not started yet`, [
          { field: 'query.quarter', message: `is after today (${today})` },
        ]);
      }
      // Leads see the localities they work in; managers and administrators the whole region.
      const all = await listLocalities(ctx.deps.db);
      const visible =
        principal.role === 'safeguarding_lead' ? all.filter((l) => principal.localityIds.includes(l.id)) : all;
      let shown = visible;
      if (query.locality) {
        const one = all.find((l) => l.code === query.locality);
        if (!one)
          throw ApiError.unprocessable('No such locality', [
            { field: 'query.locality', message: 'is not a locality code' },
          ]);
        if (!visible.includes(one))
          throw ApiError.forbidden(`Coverage for ${one.name} is for the leads of that locality`);
        shown = [one];
      }
      const asOf = quarter.to < today ? quarter.to : today;
      const products = seriesProducts();
      const milestones = query.cohort ? [query.cohort] : COVER_MILESTONE_IDS;
      // The birthdays are independent queries: run side by side (the pool has a connection each).
      const cohorts = await Promise.all(
        milestones.map(async (milestone) => {
          const born = cohortBirthDates(quarter, milestone);
          const segments = coverSegments(born, milestone);
          const counts = await coverageCounts(ctx.deps.db, {
            milestoneInterval: intervalOf(milestone),
            asOf,
            segments,
            seriesProducts: products,
            localityIds: shown.length === all.length ? null : shown.map((l) => l.id),
          });
          const measures = new Map(segments.flatMap((s) => s.measures).map((m) => [m.id, m]));
          return {
            milestone,
            label: COVER_MILESTONES[milestone].label,
            bornFrom: born.from,
            bornTo: born.to,
            measures: [...measures.values()].map((m) => {
              const rows = counts.filter((c) => c.series === m.series && c.doses === m.doses);
              const eligible = rows.reduce((n, r) => n + r.eligible, 0);
              const immunised = rows.reduce((n, r) => n + r.immunised, 0);
              return {
                ...m,
                total: { eligible, immunised, percent: percent(immunised, eligible) },
                localities: shown.map((l) => {
                  const r = rows.find((c) => c.localityId === l.id);
                  return {
                    code: l.code,
                    eligible: r?.eligible ?? 0,
                    immunised: r?.immunised ?? 0,
                    percent: percent(r?.immunised ?? 0, r?.eligible ?? 0),
                  };
                }),
              };
            }),
          };
        }),
      );
      await audit(ctx.deps.db, ctx, {
        action: 'report.coverage',
        entityType: 'report',
        detail: { quarter: quarter.id, cohort: query.cohort ?? null, locality: query.locality ?? null },
      });
      return ok({
        quarter: { ...quarter, complete: quarter.to < today },
        asOf,
        localities: shown.map((l) => ({ code: l.code, name: l.name })),
        cohorts,
      });
    },
  }),
];
