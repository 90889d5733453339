import { Sequelize } from 'sequelize';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { migrate } from './migrations/run';
import { embeddedRoleUrls, ensureEmbeddedRoles, grantApplicationRole, userOf } from './migrations/roles';

export const EMBEDDED_DATABASE_NAME = 'chis_flow';

export interface Database {
  sequelize: Sequelize;
  url: string;
  close(): Promise<void>;
}

/** A Sequelize connection pool on a database URL. Queries go through repositories. */
export function connect(url: string, options: { poolMax?: number; logger?: Logger } = {}): Database {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    logging: options.logger ? (sql: string) => options.logger!.trace({ sql }, 'sql') : false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000 },
    define: { underscored: true, timestamps: false },
  });
  return { sequelize, url, close: () => sequelize.close() };
}

/** Where the system's database is, and as whom: the application, and the owner for migrations. */
export interface PostgresTarget {
  /** The application's role: reads and writes, appends to the audit trail, owns nothing. */
  url: string;
  /** The owner role (migrations, the embedded Temporal server's own schema); equals `url` when only one URL is given. */
  migrationUrl: string;
  embedded?: RunningPostgres;
}

/**
 * The server behind the configuration: the given URL(s), or an embedded PostgreSQL started
 * here, on which both roles are created (db/migrations/roles.ts). `shareRunning`: a command-line tool
 * (seed, migrate) uses the embedded server a running system already has on the same data
 * directory instead of refusing.
 */
export async function startPostgresFor(
  config: Config,
  logger: Logger,
  options: { shareRunning?: boolean } = {},
): Promise<PostgresTarget> {
  if ('url' in config.database) {
    const { url, migrationUrl } = config.database;
    // Only a process of every role migrates without the owner's URL (as the application's role).
    if (!migrationUrl && config.roles.length === 3)
      logger.warn(
        'CHIS_MIGRATION_DATABASE_URL is not set: migrations run as the application role of DATABASE_URL, which then owns audit_events and could alter it. Give the owner role its own URL (README: Database roles).',
      );
    return { url, migrationUrl: migrationUrl ?? url };
  }
  const { port, dataDir } = config.database.embedded;
  logger.info({ dataDir, port }, 'starting embedded PostgreSQL');
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port,
    persistent: true,
    shareRunning: options.shareRunning,
    onLog: (line) => logger.debug({ postgres: line }),
    onNotice: (message) => logger.warn({ dataDir }, message),
  }).catch((error: unknown) => {
    // The one setting that fixes a port clash is ours to name.
    if (error instanceof Error && /Address already in use/.test(error.message))
      throw new Error(`${error.message} (set CHIS_EMBEDDED_POSTGRES_PORT to a free port)`, { cause: error });
    throw error;
  });
  try {
    await ensureEmbeddedRoles(embedded.adminUrl, EMBEDDED_DATABASE_NAME);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  const roles = embeddedRoleUrls(embedded.urlFor(EMBEDDED_DATABASE_NAME));
  return { url: roles.app, migrationUrl: roles.owner, embedded };
}

/**
 * As the owner: pending migrations, then the application role's privileges (when it is another
 * role). Returns the names of the migrations applied.
 */
export async function migrateAndGrant(
  target: Pick<PostgresTarget, 'url' | 'migrationUrl'>,
  log: (message: string) => void = () => {},
): Promise<string[]> {
  const owner = connect(target.migrationUrl, { poolMax: 2 });
  try {
    const applied = await migrate(owner.sequelize, log);
    if (userOf(target.url) !== userOf(target.migrationUrl))
      await grantApplicationRole(owner.sequelize, userOf(target.url));
    return applied;
  } finally {
    await owner.close();
  }
}
