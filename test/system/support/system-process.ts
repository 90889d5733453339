/**
 * `npm start`'s entry (cli/start.ts) in a child process of its own, on an empty database, free
 * ports and a data folder of its own, for the system tests that read what the whole process does
 * (its log lines, /metrics, exported spans). Its output is collected; `stop` kills the process
 * group and removes the folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../core/free-port';
import { createEmptyDatabase, roleUrlsOf } from '../../support/databases';

const ROOT = resolve(__dirname, '../../..');

export interface SystemProcess {
  child: ChildProcess;
  /** The API's base URL, `http://127.0.0.1:<port>/api`. */
  api: string;
  apiPort: number;
  /** The application role's URL of the process's database. */
  databaseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the system and waits for its "running" banner (5 minutes at most, or its exit). */
export async function startSystemProcess(name: string, env: Record<string, string> = {}): Promise<SystemProcess> {
  const owner = await createEmptyDatabase(name);
  const app = roleUrlsOf(decodeURIComponent(new URL(owner).pathname.slice(1))).app;
  const dataDir = await mkdtemp(join(tmpdir(), `chis-${name}-`));
  await chmod(dataDir, 0o755); // as root, PostgreSQL runs as its own user and must reach the folder
  const apiPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
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
    },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 300_000;
  while (!/CHIS Flow is running\./.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`no start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, api: `http://127.0.0.1:${apiPort}/api`, apiPort, databaseUrl: app, output: () => output, stop };
}
