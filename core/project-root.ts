import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package's folder (where package.json, definitions/ and ui/ are), found the same from the
 * TypeScript sources (tsx) and from the compiled build in dist/, which has no package.json.
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(__dirname);

/** True when this code runs from `npm run build`'s output (dist/), not from the sources through tsx. */
export const RUNNING_BUILT = __filename.endsWith('.js');
