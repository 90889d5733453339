/** Implementations of the catalogue's notify.* activities (declared in ../catalogue/notify.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { NOTIFY_ACTIVITIES } from '../catalogue/notify';

export function createNotifyActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof NOTIFY_ACTIVITIES>> {
  return {};
}
