/**
 * A catch-up plan for the doses a child is missing: "plan catch-up immunisation with the
 * minimum number of visits, leave a 4-week gap between visits; if a course has been started,
 * resume it – no need to repeat doses or restart the course" (UKHSA, vaccination of
 * individuals with uncertain or incomplete immunisation status).
 *
 * The plan is simulated with the evaluator itself, so it follows the same rules: visits every
 * 4 weeks from `asOf`; at each visit every missing dose that may be given that day is planned
 * (one product per visit can fill doses of several series, e.g. a 6-in-1 after the first
 * birthday is also the Hib dose); a dose that no visit reaches before its upper age limit is
 * left out.
 */
import { addDays } from './ages';
import { evaluateSchedule, type ChildFacts, type EvaluateOptions, type Immunisation } from './evaluate';

export const VISIT_INTERVAL_DAYS = 28;
/** Visits looked at: enough for any course in the schedule (about 18 months). */
const MAX_VISITS = 20;

export interface CatchUpDose {
  readonly code: string;
  readonly vaccine: string;
  readonly dose: number;
  readonly label: string;
  readonly dueOn: string;
  readonly overdue: boolean;
  /** The last day it may be given; null: no upper limit. */
  readonly offerUntil: string | null;
  readonly catchUpOn: string;
}

export interface CatchUpPlan {
  readonly upToDate: boolean;
  readonly treatedAsUnimmunised: boolean;
  /** Missing doses in due order, each with the visit it is planned for. */
  readonly gaps: readonly CatchUpDose[];
  /** The next dose not yet due. */
  readonly nextDue: {
    readonly code: string;
    readonly vaccine: string;
    readonly dose: number;
    readonly dueOn: string;
  } | null;
  readonly dosesOnRecord: number;
}

export function planCatchUp(
  child: ChildFacts,
  immunisations: readonly Immunisation[],
  options: EvaluateOptions,
): CatchUpPlan {
  const now = evaluateSchedule(child, immunisations, options);
  const missing = now.doses.filter((d) => d.status === 'due' || d.status === 'overdue');
  const planned: Immunisation[] = [];
  const catchUpOn = new Map<string, string>();
  for (let visit = 0; visit < MAX_VISITS && catchUpOn.size < missing.length; visit++) {
    const day = addDays(options.asOf, visit * VISIT_INTERVAL_DAYS);
    const tried = new Set<string>(); // a planned product that fills nothing is not planned again that day
    for (;;) {
      const then = evaluateSchedule(child, [...immunisations, ...planned], { ...options, asOf: day });
      for (const d of then.doses) {
        if (d.given?.ref?.startsWith('planned:') && !catchUpOn.has(d.ruleId)) catchUpOn.set(d.ruleId, d.given.on);
      }
      const next = missing.find((m) => {
        if (catchUpOn.has(m.ruleId) || tried.has(m.ruleId)) return false;
        const t = then.doses.find((d) => d.ruleId === m.ruleId);
        return t !== undefined && (t.status === 'due' || t.status === 'overdue') && t.earliestOn === day;
      });
      if (!next) break;
      tried.add(next.ruleId);
      planned.push({ product: next.vaccine, givenOn: day, ref: `planned:${next.ruleId}` });
    }
  }
  const gaps: CatchUpDose[] = missing
    .filter((d) => catchUpOn.has(d.ruleId))
    .map((d) => ({
      code: d.code,
      vaccine: d.vaccine,
      dose: d.dose,
      label: d.label,
      dueOn: d.dueOn,
      overdue: d.status === 'overdue',
      offerUntil: d.offerUntil,
      catchUpOn: catchUpOn.get(d.ruleId)!,
    }));
  const next = now.doses.find((d) => d.status === 'upcoming');
  return {
    upToDate: gaps.length === 0,
    treatedAsUnimmunised: now.treatedAsUnimmunised,
    gaps,
    nextDue: next ? { code: next.code, vaccine: next.vaccine, dose: next.dose, dueOn: next.dueOn } : null,
    dosesOnRecord: now.immunisationsOnRecord,
  };
}
