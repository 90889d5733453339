/**
 * The typed activity catalogue: every activity type a BPMN service/send task may name
 * (`zeebe:taskDefinition type`), with its input/output shapes and retry policy.
 *
 * Declarations only: implementations live in other files and are registered with the
 * worker under these names. Workflow code may import this file (it has no Node built-ins and
 * no I/O) to read retry policies; the compiler reads the names to reject unknown types.
 */
import type { z } from 'zod';
import type { JobContext } from '../../workflows/contract';
import type { ActivityDefinition } from './shared';
import { CHILD_ACTIVITIES } from './child';
import { PDS_ACTIVITIES } from './pds';
import { NOTIFY_ACTIVITIES } from './notify';
import { TRANSFER_ACTIVITIES } from './transfer';
import { IMMUNISATION_ACTIVITIES } from './immunisation';
import { SCREENING_ACTIVITIES } from './screening';
import { SAFEGUARDING_ACTIVITIES } from './safeguarding';
import { HUMAN_TASK_ACTIVITIES } from './human-task';

export type { ActivityDefinition, ActivityRetryPolicy } from './shared';

export const ACTIVITY_CATALOGUE = {
  ...CHILD_ACTIVITIES,
  ...PDS_ACTIVITIES,
  ...NOTIFY_ACTIVITIES,
  ...TRANSFER_ACTIVITIES,
  ...IMMUNISATION_ACTIVITIES,
  ...SCREENING_ACTIVITIES,
  ...SAFEGUARDING_ACTIVITIES,
  ...HUMAN_TASK_ACTIVITIES,
} as const satisfies Record<string, ActivityDefinition>;

export type ActivityType = keyof typeof ACTIVITY_CATALOGUE;
export type ActivityInput<T extends ActivityType> = z.infer<(typeof ACTIVITY_CATALOGUE)[T]['input']>;
export type ActivityOutput<T extends ActivityType> = z.infer<(typeof ACTIVITY_CATALOGUE)[T]['output']>;

/** The names the BPMN compiler accepts as service/send task types. */
export const ACTIVITY_TYPES: ReadonlySet<string> = new Set(Object.keys(ACTIVITY_CATALOGUE));

/** The types the compiler deploys as local activities by default (`local` in their definition). */
export const LOCAL_ACTIVITY_TYPES: ReadonlySet<string> = new Set(
  Object.entries(ACTIVITY_CATALOGUE as Record<string, ActivityDefinition>)
    .filter(([, d]) => d.local === true)
    .map(([name]) => name),
);

/**
 * Implementations typed by the catalogue: input and output as the catalogue declares them. The
 * engine passes the job context (element id and instance, task headers) as a second argument;
 * it is absent when an activity is called directly.
 */
export type CatalogueActivityMap<T extends ActivityType = ActivityType> = {
  [K in T]: (input: ActivityInput<K>, job?: JobContext) => Promise<ActivityOutput<K>>;
};

export function isActivityType(name: string): name is ActivityType {
  return Object.prototype.hasOwnProperty.call(ACTIVITY_CATALOGUE, name);
}

export function activityDefinition(name: string): ActivityDefinition | undefined {
  return isActivityType(name) ? ACTIVITY_CATALOGUE[name] : undefined;
}
