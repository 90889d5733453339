/**
 * Two database roles, so that the application cannot alter its own audit trail:
 * - the **owner** runs the migrations and owns every table (and the embedded Temporal server's);
 * - the **application** (API, worker, relays) is a plain role: no superuser, owns nothing,
 *   reads and writes the tables it works with, but on `audit_events` (and the migration record)
 *   may only INSERT and SELECT. It therefore cannot DELETE or UPDATE audit rows, TRUNCATE the
 *   table, `ALTER TABLE … DISABLE TRIGGER` (owner only) nor `SET session_replication_role`
 *   (superuser only), whatever SQL it is made to run.
 *
 * The embedded PostgreSQL (npm start, the tests) creates both roles; with an external server
 * the operator creates them and gives two URLs (README: "Database roles").
 */
import { Client } from 'pg';
import type { Sequelize } from 'sequelize';

export const OWNER_ROLE = 'chis_owner';
export const APP_ROLE = 'chis_app';
// The embedded server listens on loopback only and its superuser's password is fixed too.
const EMBEDDED_PASSWORDS: Record<string, string> = { [OWNER_ROLE]: 'chis_owner', [APP_ROLE]: 'chis_app' };

/** Tables the application may only append to and read. */
export const APPEND_ONLY_TABLES = ['audit_events', 'schema_migrations'];

/** `url` with another user and password. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** The user a postgres URL connects as. */
export function userOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** URLs of the owner and the application on an embedded server, for database `name`. */
export function embeddedRoleUrls(adminDatabaseUrl: string): { owner: string; app: string } {
  return {
    owner: withCredentials(adminDatabaseUrl, OWNER_ROLE, EMBEDDED_PASSWORDS[OWNER_ROLE]),
    app: withCredentials(adminDatabaseUrl, APP_ROLE, EMBEDDED_PASSWORDS[APP_ROLE]),
  };
}

async function asAdmin<T>(adminUrl: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** As a superuser: both roles exist (LOGIN, no superuser, no role or database creation). */
export async function ensureRoles(adminUrl: string): Promise<void> {
  await asAdmin(adminUrl, async (c) => {
    // Roles are cluster-wide: two processes setting up databases at once must not both create them.
    await c.query('SELECT pg_advisory_lock(727000002)');
    try {
      for (const role of [OWNER_ROLE, APP_ROLE]) {
        const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        const verb = exists.rowCount ? 'ALTER' : 'CREATE';
        await c.query(
          `${verb} ROLE ${role} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOBYPASSRLS PASSWORD '${EMBEDDED_PASSWORDS[role]}'`,
        );
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(727000002)');
    }
  });
}

/**
 * As the embedded server's superuser: both roles exist, and database `name` exists and belongs
 * to the owner. Objects a superuser created in it before the roles existed (data folders from
 * earlier versions) are handed to the owner.
 */
export async function ensureEmbeddedRoles(adminUrl: string, name: string): Promise<void> {
  await ensureRoles(adminUrl);
  await asAdmin(adminUrl, async (c) => {
    const db = await c.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [name],
    );
    if (!db.rowCount) await c.query(`CREATE DATABASE "${name}" OWNER ${OWNER_ROLE}`);
    else if (db.rows[0].owner !== OWNER_ROLE) await c.query(`ALTER DATABASE "${name}" OWNER TO ${OWNER_ROLE}`);
  });
  const inDatabase = new URL(adminUrl);
  inDatabase.pathname = `/${name}`;
  await asAdmin(inDatabase.toString(), async (c) => {
    // Every schema of ours (public, the embedded Temporal server's), not PostgreSQL's own.
    await c.query(`
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT nspname FROM pg_namespace
                 WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND left(nspname, 3) <> 'pg_' AND pg_get_userbyid(nspowner) <> '${OWNER_ROLE}'
        LOOP
          EXECUTE format('ALTER SCHEMA %I OWNER TO ${OWNER_ROLE}', r.nspname);
        END LOOP;
        FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND left(n.nspname, 3) <> 'pg_' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') AND pg_get_userbyid(c.relowner) <> '${OWNER_ROLE}'
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
        LOOP
          EXECUTE format('ALTER %s %s OWNER TO ${OWNER_ROLE}', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
        END LOOP;
        FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND left(n.nspname, 3) <> 'pg_' AND pg_get_userbyid(p.proowner) <> '${OWNER_ROLE}'
        LOOP
          EXECUTE format('ALTER ROUTINE %s OWNER TO ${OWNER_ROLE}', r.name);
        END LOOP;
      END $$`);
  });
}

/**
 * As the owner, after migrating: the application role reads and writes every table, appends to
 * and reads the append-only ones only, and uses the sequences. Run at every start, so tables a
 * new migration added are covered; idempotent.
 */
export async function grantApplicationRole(owner: Sequelize, appRole: string): Promise<void> {
  const role = `"${appRole.replace(/"/g, '""')}"`;
  await owner.query(`GRANT CONNECT ON DATABASE "${await currentDatabase(owner)}" TO ${role}`);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await owner.query(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
  await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
  await owner.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  for (const table of APPEND_ONLY_TABLES) {
    await owner.query(`REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${table} FROM ${role}`);
  }
}

async function currentDatabase(s: Sequelize): Promise<string> {
  const [rows] = (await s.query('SELECT current_database() AS name')) as [Array<{ name: string }>, unknown];
  return rows[0].name;
}

/**
 * Why the connection's role could alter the audit trail (empty: it cannot): a superuser, the
 * owner of `audit_events`, or holding UPDATE, DELETE or TRUNCATE on it.
 */
export async function auditProtectionProblems(app: Sequelize): Promise<string[]> {
  const [rows] = (await app.query(`
    SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass,
           pg_get_userbyid(c.relowner) = current_user AS owner,
           has_table_privilege('audit_events', 'UPDATE') AS can_update,
           has_table_privilege('audit_events', 'DELETE') AS can_delete,
           has_table_privilege('audit_events', 'TRUNCATE') AS can_truncate
    FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'audit_events'::regclass`)) as [
    Array<Record<string, unknown>>,
    unknown,
  ];
  const r = rows[0];
  if (!r) return ['audit_events does not exist'];
  const problems: string[] = [];
  if (r.superuser) problems.push(`role ${r.role} is a superuser`);
  if (r.owner) problems.push(`role ${r.role} owns audit_events`);
  for (const p of ['update', 'delete', 'truncate'])
    if (r[`can_${p}`]) problems.push(`role ${r.role} may ${p.toUpperCase()} audit_events`);
  return problems;
}
