import type { MigrationContext } from '../migration-context';

/**
 * The coverage report (records/coverage.ts) counts, per child of a birth cohort, the doses given
 * before a birthday: with the date in the (child, vaccine, dose) unique index it reads only the
 * index, never the table, whose rows for one child are scattered over many pages (13 events per
 * child in the seeded region: 18 M rows). The constraint keeps its name and columns, so every
 * ON CONFLICT (child_id, vaccine, dose) still finds it; no second index is added.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE UNIQUE INDEX immunisation_events_child_vaccine_dose_given
      ON immunisation_events (child_id, vaccine, dose) INCLUDE (given_on);
    ALTER TABLE immunisation_events
      DROP CONSTRAINT immunisation_events_child_id_vaccine_dose_key,
      ADD CONSTRAINT immunisation_events_child_id_vaccine_dose_key
        UNIQUE USING INDEX immunisation_events_child_vaccine_dose_given;
  `);
}

export async function down({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE immunisation_events
      DROP CONSTRAINT immunisation_events_child_id_vaccine_dose_key,
      ADD CONSTRAINT immunisation_events_child_id_vaccine_dose_key UNIQUE (child_id, vaccine, dose);
  `);
}
