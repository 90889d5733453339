/**
 * The processes behind an embedded PostgreSQL data directory, for crash tests: the postmaster
 * (from postmaster.pid), its backends and its watchdog. Linux /proc; the tests that use it
 * spawn real processes and kill them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processInfo, type ProcessInfo } from '../../db/process-info';
import { WATCHDOG_NAME } from '../../db/postgres-watchdog';

export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0], 10);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

function allProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => processInfo(Number(d)))
    .filter((p): p is ProcessInfo => p !== null);
}

/** The postmaster of `dataDir`, every child of it, its watchdog (the parent) and the watchdog's guard (another child of it). */
export function postgresTree(dataDir: string): ProcessInfo[] {
  const pid = postmasterPid(dataDir);
  const postmaster = pid === null ? null : processInfo(pid);
  if (!postmaster) return [];
  const all = allProcesses();
  const watchdog = all.find((p) => p.pid === postmaster.ppid && p.argv.includes(WATCHDOG_NAME));
  const children = all.filter((p) => p.ppid === postmaster.pid || (watchdog && p.ppid === watchdog.pid));
  return [postmaster, ...children.filter((p) => p.pid !== postmaster.pid), ...(watchdog ? [watchdog] : [])];
}

/** Watchdogs whose owner (the PID after the watchdog's name) is `ownerPid`, with the data directory each serves. */
export function watchdogsOf(ownerPid: number): Array<{ watchdog: ProcessInfo; dataDir: string }> {
  return allProcesses().flatMap((p) => {
    const i = p.argv.indexOf(WATCHDOG_NAME);
    // The watchdog's guard is a fork with the same command line: only the one the owner started.
    if (i < 0 || p.argv[i + 1] !== String(ownerPid) || p.ppid !== ownerPid) return [];
    const d = p.argv.indexOf('-D', i);
    return d < 0 ? [] : [{ watchdog: p, dataDir: p.argv[d + 1] }];
  });
}

/** Waits until none of `pids` is alive; returns how long that took, or null when some are still alive after `timeoutMs`. */
export async function waitUntilGone(pids: number[], timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    if (pids.every((pid) => processInfo(pid) === null)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}
