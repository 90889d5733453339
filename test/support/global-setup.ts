import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../db/embedded-postgres';
import { freePort } from '../../core/free-port';
import { ensureUiBuilt } from '../../system/ui-build';

/**
 * Starts one throwaway PostgreSQL for the whole test run. Test files reach it through
 * TEST_PG_ADMIN_URL (inherited by Jest's workers) and make their own databases on it.
 */
export default async function globalSetup(): Promise<void> {
  // The browser tests and `npm start`'s test serve ui/dist: build it once, before the workers start.
  await ensureUiBuilt();
  if (process.env.TEST_PG_ADMIN_URL) return; // an outer runner already provides one
  const dataDir = await mkdtemp(join(tmpdir(), 'chis-test-pg-'));
  const port = await freePort();
  const postgres = await startEmbeddedPostgres({ dataDir, port, persistent: false });
  const client = new Client({ connectionString: postgres.adminUrl });
  await client.connect();
  await client.end();
  process.env.TEST_PG_ADMIN_URL = postgres.adminUrl;
  process.env.TEST_PG_URL_TEMPLATE = postgres.urlFor('{db}');
  (globalThis as { __chisTestPostgres?: typeof postgres }).__chisTestPostgres = postgres;
}
