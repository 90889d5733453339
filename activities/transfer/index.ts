/** Implementations of the catalogue's transfer.* activities (declared in ../catalogue/transfer.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { TRANSFER_ACTIVITIES } from '../catalogue/transfer';

export function createTransferActivities(_deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof TRANSFER_ACTIVITIES>> {
  return {};
}
