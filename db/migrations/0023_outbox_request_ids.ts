import type { MigrationContext } from '../migration-context';

/**
 * The request that caused an outbox row (its X-Request-Id, or the id the API gave it): a mail or
 * a process command delivered later by a relay, in another process, logs that id, so one id
 * follows a request to the mail it sent. Nullable (work no request started has none), added
 * only: processes of the previous release write rows without it (docs/migrations.md).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE notifications ADD COLUMN request_id text;
    ALTER TABLE process_outbox ADD COLUMN request_id text;
  `);
}
