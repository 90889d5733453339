/**
 * `immunisation.checkGaps` (used on arrival by the mover process): the doses due and not on
 * record that can still be given. A child with no immunisation on record although doses were
 * due has no reliable history and is treated as unimmunised: every due dose is a gap. The
 * schedule is resumed, not restarted: catch-up visits from `asOf`, 4 weeks apart, and at
 * least 4 weeks after the previous dose of the same vaccine.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import type { Db } from '../../db/repositories/sql';
import { addDays, daysBetween, scheduleForChild, type ChildDose } from './schedule-for-child';
import { auditBySystem, notFound, parseInput } from '../support';
import { runningActivity, todayUtc } from './support';

type GapsOutput = ActivityOutput<'immunisation.checkGaps'>;

const VISIT_INTERVAL_DAYS = 28;

/** The gaps and the catch-up plan for a child's doses, as of a date (pure: no I/O). */
export function planGaps(doses: readonly ChildDose[], asOf: string): Omit<GapsOutput, 'dosesOnRecord'> {
  const onRecord = doses.filter((d) => d.givenOn !== null).length;
  const due = doses.filter((d) => d.givenOn === null && d.dueOn <= asOf);
  const lastByVaccine = new Map<string, string>();
  for (const d of doses) {
    if (d.givenOn !== null && (lastByVaccine.get(d.vaccine) ?? '') < d.givenOn) lastByVaccine.set(d.vaccine, d.givenOn);
  }
  const gaps: GapsOutput['gaps'] = [];
  for (const d of due) {
    const previous = lastByVaccine.get(d.vaccine);
    const earliest =
      previous && addDays(previous, VISIT_INTERVAL_DAYS) > asOf ? addDays(previous, VISIT_INTERVAL_DAYS) : asOf;
    const visit = addDays(asOf, Math.ceil(daysBetween(asOf, earliest) / VISIT_INTERVAL_DAYS) * VISIT_INTERVAL_DAYS);
    if (visit > d.offerUntil) continue; // too old for it by the first possible visit (e.g. rotavirus)
    lastByVaccine.set(d.vaccine, visit);
    gaps.push({
      code: d.code,
      vaccine: d.vaccine,
      dose: d.dose,
      dueOn: d.dueOn,
      overdue: d.overdueOn <= asOf,
      offerUntil: d.offerUntil,
      catchUpOn: visit,
    });
  }
  const next = doses.find((d) => d.givenOn === null && d.dueOn > asOf);
  return {
    upToDate: gaps.length === 0,
    treatedAsUnimmunised: onRecord === 0 && due.length > 0,
    gaps,
    nextDue: next ? { code: next.code, vaccine: next.vaccine, dose: next.dose, dueOn: next.dueOn } : null,
  };
}

export async function checkGaps(db: Db, raw: ActivityInput<'immunisation.checkGaps'>): Promise<GapsOutput> {
  const input = parseInput('immunisation.checkGaps', IMMUNISATION_ACTIVITIES['immunisation.checkGaps'].input, raw);
  const asOf = input.asOf ?? todayUtc();
  const doses = await scheduleForChild(db, input.childId, input.dateOfBirth ?? undefined);
  if (doses.length === 0) {
    const exists = await db.sequelize.query('SELECT 1 FROM children WHERE id = $1', {
      bind: [input.childId],
      plain: true,
    });
    if (!exists) throw notFound(`immunisation.checkGaps: no child record ${input.childId}`);
  }
  const plan = planGaps(doses, asOf);
  const dosesOnRecord = doses.filter((d) => d.givenOn !== null).length;
  await auditBySystem(db, runningActivity('child-mover', `direct-gaps-${randomUUID()}`), {
    action: 'immunisation.gaps_checked',
    entityType: 'child',
    entityId: input.childId,
    childId: input.childId,
    detail: { asOf, gaps: plan.gaps.map((g) => g.code), treatedAsUnimmunised: plan.treatedAsUnimmunised },
  });
  return { ...plan, dosesOnRecord };
}
