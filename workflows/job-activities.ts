/**
 * Catalogue activities called by name, each with its own retry policy and timeout from
 * activities/catalogue (through the bundle's policy table, see activity-policies.ts);
 * `zeebe:taskDefinition retries` in the diagram overrides the number of attempts. Types the
 * catalogue does not know (only possible in tests, where the compiler is given extra types)
 * get a short default policy.
 *
 * A job the graph marks `local` runs as a Temporal local activity: the worker running this
 * workflow executes it and records the result as a marker, with no task-queue round trip. The
 * graph decides, not this code: the two emit different commands, so a deployed version keeps
 * its mode for replay.
 */
import type { Duration } from '@temporalio/common';
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { ActivityRetryPolicy } from '../activities/catalogue/shared';
import { activityPolicy } from './activity-policies';
import type { JobContext } from './contract';

/** A catalogue activity as the interpreter calls it: the task's variables, then the job context (element id, task headers). */
export type JobActivity = (input: Record<string, unknown>, job: JobContext) => Promise<unknown>;

const DEFAULT_RETRY: ActivityRetryPolicy = {
  maximumAttempts: 3,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '10s',
  nonRetryableErrorTypes: [],
};

/**
 * A local activity whose next backoff exceeds this waits on a server timer and is scheduled
 * again with a new activity id, which would change the `<workflow>/<activity id>` idempotency
 * keys between attempts. Local catalogue types back off by at most this much (a test checks),
 * so every retry stays in the worker under one activity id.
 */
export const LOCAL_RETRY_THRESHOLD_MS = 60_000;

export interface JobOptions {
  /** zeebe:taskDefinition retries, when the diagram sets it. */
  retries?: number;
  /** Run as a local activity (the graph's ActivityRef.local). */
  local?: boolean;
}

/** A proxy is cheap to make; no module-level cache, since module state may be shared between workflow runs. */
export function jobActivity(activityType: string, job: JobOptions = {}): JobActivity {
  const definition = activityPolicy(activityType);
  const policy = definition?.retry ?? DEFAULT_RETRY;
  const options: ActivityOptions & LocalActivityOptions = {
    // The catalogue writes durations as ms-format text ('30s', '10m').
    startToCloseTimeout: (definition?.startToCloseTimeout ?? '1 minute') as Duration,
    retry: {
      maximumAttempts: job.retries !== undefined ? Math.max(1, job.retries) : policy.maximumAttempts,
      initialInterval: policy.initialInterval as Duration,
      backoffCoefficient: policy.backoffCoefficient,
      maximumInterval: policy.maximumInterval as Duration,
      nonRetryableErrorTypes: [...policy.nonRetryableErrorTypes],
    },
  };
  if (job.local)
    return proxyLocalActivities<Record<string, JobActivity>>({
      ...options,
      localRetryThreshold: LOCAL_RETRY_THRESHOLD_MS,
    })[activityType];
  return proxyActivities<Record<string, JobActivity>>(options)[activityType];
}
