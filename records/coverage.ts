/**
 * Immunisation coverage counts for a COVER-style report: per locality and measure, how many
 * children of a birth cohort were eligible and how many had the doses by the milestone birthday.
 * One aggregate statement over the cohort (a quarter of births: about 18,000 children in the
 * full region), so no child's record is read or returned: the figures are counts only.
 *
 * What counts is decided by schedule/cover.ts and passed in as arrays: the cohort's segments with
 * their measures, and the products that count for each series.
 */
import { inTransaction, select, type Db } from './sql';

export interface CoverageQuery {
  /** Birthday = date of birth + this interval (PostgreSQL interval text, e.g. `1 year`). */
  milestoneInterval: string;
  /** Only children who have reached the birthday by this day count (a quarter still under way). */
  asOf: string;
  segments: readonly { bornFrom: string; bornTo: string; measures: readonly { series: string; doses: number }[] }[];
  seriesProducts: readonly { series: string; product: string }[];
  /** Restrict to these localities (ids); null for every locality. */
  localityIds: readonly number[] | null;
}

export interface CoverageCount {
  localityId: number;
  series: string;
  doses: number;
  eligible: number;
  immunised: number;
}

export async function coverageCounts(db: Db, q: CoverageQuery): Promise<CoverageCount[]> {
  const needs = q.segments.flatMap((s) => s.measures.map((m) => ({ ...s, ...m })));
  if (needs.length === 0) return [];
  const bornFrom = q.segments.reduce((a, s) => (s.bornFrom < a ? s.bornFrom : a), q.segments[0]!.bornFrom);
  const bornTo = q.segments.reduce((a, s) => (s.bornTo > a ? s.bornTo : a), q.segments[0]!.bornTo);
  return inTransaction(db, async (tx) => {
    // A cohort's dose rows (~290,000 for the region's fifth birthdays) are grouped in memory, not on disk.
    await select(tx, "SELECT set_config('work_mem', '32MB', true)");
    return select<CoverageCount>(
      tx,
      `WITH needs (born_from, born_to, series, doses) AS (
       SELECT * FROM unnest($1::date[], $2::date[], $3::text[], $4::int[])
     ), products (series, vaccine) AS (
       SELECT * FROM unnest($5::text[], $6::text[])
     ), cohort AS (
       SELECT id, locality_id, date_of_birth, (date_of_birth + $9::interval)::date AS birthday
       FROM children
       WHERE status = 'active' AND date_of_birth BETWEEN $7::date AND $8::date
         AND (date_of_birth + $9::interval)::date <= $10::date
         AND ($11::smallint[] IS NULL OR locality_id = ANY($11::smallint[]))
     ), had AS (
       -- Doses of a series given before the birthday; two products given on one day are one dose.
       SELECT e.child_id, p.series, count(DISTINCT e.given_on)::int AS doses
       FROM cohort c
       JOIN immunisation_events e ON e.child_id = c.id AND e.given_on < c.birthday
       JOIN products p ON p.vaccine = e.vaccine
       GROUP BY e.child_id, p.series
     )
     SELECT c.locality_id, n.series, n.doses,
            count(*)::int AS eligible,
            count(*) FILTER (WHERE h.doses >= n.doses)::int AS immunised
     FROM cohort c
     JOIN needs n ON c.date_of_birth BETWEEN n.born_from AND n.born_to
     LEFT JOIN had h ON h.child_id = c.id AND h.series = n.series
     GROUP BY c.locality_id, n.series, n.doses
     ORDER BY c.locality_id, n.series, n.doses`,
      [
        needs.map((n) => n.bornFrom),
        needs.map((n) => n.bornTo),
        needs.map((n) => n.series),
        needs.map((n) => n.doses),
        q.seriesProducts.map((p) => p.series),
        q.seriesProducts.map((p) => p.product),
        bornFrom,
        bornTo,
        q.milestoneInterval,
        q.asOf,
        q.localityIds,
      ],
    );
  });
}
