/** Implementations of the catalogue's safeguarding.* activities (declared in ../catalogue/safeguarding.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { SAFEGUARDING_ACTIVITIES } from '../catalogue/safeguarding';

export function createSafeguardingActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof SAFEGUARDING_ACTIVITIES>> {
  return {};
}
