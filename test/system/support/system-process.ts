/**
 * Processes the system tests start: any command in a process group of its own, its output
 * collected (`spawnInGroup`), and `npm start`'s entry (cli/start.ts) on an empty database, free
 * ports and a data folder of its own, for the system tests that read what the whole process
 * does (its log lines, /metrics, exported spans) (`startSystemProcess`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../core/free-port';
import { createEmptyDatabase, roleUrlsOf } from '../../support/databases';

const ROOT = resolve(__dirname, '../../..');

/** `npm start`'s command: node running cli/start.ts through tsx. */
export const CLI_START: readonly [string, string[]] = [process.execPath, ['--import', 'tsx', 'cli/start.ts']];

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The direct child's exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Polls the output until `pattern` matches; fails once the process exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp | string, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` to what is left of the process group and waits for the direct child's exit. */
  signalGroup(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `command` in the repository in a process group of its own, as a terminal gives a
 * foreground job: a group signal is Ctrl-C, and a SIGKILL reaches every process a wrapper
 * (npm, tsx, a shell launcher) started, exactly like a crash would.
 */
export function spawnInGroup(command: string, args: readonly string[], env: NodeJS.ProcessEnv): SpawnedProcess {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    exited,
    async waitForOutput(pattern, what, timeoutMs = 180_000) {
      const regexp = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = regexp.exec(output);
        if (m) return m;
        if (gone()) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async signalGroup(signal) {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return; // already gone
      }
      await exited;
    },
  };
}

export interface SystemProcess {
  child: ChildProcess;
  /** The API's base URL, `http://127.0.0.1:<port>/api`. */
  api: string;
  apiPort: number;
  /** The application role's URL of the process's database. */
  databaseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The direct child's exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Kills the process group and removes the data folder. */
  stop(): Promise<void>;
}

/** Starts the system and waits for its "running" banner (5 minutes at most, or its exit). */
export async function startSystemProcess(
  name: string,
  env: Record<string, string> = {},
  command: readonly [string, readonly string[]] = CLI_START,
): Promise<SystemProcess> {
  const owner = await createEmptyDatabase(name);
  const app = roleUrlsOf(decodeURIComponent(new URL(owner).pathname.slice(1))).app;
  const dataDir = await mkdtemp(join(tmpdir(), `chis-${name}-`));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  const apiPort = await freePort();
  const system = spawnInGroup(command[0], command[1], {
    ...process.env,
    DATABASE_URL: app,
    CHIS_MIGRATION_DATABASE_URL: owner,
    TEMPORAL_ADDRESS: '',
    CHIS_EMBEDDED_TEMPORAL_PORT: String(await freePort()),
    SMTP_URL: '',
    CHIS_EMBEDDED_SMTP_PORT: '0',
    CHIS_PORT: String(apiPort),
    CHIS_DEMO_CHILDREN: '20',
    CHIS_DATA_DIR: dataDir,
    ...env,
  });
  const stop = async () => {
    await system.signalGroup('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await system.waitForOutput(/CHIS Flow is running\./, 'the "running" banner', 300_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child: system.child,
    api: `http://127.0.0.1:${apiPort}/api`,
    apiPort,
    databaseUrl: app,
    output: system.output,
    exited: system.exited,
    stop,
  };
}
