/**
 * Retry policies and timeouts of the catalogue's activity types, as workflow code reads them.
 *
 * The table is a constant that workers/workflow-bundle.ts compiles into the workflow bundle
 * from activities/catalogue. Importing the catalogue itself would put zod and every schema in
 * the bundle, and the reusable V8 context evaluates a bundle's modules again for each workflow
 * execution: building those schemas cost more CPU than running the process.
 */
import type { ActivityRetryPolicy } from '../activities/catalogue/shared';

export interface ActivityPolicy {
  /** ms-format text ('30s', '10m'). */
  readonly startToCloseTimeout: string;
  readonly retry: ActivityRetryPolicy;
}

/** Name of the constant in the bundle (replaced by webpack's DefinePlugin). */
export const POLICY_TABLE_CONSTANT = '__CHIS_ACTIVITY_POLICIES__';

declare const __CHIS_ACTIVITY_POLICIES__: Readonly<Record<string, ActivityPolicy>> | undefined;

const TABLE = typeof __CHIS_ACTIVITY_POLICIES__ === 'undefined' ? undefined : __CHIS_ACTIVITY_POLICIES__;

/** The catalogue's policy for a type, or undefined for a type the catalogue does not declare (test types). */
export function activityPolicy(activityType: string): ActivityPolicy | undefined {
  if (!TABLE)
    throw new Error(
      `the workflow bundle was built without ${POLICY_TABLE_CONSTANT}: bundle workflows/ with workers/workflow-bundle.ts`,
    );
  return Object.prototype.hasOwnProperty.call(TABLE, activityType) ? TABLE[activityType] : undefined;
}
