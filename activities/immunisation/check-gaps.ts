/**
 * `immunisation.checkGaps` (on arrival in the mover process; at birth, for the first dose due):
 * the doses due and not on record that can still be given, with a catch-up plan, from the one
 * evaluator (schedule/). A child with no immunisation on record although doses were due has no
 * reliable history and is treated as unimmunised: every due dose is a gap. The schedule is
 * resumed, not restarted: catch-up visits from `asOf`, 4 weeks apart (schedule/catch-up.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import type { Db } from '../../records/sql';
import { addAge, addDays, planCatchUp, UK_ROUTINE } from '../../schedule';
import { auditBySystem, notFound, parseInput } from '../support';
import { loadScheduleFacts } from '../../records/immunisations/schedule-facts';
import { runningActivity, todayInEngland } from './support';

type GapsOutput = ActivityOutput<'immunisation.checkGaps'>;

export async function checkGaps(db: Db, raw: ActivityInput<'immunisation.checkGaps'>): Promise<GapsOutput> {
  const input = parseInput('immunisation.checkGaps', IMMUNISATION_ACTIVITIES['immunisation.checkGaps'].input, raw);
  const asOf = input.asOf ?? todayInEngland();
  const facts = (await loadScheduleFacts(db, [input.childId])).get(input.childId);
  if (!facts) throw notFound(`immunisation.checkGaps: no child record ${input.childId}`);
  const dateOfBirth = input.dateOfBirth ?? facts.dateOfBirth;
  const plan = planCatchUp({ dateOfBirth, sex: facts.sex }, facts.immunisations, {
    asOf,
    graceDays: facts.graceDays,
    ruleSet: UK_ROUTINE,
  });
  // No upper age limit: offered to the end of the CHIS age range.
  const endOfRange = addDays(addAge(dateOfBirth, { years: 20 }), -1);
  const gaps = plan.gaps.map((g) => ({
    code: g.code,
    vaccine: g.vaccine,
    dose: g.dose,
    dueOn: g.dueOn,
    overdue: g.overdue,
    offerUntil: g.offerUntil ?? endOfRange,
    catchUpOn: g.catchUpOn,
  }));
  await auditBySystem(db, runningActivity('child-mover', `direct-gaps-${randomUUID()}`), {
    action: 'immunisation.gaps_checked',
    entityType: 'child',
    entityId: input.childId,
    childId: input.childId,
    detail: {
      asOf,
      rules: UK_ROUTINE.version,
      gaps: gaps.map((g) => g.code),
      treatedAsUnimmunised: plan.treatedAsUnimmunised,
    },
  });
  return {
    upToDate: plan.upToDate,
    treatedAsUnimmunised: plan.treatedAsUnimmunised,
    dosesOnRecord: plan.dosesOnRecord,
    gaps,
    nextDue: plan.nextDue,
  };
}
