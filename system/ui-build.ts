import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../core/project-root';

export const UI_DIR = join(PROJECT_ROOT, 'ui');
export const UI_DIST = join(UI_DIR, 'dist');
const STAMP = '.build-stamp';
const LOCK = join(UI_DIR, '.build.lock');
// What the build output depends on besides ui/ itself: the versions of what it bundles and the tool.
const BUILD_PACKAGES = ['react', 'react-dom', 'vite', 'nhsuk-frontend'];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.build')) continue; // the stamp, the lock and builds in progress
    if (entry.isDirectory()) {
      if (path === UI_DIST || entry.name === 'node_modules') continue;
      out.push(...(await filesUnder(path)));
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
  return out.sort();
}

/** A hash of every input of the build: ui/ (without dist) and the bundled packages' versions. */
export async function uiSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await filesUnder(UI_DIR)) {
    hash
      .update(relative(UI_DIR, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  for (const name of BUILD_PACKAGES) {
    const pkg = join(UI_DIR, '..', 'node_modules', name, 'package.json');
    hash.update(
      `${name}@${existsSync(pkg) ? (JSON.parse(await readFile(pkg, 'utf8')) as { version: string }).version : 'missing'}\0`,
    );
  }
  return hash.digest('hex');
}

export async function uiBuildIsCurrent(): Promise<boolean> {
  const stamp = await readFile(join(UI_DIST, STAMP), 'utf8').catch(() => null);
  return stamp !== null && existsSync(join(UI_DIST, 'index.html')) && stamp.trim() === (await uiSourceHash());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One builder at a time across processes (npm start and a test run may start together). */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''));
      if (!holder || !alive(holder)) {
        await unlink(LOCK).catch(() => undefined); // left by a builder that died
        continue;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    await unlink(LOCK).catch(() => undefined);
  }
}

function runVite(outDir: string, log: (line: string) => void): Promise<void> {
  const viteBin = join(UI_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteBin)) {
    return Promise.reject(
      new Error('cannot build the web UI: vite is not installed (run npm ci, which installs devDependencies)'),
    );
  }
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [viteBin, 'build', '--config', join(UI_DIR, 'vite.config.mts'), '--outDir', outDir, '--logLevel', 'warn'],
      {
        cwd: UI_DIR,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      for (const line of output.split('\n').filter((l) => l.trim())) log(line);
      if (code === 0) resolvePromise();
      else reject(new Error(`the web UI build failed (vite exited with ${code}):\n${output}`));
    });
  });
}

/**
 * Builds ui/ into ui/dist when dist is missing or was built from other sources (a stamp holds
 * the hash of the inputs). Builds into a temporary folder and swaps it in, so a server never
 * sees half a build. Returns whether it built.
 */
export async function ensureUiBuilt(
  log: (line: string) => void = () => undefined,
  options: { force?: boolean } = {},
): Promise<boolean> {
  if (!options.force && (await uiBuildIsCurrent())) return false;
  return withBuildLock(async () => {
    if (!options.force && (await uiBuildIsCurrent())) return false; // built by another process while we waited
    const hash = await uiSourceHash();
    const next = join(UI_DIR, `.build-${process.pid}`);
    await rm(next, { recursive: true, force: true });
    await mkdir(next, { recursive: true });
    const started = Date.now();
    await runVite(next, log);
    await writeFile(join(next, STAMP), `${hash}\n`);
    const old = join(UI_DIR, `.build-old-${process.pid}`);
    if (await stat(UI_DIST).catch(() => null)) await rename(UI_DIST, old);
    await rename(next, UI_DIST);
    await rm(old, { recursive: true, force: true });
    log(`web UI built into ui/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  });
}
