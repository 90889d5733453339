import type { MigrationContext } from '../migration-context';

/**
 * Signal broadcasts through the process outbox (POST /v2/signals/broadcast): written with their
 * audit row, delivered by the relay when the engine does not answer at once.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE process_outbox DROP CONSTRAINT process_outbox_kind_check;
    ALTER TABLE process_outbox ADD CONSTRAINT process_outbox_kind_check CHECK (kind IN ('publish', 'start', 'signal'));
  `);
}
