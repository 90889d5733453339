/** Implementations of the catalogue's immunisation.* activities (declared in ../catalogue/immunisation.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';

export function createImmunisationActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof IMMUNISATION_ACTIVITIES>> {
  return {};
}
