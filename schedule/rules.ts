/**
 * The shape of the schedule's rules: what a child should have, by birth cohort and by
 * appointment date. The rules themselves are data (schedule/rule-sets/), versioned; this file only
 * says what a rule can express.
 */
import type { Age } from './ages';
import type { SourceId } from './sources';

export type Sex = 'female' | 'male' | 'indeterminate' | 'unknown';

/** When a dose is due: an age, the start of a school year, a time after the series' previous dose, or an age that depends on a timing switch. */
export type DueSpec =
  | { readonly age: Age }
  | { readonly schoolYear: number }
  | { readonly afterPrevious: Age }
  | { readonly switch: string; readonly before: Age; readonly after: Age };

/**
 * One dose a child of a cohort should have. Doses of one `series` are filled in order by the
 * child's immunisations (earliest first); one immunisation fills at most one dose per series,
 * and may fill doses of several series (an MMRV counts for MMR and for varicella; a 6-in-1
 * given at 13 months counts for the primary course and for the Hib booster).
 */
export interface DoseRule {
  /** Unique in the rule set, e.g. `pcv-1/1+1`. */
  readonly id: string;
  /** The dose's code on the record (follow-ups, workflow ids): one child has at most one rule per code. */
  readonly code: string;
  readonly series: string;
  /** Position in the series, from 1. */
  readonly dose: number;
  readonly label: string;
  /** The product offered for it. */
  readonly vaccine: string;
  /** The products that count for it (equivalences). */
  readonly accepts: readonly string[];
  readonly due: DueSpec;
  /** End of the recommended window when it is longer than a day (school-age doses: the school year); overdue counts from here. */
  readonly dueBy?: { readonly schoolYearEnd: number };
  /** An immunisation given younger than this does not count. */
  readonly minAge?: Age;
  /** Upper age limit: not given on or after this age. */
  readonly maxAge?: Age;
  /** Least time after the series' previous dose for this one to count. */
  readonly minInterval?: Age;
  /** Least time after the last dose of another series (e.g. the pre-school booster a year after the primary course). */
  readonly after?: { readonly series: string; readonly interval: Age };
  /** Not offered unless the series' previous dose was given (a rotavirus course is never started late). */
  readonly requiresPrevious?: boolean;
  /** Birth cohort, both ends inclusive. */
  readonly born?: { readonly from?: string; readonly to?: string };
  readonly sex?: readonly Sex[];
  /** Appointment dates on which it is offered, both ends inclusive (programme start, end of a catch-up campaign). */
  readonly offered?: { readonly from?: string; readonly to?: string };
  /** Whether the overdue sweep follows it up (false: an offer that is not chased, e.g. a selective catch-up). */
  readonly followUp: boolean;
  readonly note?: string;
  readonly sources: readonly SourceId[];
}

/**
 * A change of timings decided by appointment date: appointments from `from` follow the new
 * timings. The routine visit at `visitAge` decides; a dose of `evidenceSeries` given before
 * `from` shows that visit happened under the old timings.
 */
export interface TimingSwitch {
  readonly id: string;
  readonly from: string;
  readonly visitAge: Age;
  readonly evidenceSeries: string;
  readonly description: string;
  readonly sources: readonly SourceId[];
}

export interface RuleSet {
  readonly name: string;
  /** A new national change is a new version, never an edit of a published one. */
  readonly version: number;
  /** The latest published change this version includes. */
  readonly upTo: string;
  readonly switches: readonly TimingSwitch[];
  readonly rules: readonly DoseRule[];
}
