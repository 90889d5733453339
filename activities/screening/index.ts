/** Implementations of the catalogue's screening.* activities (declared in ../catalogue/screening.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { SCREENING_ACTIVITIES } from '../catalogue/screening';

export function createScreeningActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof SCREENING_ACTIVITIES>> {
  return {};
}
