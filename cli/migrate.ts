import { ConfigError, loadConfig } from '../core/config';
import { describeError } from '../core/describe-error';
import { createLogger } from '../core/logger';
import { migrateAndGrant, startPostgresFor } from '../db/database';

/** `npm run migrate`: apply pending migrations to the configured database and exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // Beside a running system, its embedded PostgreSQL is used (migrations take an advisory lock).
  const postgres = await startPostgresFor(config, logger, { shareRunning: true });
  try {
    // As the owner role, then the application role's privileges (db/migrations/roles.ts).
    const applied = await migrateAndGrant(postgres, (m) => logger.info(m));
    process.stdout.write(applied.length ? `Applied ${applied.join(', ')}\n` : 'Schema already up to date\n');
  } finally {
    await postgres.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${describeError(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
