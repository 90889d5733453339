import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { freePort } from '../core/free-port';

/** Starts an embedded PostgreSQL in `folder` (kept) or a temporary folder (deleted), with a `temporal` database. */
export async function startEmbeddedDatabase(
  folder: string | undefined,
): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = folder ? resolve(folder) : mkdtempSync(join(tmpdir(), 'chis-temporal-pg-'));
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    persistent: !!folder,
    otherFolderHint: 'give --db-filename another folder',
  });
  const admin = new Client({ connectionString: pg.adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'temporal'`);
    if (!exists.rowCount) await admin.query('CREATE DATABASE temporal');
  } finally {
    await admin.end();
  }
  return { url: pg.urlFor('temporal'), stop: () => pg.stop() };
}
