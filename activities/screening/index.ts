/** Implementations of the catalogue's screening.* activities (declared in ../catalogue/screening.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { SCREENING_ACTIVITIES } from '../catalogue/screening';
import { currentCall } from './activity-context';
import { checkOutstanding } from './check-outstanding';
import { recordFollowUp } from './record-follow-up';

export function createScreeningActivities(
  deps: CatalogueDeps,
): CatalogueActivityMap<keyof typeof SCREENING_ACTIVITIES> {
  const db = { sequelize: deps.sequelize };
  return {
    'screening.checkOutstanding': (input) => checkOutstanding(db, currentCall(), input),
    'screening.recordFollowUp': (input) => recordFollowUp(db, currentCall(), input),
  };
}
