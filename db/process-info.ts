/**
 * What a process is (parent and command line), for finding who holds a PostgreSQL data
 * directory. /proc on Linux; `ps` elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Command line, arguments separated by spaces. */
  command: string;
  /** The same, as a list (split on spaces where the platform gives no better). */
  argv: string[];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process, or null when there is none (or it is a zombie: exited, not yet reaped). */
export function processInfo(pid: number): ProcessInfo | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (platform() === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') return null;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { pid, ppid: Number(ppid), command: argv.join(' '), argv };
    } catch {
      return null;
    }
  }
  try {
    const out = execFileSync('ps', ['-o', 'ppid=,stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const m = /^(\d+)\s+(\S+)\s+(.*)$/.exec(out);
    if (!m || m[2].startsWith('Z')) return null;
    return { pid, ppid: Number(m[1]), command: m[3], argv: m[3].split(' ') };
  } catch {
    return null;
  }
}

/** "PID 123 (node --import tsx cli/start.ts)" for messages; commands are cut to a readable length. */
export function describeProcess(p: ProcessInfo | null, pid?: number): string {
  if (!p) return `PID ${pid ?? '?'} (gone)`;
  const oneLine = p.command.replace(/\s+/g, ' ').trim();
  const command = oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
  return `PID ${p.pid} (${command || 'no command line'})`;
}
