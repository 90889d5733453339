import { describeError } from '../core/describe-error';
import { RUNNING_BUILT } from '../core/project-root';
import { writePrebuiltBundle } from '../workers/workflow-bundle';

/** Step of `npm run build`, run from dist/: the workflow bundle the compiled worker loads. */
async function main(): Promise<void> {
  if (!RUNNING_BUILT) throw new Error('run this from the build (node dist/cli/build-workflow-bundle.js)');
  const started = Date.now();
  const path = await writePrebuiltBundle();
  process.stdout.write(`workflow bundle written to ${path} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`the workflow bundle could not be built: ${describeError(error)}\n`);
  process.exit(1);
});
