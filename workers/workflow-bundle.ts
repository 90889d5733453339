/**
 * The interpreter's workflow bundle, built once per process and shared by every worker
 * (bundling takes seconds; tests and benches must not re-bundle per worker). The catalogue's
 * retry policies go in as a constant (see workflows/activity-policies.ts), so the bundle
 * carries no zod schemas. `npm run build` writes it beside the compiled code
 * (dist/workflow-bundle.js, from the same sources in the same build); a compiled worker loads that
 * file instead of bundling at start. Run from the sources (tsx), the path lies outside dist/ and
 * is never there, so a stale bundle cannot be picked up.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { ACTIVITY_CATALOGUE } from '../activities/catalogue';
import { POLICY_TABLE_CONSTANT, type ActivityPolicy } from '../workflows/activity-policies';

let bundle: Promise<WorkflowBundle> | undefined;
/** The bundle with OpenTelemetry's workflow interceptors too (tracing on): never prebuilt, bundled at start. */
let tracingBundle: Promise<WorkflowBundle> | undefined;

/** Where `npm run build` puts the bundle: dist/workflow-bundle.js beside dist/workers/. */
export const PREBUILT_BUNDLE = resolve(__dirname, '../workflow-bundle.js');

/** The webpack the Temporal bundler itself uses (its dependency, not ours); loaded only to bundle. */
const webpack = () => createRequire(require.resolve('@temporalio/worker'))('webpack') as typeof import('webpack');

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

/** Where this process's workers get the bundle from (logged at start). */
export const workflowBundleSource = (options: { tracing?: boolean } = {}): 'prebuilt' | 'bundled at start' =>
  existsSync(PREBUILT_BUNDLE) && !options.tracing ? 'prebuilt' : 'bundled at start';

/**
 * The workflow bundle; with `tracing`, OpenTelemetry's workflow interceptors are bundled too.
 * They change no command: the SDK gates their yield points by flags recorded in each history, so
 * instances started with tracing off replay with it on, and the other way round.
 */
export function engineWorkflowBundle(options: { tracing?: boolean } = {}): Promise<WorkflowBundle> {
  if (options.tracing) {
    tracingBundle ??= bundleWith([
      require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
    ]).catch((err: unknown) => {
      tracingBundle = undefined;
      throw err;
    });
    return tracingBundle;
  }
  if (!bundle && existsSync(PREBUILT_BUNDLE)) bundle = readFile(PREBUILT_BUNDLE, 'utf8').then((code) => ({ code }));
  bundle ??= bundleWith([]).catch((err: unknown) => {
    bundle = undefined; // a failed build is not cached
    throw err;
  });
  return bundle;
}

function bundleWith(extraInterceptorModules: string[]): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index'),
    // The request id's way from a start or signal to the activities (workflows/request-id-interceptors.ts).
    workflowInterceptorModules: [require.resolve('../workflows/request-id-interceptors'), ...extraInterceptorModules],
    // Evaluated once per V8 context instead of once per instance (the reusable context re-runs
    // every other module for each workflow): the FEEL parser and its date library hold no
    // per-workflow state, and instance start paid more for them than for running the process.
    preloadModules: ['@bpmn-io/feelin'],
    logger: quiet,
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        new (webpack().DefinePlugin)({ [POLICY_TABLE_CONSTANT]: JSON.stringify(activityPolicyTable()) }),
      ],
    }),
  });
}

/** `npm run build`: bundles the workflows now and writes the bundle where a compiled worker looks for it. */
export async function writePrebuiltBundle(): Promise<string> {
  bundle = undefined;
  if (existsSync(PREBUILT_BUNDLE)) throw new Error(`${PREBUILT_BUNDLE} exists: the build starts from an empty dist/`);
  const { code } = await engineWorkflowBundle();
  await writeFile(PREBUILT_BUNDLE, code);
  return PREBUILT_BUNDLE;
}
