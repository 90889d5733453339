import type { MigrationContext } from '../migration-context';

/**
 * Definition versions whose timer start events will not fire again (a timeDate or timeDuration
 * that fired, a cycle that ran its repetitions). Start-up re-schedules the latest version of
 * every key; without this record a finished version would be planned again from scratch and
 * fire a second time once Temporal had forgotten its closed scheduler.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE timer_start_finished (
      definition_id integer PRIMARY KEY REFERENCES process_definitions(id),
      started_instances integer NOT NULL CHECK (started_instances >= 0),
      finished_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}
