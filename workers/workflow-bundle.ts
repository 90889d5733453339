/**
 * The interpreter's workflow bundle, built once per process and shared by every worker
 * (bundling takes seconds; tests and benches must not re-bundle per worker).
 */
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export function engineWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../workflows/index'), logger: quiet }).catch((err: unknown) => {
    bundle = undefined; // a failed build is not cached
    throw err;
  });
  return bundle;
}
