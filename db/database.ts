import { Client } from 'pg';
import { Sequelize } from 'sequelize';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';

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

async function ensureDatabaseExists(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** The server behind the configuration: the given URL, or an embedded PostgreSQL started here. */
export async function startPostgresFor(
  config: Config,
  logger: Logger,
): Promise<{ url: string; embedded?: RunningPostgres }> {
  if ('url' in config.database) return { url: config.database.url };
  const { port, dataDir } = config.database.embedded;
  logger.info({ dataDir, port }, 'starting embedded PostgreSQL');
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port,
    persistent: true,
    onLog: (line) => logger.debug({ postgres: line }),
  });
  await ensureDatabaseExists(embedded.adminUrl, EMBEDDED_DATABASE_NAME);
  return { url: embedded.urlFor(EMBEDDED_DATABASE_NAME), embedded };
}
