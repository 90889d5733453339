/** Implementations of the catalogue's child.* activities (declared in ../catalogue/child.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { CHILD_ACTIVITIES } from '../catalogue/child';

export function createChildActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof CHILD_ACTIVITIES>> {
  return {};
}
