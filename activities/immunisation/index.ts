/** Implementations of the catalogue's immunisation.* activities (declared in ../catalogue/immunisation.ts). */
import type { CatalogueActivityMap } from '../catalogue';
import type { CatalogueDeps } from '../deps';
import type { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import { checkGaps } from './check-gaps';
import { checkDose, closeFollowUp, recordWasNotBrought } from './follow-up-steps';
import { sweepOverdue } from './sweep-overdue';

export function createImmunisationActivities(
  deps: CatalogueDeps,
): CatalogueActivityMap<keyof typeof IMMUNISATION_ACTIVITIES> {
  const db = { sequelize: deps.sequelize };
  return {
    'immunisation.checkGaps': (input) => checkGaps(db, input),
    'immunisation.sweepOverdue': (input) => sweepOverdue(deps, input),
    'immunisation.checkDose': (input) => checkDose(db, input),
    'immunisation.recordWasNotBrought': (input) => recordWasNotBrought(db, input),
    'immunisation.closeFollowUp': (input) => closeFollowUp(db, input),
  };
}

export { DEFAULT_LOOKBACK_DAYS, CATCH_UP_LOOKBACK_DAYS } from './lookback';
export {
  loadScheduleFacts,
  scheduleForChild,
  type ChildScheduleFacts,
} from '../../records/immunisations/schedule-facts';
export { recordOverdueFollowUps } from './sweep-overdue';
export { childScheduleView, type ScheduleView } from '../../records/immunisations/schedule-view';
