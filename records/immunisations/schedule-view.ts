/**
 * A child's immunisation schedule as the record shows it (GET /api/children/:nhs/schedule, the
 * UI's due/overdue view): every dose of the child's cohort with its status and dates, the
 * immunisations that filled none, and the catch-up plan for what is missing. The same evaluator
 * as the overdue sweep and the arrival gap check (schedule/).
 */
import type { Db } from '../sql';
import { planCatchUp, UK_ROUTINE, type CatchUpPlan, type ScheduledDose } from '../../schedule';
import { scheduleForChild } from './schedule-facts';

export interface ScheduleView {
  asOf: string;
  rules: { name: string; version: number };
  graceDays: number;
  treatedAsUnimmunised: boolean;
  immunisationsOnRecord: number;
  counts: Record<ScheduledDose['status'], number>;
  doses: ScheduledDose[];
  unmatched: { product: string; givenOn: string }[];
  catchUp: Pick<CatchUpPlan, 'gaps' | 'nextDue'>;
}

/** The child's schedule as of a date; null when there is no such child. */
export async function childScheduleView(db: Db, childId: string, asOf: string): Promise<ScheduleView | null> {
  const found = await scheduleForChild(db, childId, { asOf });
  if (!found) return null;
  const { facts, schedule } = found;
  const plan = planCatchUp({ dateOfBirth: facts.dateOfBirth, sex: facts.sex }, facts.immunisations, {
    asOf,
    graceDays: facts.graceDays,
    ruleSet: UK_ROUTINE,
  });
  const counts = { given: 0, overdue: 0, due: 0, upcoming: 0, not_offered: 0 };
  for (const d of schedule.doses) counts[d.status]++;
  return {
    asOf,
    rules: schedule.rules,
    graceDays: facts.graceDays,
    treatedAsUnimmunised: schedule.treatedAsUnimmunised,
    immunisationsOnRecord: schedule.immunisationsOnRecord,
    counts,
    doses: schedule.doses.map((d) => ({ ...d, given: d.given ? { on: d.given.on, product: d.given.product } : null })),
    unmatched: schedule.unmatched.map((e) => ({ product: e.product, givenOn: e.givenOn })),
    catchUp: { gaps: plan.gaps, nextDue: plan.nextDue },
  };
}
