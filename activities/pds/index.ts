/** Implementations of the catalogue's pds.* activities (declared in ../catalogue/pds.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { PDS_ACTIVITIES } from '../catalogue/pds';

export function createPdsActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof PDS_ACTIVITIES>> {
  return {};
}
