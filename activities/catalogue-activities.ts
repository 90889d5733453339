/**
 * Every catalogue activity implementation, by type name, for the engine worker. Each domain
 * folder implements the types its catalogue file declares.
 */
import type { JobContext } from '../workflows/messages';
import type { ActivityInput, ActivityOutput, ActivityType } from './catalogue';
import { createChildActivities } from './child';
import type { CatalogueDeps } from './deps';
import { createImmunisationActivities } from './immunisation';
import { createNotifyActivities } from './notify';
import { createPdsActivities } from './pds';
import { createSafeguardingActivities } from './safeguarding';
import { createScreeningActivities } from './screening';
import { createTransferActivities } from './transfer';
import { createHumanTaskActivities } from './human-task';

/**
 * Implementations typed by the catalogue: input and output as the catalogue declares them. The
 * engine passes the job context (element id and instance, task headers) as a second argument;
 * it is absent when an activity is called directly.
 */
export type CatalogueActivityMap<T extends ActivityType = ActivityType> = {
  [K in T]: (input: ActivityInput<K>, job?: JobContext) => Promise<ActivityOutput<K>>;
};

export function createCatalogueActivities(deps: CatalogueDeps): Partial<CatalogueActivityMap> {
  return {
    ...createChildActivities(deps),
    ...createPdsActivities(deps),
    ...createNotifyActivities(deps),
    ...createTransferActivities(deps),
    ...createImmunisationActivities(deps),
    ...createScreeningActivities(deps),
    ...createSafeguardingActivities(deps),
    ...createHumanTaskActivities(deps),
  };
}
