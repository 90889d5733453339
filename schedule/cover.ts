/**
 * Immunisation coverage in the COVER style (UKHSA's Cover of Vaccination Evaluated Rapidly):
 * of the children who reached their first, second or fifth birthday in a quarter, the share who
 * had, by that birthday, the doses their schedule asked for by then — per vaccine series.
 *
 * Which doses count comes from the versioned schedule (the same rules the sweep and the record
 * use), so a cohort born under earlier timings is measured against its own schedule: Hib/MenC
 * at 1 year only for children born on or before 30 June 2024, the 18-month 6-in-1 dose only
 * after, MMRV instead of MMR from 2025. Selective offers and campaigns (`followUp: false`) are
 * not routine coverage and are left out. As in COVER, a dose counts when it was given before the
 * birthday; validity checks (minimum ages and intervals) are the record's business, not the
 * report's.
 */
import { addAge, addDays, type Age } from './ages';
import { UK_ROUTINE } from './current';
import type { DoseRule, RuleSet } from './rules';

export const COVER_MILESTONES = {
  '12m': { age: { years: 1 }, label: '12 months', birthday: 'first' },
  '24m': { age: { years: 2 }, label: '24 months', birthday: 'second' },
  '5y': { age: { years: 5 }, label: '5 years', birthday: 'fifth' },
} as const satisfies Record<string, { age: Age; label: string; birthday: string }>;

export type CoverMilestone = keyof typeof COVER_MILESTONES;
export const COVER_MILESTONE_IDS = Object.keys(COVER_MILESTONES) as [CoverMilestone, ...CoverMilestone[]];

/** What a series is called in a coverage report (the products, not one dose's timing). */
const SERIES_NAMES: Record<string, string> = {
  'dtap-primary': 'DTaP/IPV/Hib(/HepB) (5-in-1 / 6-in-1)',
  'hib-booster': 'Hib/MenC booster',
  'menc-infant': 'MenC (infant)',
  pcv: 'Pneumococcal (PCV)',
  menb: 'MenB',
  rotavirus: 'Rotavirus',
  mmr: 'MMR (measles, mumps, rubella)',
  mmrv: 'MMRV (measles, mumps, rubella, varicella)',
  'preschool-booster': 'Pre-school booster (dTaP/IPV)',
};

/** One figure of the report: children with at least `doses` doses of `series` by the birthday. */
export interface CoverMeasure {
  /** `series:doses`, e.g. `dtap-primary:3`. */
  readonly id: string;
  readonly series: string;
  readonly doses: number;
  readonly label: string;
}

/** Consecutive birth dates whose schedule asks for the same measures by the birthday. */
export interface CoverSegment {
  readonly bornFrom: string;
  readonly bornTo: string;
  readonly measures: readonly CoverMeasure[];
}

export interface CoverQuarter {
  /** `2026-Q3` */
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

const QUARTER = /^(\d{4})-Q([1-4])$/;
const MONTHS = ['January', 'April', 'July', 'October'];
const LAST_MONTHS = ['March', 'June', 'September', 'December'];

export function isCoverQuarter(text: string): boolean {
  return QUARTER.test(text);
}

/** `2026-Q3` → 1 July – 30 September 2026 (calendar quarters, as COVER publishes). */
export function coverQuarter(id: string): CoverQuarter {
  const m = QUARTER.exec(id);
  if (!m) throw new RangeError(`expected a quarter as YYYY-Qn, got ${JSON.stringify(id)}`);
  const year = Number(m[1]);
  const q = Number(m[2]) - 1;
  const from = `${year}-${String(q * 3 + 1).padStart(2, '0')}-01`;
  const to = addDays(addAge(from, { months: 3 }), -1);
  return { id, from, to, label: `${MONTHS[q]} to ${LAST_MONTHS[q]} ${year}` };
}

/** The quarter a day falls in. */
export function quarterOf(date: string): CoverQuarter {
  const month = Number(date.slice(5, 7));
  return coverQuarter(`${date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`);
}

/** The quarter before. */
export function previousQuarter(q: CoverQuarter): CoverQuarter {
  return quarterOf(addDays(q.from, -1));
}

/** Children who reach the milestone's birthday within the quarter were born in this range. */
export function cohortBirthDates(quarter: CoverQuarter, milestone: CoverMilestone): { from: string; to: string } {
  const back = negate(COVER_MILESTONES[milestone].age);
  // The day after a birthday on 29 February is 1 March: born from the day whose birthday is the quarter's first day.
  return { from: addAge(quarter.from, back), to: addAge(quarter.to, back) };
}

function negate(age: Age): Age {
  return { years: -(age.years ?? 0), months: -(age.months ?? 0), weeks: -(age.weeks ?? 0), days: -(age.days ?? 0) };
}

function bornIn(rule: DoseRule, dateOfBirth: string): boolean {
  return (!rule.born?.from || dateOfBirth >= rule.born.from) && (!rule.born?.to || dateOfBirth <= rule.born.to);
}

/** The day a dose is due for this child, or null when its timing is not an age (school-year doses). */
function dueDate(rule: DoseRule, dateOfBirth: string): string | null {
  const due = rule.due;
  if ('age' in due) return addAge(dateOfBirth, due.age);
  // A timing switch moves a dose by weeks; either timing is the later one's for the report.
  if ('switch' in due) {
    const a = addAge(dateOfBirth, due.before);
    const b = addAge(dateOfBirth, due.after);
    return a > b ? a : b;
  }
  return null;
}

function offeredOn(rule: DoseRule, day: string): boolean {
  return (!rule.offered?.from || day >= rule.offered.from) && (!rule.offered?.to || day <= rule.offered.to);
}

/** What a child born on this day should have had by the milestone's birthday: the highest dose due per series. */
export function coverMeasures(
  dateOfBirth: string,
  milestone: CoverMilestone,
  ruleSet: RuleSet = UK_ROUTINE,
): CoverMeasure[] {
  const birthday = addAge(dateOfBirth, COVER_MILESTONES[milestone].age);
  const doses = new Map<string, number>();
  for (const rule of ruleSet.rules) {
    if (!rule.followUp || rule.sex || !bornIn(rule, dateOfBirth)) continue;
    const due = dueDate(rule, dateOfBirth);
    if (due === null || due >= birthday || !offeredOn(rule, due)) continue;
    doses.set(rule.series, Math.max(doses.get(rule.series) ?? 0, rule.dose));
  }
  return [...doses.entries()].map(([series, n]) => ({
    id: `${series}:${n}`,
    series,
    doses: n,
    label: `${SERIES_NAMES[series] ?? series}: ${n} dose${n === 1 ? '' : 's'}`,
  }));
}

/** The products that count for a series (every rule's equivalences), for matching immunisations on record. */
export function seriesProducts(ruleSet: RuleSet = UK_ROUTINE): { series: string; product: string }[] {
  const pairs = new Set<string>();
  for (const rule of ruleSet.rules) for (const product of rule.accepts) pairs.add(`${rule.series}\u0000${product}`);
  return [...pairs].map((p) => {
    const [series, product] = p.split('\u0000');
    return { series: series!, product: product! };
  });
}

/** The cohort's birth dates cut where the schedule changes what is measured (usually one segment). */
export function coverSegments(
  born: { from: string; to: string },
  milestone: CoverMilestone,
  ruleSet: RuleSet = UK_ROUTINE,
): CoverSegment[] {
  const segments: CoverSegment[] = [];
  let current: { bornFrom: string; bornTo: string; measures: CoverMeasure[]; key: string } | null = null;
  for (let day = born.from; day <= born.to; day = addDays(day, 1)) {
    const measures = coverMeasures(day, milestone, ruleSet);
    const key = measures.map((m) => m.id).join(',');
    if (current && current.key === key) current.bornTo = day;
    else {
      if (current) segments.push({ bornFrom: current.bornFrom, bornTo: current.bornTo, measures: current.measures });
      current = { bornFrom: day, bornTo: day, measures, key };
    }
  }
  if (current) segments.push({ bornFrom: current.bornFrom, bornTo: current.bornTo, measures: current.measures });
  return segments;
}
