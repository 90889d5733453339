/**
 * Runs PostgreSQL under a small shell watchdog tied to this process by a pipe, so that the
 * server never outlives us, however we end (SIGKILL and OOM kills included):
 *
 *   node ──stdin pipe──▶ sh (watchdog, own session) ──▶ postgres (postmaster)
 *
 * The watchdog starts postgres and then blocks reading the pipe. Only we hold its write end, and
 * the kernel closes it when we exit for any reason; on that end-of-file the watchdog asks
 * PostgreSQL for a fast shutdown (SIGINT: sessions ended, checkpoint written), escalates to an
 * immediate one (SIGQUIT) after 30 s, and removes a throwaway data directory. A deliberate stop
 * is the same end-of-file (we close the pipe), so there is one path.
 *
 * Watchdog and server run in their own session: a Ctrl-C in the terminal reaches only us, and we
 * stop PostgreSQL last, after everything that uses it. The watchdog's command line names it
 * (`chis-postgres-watchdog <owner pid>`), which lets a later start tell a live owner's server
 * from one shutting down (db/data-directory-lock.ts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { PostgresAccount } from './postgres-binaries';

export const WATCHDOG_NAME = 'chis-postgres-watchdog';

// $0: the name above; $1: the owner's PID (for the record only); then the postgres command line.
const SCRIPT = `
shift
exec 3<&0 </dev/null
"$@" 3<&- &
pg=$!
echo "postmaster $pg"
{
  while read -r _ <&3; do :; done
  kill -INT "$pg" 2>/dev/null
  i=0
  while [ "$i" -lt 300 ] && kill -0 "$pg" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
  kill -QUIT "$pg" 2>/dev/null
} >/dev/null 2>&1 &
guard=$!
exec 3<&-
trap '' INT HUP
trap 'kill -INT "$pg" 2>/dev/null' TERM
code=0
while kill -0 "$pg" 2>/dev/null; do wait "$pg"; code=$?; done
kill "$guard" 2>/dev/null
if [ -n "$CHIS_PG_REMOVE_DIR" ]; then rm -rf -- "$CHIS_PG_REMOVE_DIR"; fi
exit "$code"
`;

export interface WatchedPostgres {
  /** The watchdog (its process group holds the server too). */
  watchdog: ChildProcessWithoutNullStreams;
  /** Resolves with the postmaster's PID once the watchdog has started it. */
  postmasterPid: Promise<number>;
}

export function spawnWatchedPostgres(options: {
  postgres: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  account: PostgresAccount;
  /** Deleted by the watchdog once the server has stopped (throwaway clusters). */
  removeDirAfterStop?: string;
}): WatchedPostgres {
  const watchdog = spawn(
    '/bin/sh',
    ['-c', SCRIPT, WATCHDOG_NAME, String(process.pid), options.postgres, ...options.args],
    {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...options.env, CHIS_PG_REMOVE_DIR: options.removeDirAfterStop ?? '' },
      ...options.account,
    },
  );
  const postmasterPid = new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /postmaster (\d+)/.exec(out);
      if (m) {
        watchdog.stdout.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    watchdog.stdout.on('data', onData);
    watchdog.once('error', reject);
    watchdog.once('exit', () => reject(new Error('the PostgreSQL watchdog exited before starting the server')));
  });
  postmasterPid.catch(() => undefined);
  // Closing the pipe of a watchdog that already exited must not become an unhandled error.
  watchdog.stdin.on('error', () => undefined);
  // Neither the watchdog nor its pipes keep this process alive: when it ends, the pipe closes
  // and the server stops, which is exactly what should happen.
  watchdog.unref();
  for (const s of [watchdog.stdin, watchdog.stdout, watchdog.stderr])
    (s as unknown as { unref?: () => void }).unref?.();
  return { watchdog, postmasterPid };
}
