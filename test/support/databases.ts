import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { connect, migrateAndGrant, type Database } from '../../db/database';
import { APP_ROLE, embeddedRoleUrls, ensureRoles, OWNER_ROLE } from '../../db/migrations/roles';

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)');
  return url;
}

// The owner and application roles, as the embedded setup of `npm start` makes them (once per process).
let roles: Promise<void> | null = null;

/** URLs of database `name` as the owner and as the application role. */
export function roleUrlsOf(name: string): { owner: string; app: string } {
  return embeddedRoleUrls(process.env.TEST_PG_URL_TEMPLATE!.replace('{db}', name));
}

/**
 * Creates an empty database with a unique name on the test server, owned by the owner role,
 * and returns the owner's URL (migrations, the embedded Temporal server's schema).
 */
export async function createEmptyDatabase(prefix = 'test'): Promise<string> {
  roles ??= ensureRoles(adminUrl());
  await roles;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}" OWNER ${OWNER_ROLE}`);
  } finally {
    await client.end();
  }
  return roleUrlsOf(name).owner;
}

/**
 * A new database with every migration applied (as the owner) and a connection to it as the
 * application role, exactly as `npm start` connects: the role that cannot alter audit_events.
 * Close it in afterAll.
 */
export async function createMigratedDatabase(prefix = 'test'): Promise<Database> {
  const owner = await createEmptyDatabase(prefix);
  const app = roleUrlsOf(decodeURIComponent(new URL(owner).pathname.slice(1))).app;
  await migrateAndGrant({ url: app, migrationUrl: owner });
  return connect(app, { poolMax: 5 });
}

export { APP_ROLE, OWNER_ROLE };
