/**
 * Who holds a PostgreSQL data directory, from its lock file `postmaster.pid` (line 1: the
 * postmaster's PID, line 2: the data directory, line 4: the port), and what to do about it
 * before starting a server on it:
 *
 * - nobody (no file, a dead PID, or a PID now used by another program): start;
 * - a server of ours whose owner lives (its watchdog's parent is the owner named on the
 *   watchdog's command line): in use; a CLI may share it, a second system may not;
 * - a server of ours whose owner died: the watchdog is shutting it down; wait for that;
 * - an orphaned server (its parent is init: left by a run before the watchdog existed, or whose
 *   watchdog was killed on its own): stopped here (fast shutdown, then immediate);
 * - anything else: refused, naming the process and its parent.
 */
import { readlinkSync, realpathSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeProcess, isAlive, processInfo, type ProcessInfo } from './process-info';
import { WATCHDOG_NAME } from './postgres-watchdog';

export type DataDirectoryHolder =
  | { kind: 'free' }
  | { kind: 'running'; postmasterPid: number; port: number; owner: ProcessInfo }
  | { kind: 'foreign'; postmasterPid: number; port: number; postmaster: ProcessInfo; parent: ProcessInfo | null };

export class DataDirectoryInUseError extends Error {
  constructor(
    message: string,
    readonly holder: Exclude<DataDirectoryHolder, { kind: 'free' }>,
  ) {
    super(message);
    this.name = 'DataDirectoryInUseError';
  }
}

interface LockFile {
  pid: number;
  dataDir: string;
  port: number;
}

async function readLockFile(dataDir: string): Promise<LockFile | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid)) return null;
  return { pid, dataDir: lines[1] ?? '', port: Number.parseInt(lines[3] ?? '', 10) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processInfo(pid)) return true;
    await sleep(100);
  }
  return !processInfo(pid);
}

function isPostgres(p: ProcessInfo): boolean {
  return p.argv.some((a) => /(^|\/)postgres$/.test(a)) || /^postgres\b/.test(p.command);
}

/**
 * Which data directory a postmaster serves: its working directory (it changes into the data
 * directory; readable for our own processes, or as root), else its `-D` argument; null when
 * neither can be read. A PID in a stale lock file may since belong to a server of another folder.
 */
function servedDirectory(p: ProcessInfo): string | null {
  try {
    return readlinkSync(`/proc/${p.pid}/cwd`);
  } catch {
    const i = p.argv.indexOf('-D');
    return i >= 0 && p.argv[i + 1] ? resolve(p.argv[i + 1]) : null;
  }
}

function sameDirectory(a: string, b: string): boolean {
  const real = (d: string) => {
    try {
      return realpathSync(d);
    } catch {
      return resolve(d);
    }
  };
  return real(a) === real(b);
}

function watchdogOwner(parent: ProcessInfo | null): number | null {
  if (!parent) return null;
  const i = parent.argv.indexOf(WATCHDOG_NAME);
  if (i < 0) return null;
  const owner = Number.parseInt(parent.argv[i + 1] ?? '', 10);
  return Number.isInteger(owner) ? owner : null;
}

export interface PrepareOptions {
  log?: (message: string) => void;
  /** How long to wait for a server whose owner died to finish shutting down (default 60 s). */
  shutdownWaitMs?: number;
}

/**
 * Makes the data directory free to start on, waiting for or stopping a stale server of ours;
 * returns the live holder when another live process of ours runs a server on it, or the
 * foreign holder. Never touches a server a live process owns.
 */
export async function prepareDataDirectory(
  dataDir: string,
  options: PrepareOptions = {},
): Promise<DataDirectoryHolder> {
  const log = options.log ?? (() => undefined);
  const deadline = Date.now() + (options.shutdownWaitMs ?? 60_000);
  for (;;) {
    const lock = await readLockFile(dataDir);
    if (!lock || !isAlive(lock.pid)) return { kind: 'free' }; // PostgreSQL replaces a stale lock file itself
    const postmaster = processInfo(lock.pid);
    if (!postmaster) return { kind: 'free' };
    if (!isPostgres(postmaster)) {
      // The PID was reused after a crash (a reboot, say): PostgreSQL would refuse the live PID.
      log(`removing the stale lock file of ${dataDir} (its PID ${lock.pid} is now ${describeProcess(postmaster)})`);
      await rm(join(dataDir, 'postmaster.pid'), { force: true });
      return { kind: 'free' };
    }
    const served = servedDirectory(postmaster);
    if (served !== null && !sameDirectory(served, dataDir)) {
      // A PostgreSQL of another folder got the PID after a crash: the lock file is stale.
      log(`removing the stale lock file of ${dataDir} (its PID ${lock.pid} is now the PostgreSQL of ${served})`);
      await rm(join(dataDir, 'postmaster.pid'), { force: true });
      return { kind: 'free' };
    }
    const parent = processInfo(postmaster.ppid);
    const owner = watchdogOwner(parent);
    if (owner !== null && parent) {
      const ownerInfo = parent.ppid === owner ? processInfo(owner) : null;
      if (ownerInfo) return { kind: 'running', postmasterPid: lock.pid, port: lock.port, owner: ownerInfo };
      // Its owner is gone: the watchdog is shutting the server down.
      log(`waiting for the PostgreSQL of a stopped run to shut down (PID ${lock.pid}, ${dataDir})`);
      if (!(await waitForExit(lock.pid, Math.max(0, deadline - Date.now())))) {
        log(`PostgreSQL PID ${lock.pid} of a stopped run is still up; stopping it`);
        await stopOrphan(lock.pid);
      }
      continue;
    }
    // Only a server known to serve this folder is stopped; one we cannot look into is named instead.
    if (served !== null && (postmaster.ppid === 1 || !parent)) {
      log(`stopping a PostgreSQL left running on ${dataDir} by an earlier run (PID ${lock.pid}, port ${lock.port})`);
      await stopOrphan(lock.pid);
      continue;
    }
    return { kind: 'foreign', postmasterPid: lock.pid, port: lock.port, postmaster, parent };
  }
}

/** Fast shutdown, then immediate; the orphan has no parent waiting for it, so nothing else will. */
async function stopOrphan(pid: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // gone already
    }
  };
  signal('SIGINT');
  if (await waitForExit(pid, 30_000)) return;
  signal('SIGQUIT');
  if (await waitForExit(pid, 10_000)) return;
  signal('SIGKILL');
  if (!(await waitForExit(pid, 5_000))) throw new Error(`PostgreSQL PID ${pid} did not stop, even on SIGKILL`);
}

/** The message for a holder that is not ours to stop. */
export function describeHolder(
  dataDir: string,
  holder: Exclude<DataDirectoryHolder, { kind: 'free' }>,
  otherFolder = 'set CHIS_DATA_DIR to another folder',
): string {
  if (holder.kind === 'running')
    return (
      `the PostgreSQL data directory ${dataDir} is in use by PostgreSQL PID ${holder.postmasterPid} (port ${holder.port}), ` +
      `run by ${describeProcess(holder.owner)}. Is CHIS Flow already running? Stop it first, or ${otherFolder}.`
    );
  return (
    `the PostgreSQL data directory ${dataDir} is in use by ${describeProcess(holder.postmaster)} (port ${holder.port}), ` +
    `started by ${describeProcess(holder.parent, holder.postmaster.ppid)}, which is not CHIS Flow. Stop that server, or ${otherFolder}.`
  );
}
