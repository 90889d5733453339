/**
 * The interpreter's workflow bundle, built once per process and shared by every worker
 * (bundling takes seconds; tests and benches must not re-bundle per worker). The catalogue's
 * retry policies go in as a constant (see workflows/activity-policies.ts), so the bundle
 * carries no zod schemas.
 */
import { createRequire } from 'node:module';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ACTIVITY_CATALOGUE } from '../activities/catalogue';
import { POLICY_TABLE_CONSTANT, type ActivityPolicy } from '../workflows/activity-policies';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The webpack the Temporal bundler itself uses (its dependency, not ours). */
const { DefinePlugin } = createRequire(require.resolve('@temporalio/worker'))('webpack') as typeof import('webpack');

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Every catalogue type's timeout and retry policy, as plain data. */
export function activityPolicyTable(): Record<string, ActivityPolicy> {
  return Object.fromEntries(
    Object.entries(ACTIVITY_CATALOGUE).map(([type, d]) => [
      type,
      { startToCloseTimeout: d.startToCloseTimeout, retry: d.retry },
    ]),
  );
}

export function engineWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index'),
    // Evaluated once per V8 context instead of once per instance (the reusable context re-runs
    // every other module for each workflow): the FEEL parser and its date library hold no
    // per-workflow state, and instance start paid more for them than for running the process.
    preloadModules: ['@bpmn-io/feelin'],
    logger: quiet,
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        new DefinePlugin({ [POLICY_TABLE_CONSTANT]: JSON.stringify(activityPolicyTable()) }),
      ],
    }),
  }).catch((err: unknown) => {
    bundle = undefined; // a failed build is not cached
    throw err;
  });
  return bundle;
}
