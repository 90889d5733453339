import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** The workflows every conformance worker runs (the patching versions bundle separately). */
export const WORKFLOWS_PATH = require.resolve('../workflows');

function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) hashTree(hash, join(path, name));
  } else {
    hash.update(path).update(readFileSync(path));
  }
}

/**
 * Bundles workflow code once per content version and caches it on disk: webpack takes seconds,
 * and every test file (and the crash tests' worker processes) would otherwise bundle again.
 * Returns the path of the bundled code.
 */
export async function bundlePath(workflowsPath: string = WORKFLOWS_PATH): Promise<string> {
  const hash = createHash('sha256');
  hashTree(hash, join(__dirname, '..', 'workflows'));
  hashTree(hash, join(__dirname, '..', 'activities.ts'));
  hash.update(workflowsPath);
  hash.update(readFileSync(require.resolve('@temporalio/workflow/package.json')));
  const file = join(tmpdir(), `chis-conformance-bundle-${hash.digest('hex').slice(0, 16)}.js`);
  if (existsSync(file)) return file;
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, file); // atomic: concurrent test files never read half a bundle
  return file;
}

export async function workflowBundle(workflowsPath: string = WORKFLOWS_PATH): Promise<{ codePath: string }> {
  return { codePath: await bundlePath(workflowsPath) };
}

const ignore = (): void => undefined;
const quietLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
