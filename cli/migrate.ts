import { ConfigError, loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { connect, startPostgresFor } from '../db/database';
import { migrate } from '../db/migrate';

/** `npm run migrate`: apply pending migrations to the configured database and exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const postgres = await startPostgresFor(config, logger);
  const db = connect(postgres.url);
  try {
    const applied = await migrate(db.sequelize, (m) => logger.info(m));
    process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'Schema already up to date\n');
  } finally {
    await db.close();
    await postgres.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(error instanceof ConfigError ? 2 : 1);
});
