/**
 * Catalogue activities called by name, each with its own retry policy and timeout from
 * activities/catalogue (through the bundle's policy table, see activity-policies.ts);
 * `zeebe:taskDefinition retries` in the diagram overrides the number of attempts. Types the
 * catalogue does not know (only possible in tests, where the compiler is given extra types)
 * get a short default policy.
 */
import type { Duration } from '@temporalio/common';
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { ActivityRetryPolicy } from '../activities/catalogue/shared';
import { activityPolicy } from './activity-policies';
import type { JobContext } from './messages';

/** A catalogue activity as the interpreter calls it: the task's variables, then the job context (element id, task headers). */
export type JobActivity = (input: Record<string, unknown>, job: JobContext) => Promise<unknown>;

const DEFAULT_RETRY: ActivityRetryPolicy = { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes: [] };

/** A proxy is cheap to make; no module-level cache, since module state may be shared between workflow runs. */
export function jobActivity(activityType: string, retries?: number): JobActivity {
  const definition = activityPolicy(activityType);
  const policy = definition?.retry ?? DEFAULT_RETRY;
  const options: ActivityOptions = {
    // The catalogue writes durations as ms-format text ('30s', '10m').
    startToCloseTimeout: (definition?.startToCloseTimeout ?? '1 minute') as Duration,
    retry: {
      maximumAttempts: retries !== undefined ? Math.max(1, retries) : policy.maximumAttempts,
      initialInterval: policy.initialInterval as Duration,
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: policy.maximumInterval as Duration,
      nonRetryableErrorTypes: [...policy.nonRetryableErrorTypes],
    },
  };
  return proxyActivities<Record<string, JobActivity>>(options)[activityType];
}
