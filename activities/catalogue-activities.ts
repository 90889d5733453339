/**
 * Every catalogue activity implementation, by type name, for the engine worker. Each domain
 * folder implements the types its catalogue file declares.
 */
import type { CatalogueActivityMap } from './catalogue';
import { createChildActivities } from './child';
import type { CatalogueDeps } from './deps';
import { createImmunisationActivities } from './immunisation';
import { createNotifyActivities } from './notify';
import { createPdsActivities } from './pds';
import { createSafeguardingActivities } from './safeguarding';
import { createScreeningActivities } from './screening';
import { createTransferActivities } from './transfer';
import { createHumanTaskActivities } from './human-task';
import { followingMerges } from './support/surviving-child';

/** Kept for notify/ until it imports the type from ./catalogue (issue 12). */
export type { CatalogueActivityMap };

export function createCatalogueActivities(deps: CatalogueDeps): Partial<CatalogueActivityMap> {
  return followingMerges(
    { sequelize: deps.sequelize },
    {
      ...createChildActivities(deps),
      ...createPdsActivities(deps),
      ...createNotifyActivities(deps),
      ...createTransferActivities(deps),
      ...createImmunisationActivities(deps),
      ...createScreeningActivities(deps),
      ...createSafeguardingActivities(deps),
      ...createHumanTaskActivities(deps),
    },
  );
}
