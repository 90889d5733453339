import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect, type Database } from '../../db/database';
import { migrate } from '../../db/migrate';

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)');
  return url;
}

/** Creates an empty database with a unique name on the test server and returns its URL. */
export async function createEmptyDatabase(prefix = 'test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return process.env.TEST_PG_URL_TEMPLATE!.replace('{db}', name);
}

/** A new database with every migration applied, and a connection to it. Close it in afterAll. */
export async function createMigratedDatabase(prefix = 'test'): Promise<Database> {
  const db = connect(await createEmptyDatabase(prefix), { poolMax: 5 });
  await migrate(db.sequelize);
  return db;
}
