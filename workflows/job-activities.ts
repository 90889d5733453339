/**
 * Catalogue activities called by name, each with its own retry policy and timeout from
 * activities/catalogue.ts; `zeebe:taskDefinition retries` in the diagram overrides the number
 * of attempts. Types the catalogue does not know (only possible in tests, where the compiler
 * is given extra types) get a short default policy.
 */
import type { Duration } from '@temporalio/common';
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import { activityDefinition, type ActivityRetryPolicy } from '../activities/catalogue';

export type JobActivity = (input: Record<string, unknown>) => Promise<unknown>;

const DEFAULT_RETRY: ActivityRetryPolicy = { maximumAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes: [] };

/** A proxy is cheap to make; no module-level cache, since module state may be shared between workflow runs. */
export function jobActivity(activityType: string, retries?: number): JobActivity {
  const definition = activityDefinition(activityType);
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
