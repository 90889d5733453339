import type { MigrationContext } from '../migration-context';
import { REGION_LOCALITIES } from '../reference/region';
import { SCHEDULE_2026, SCHEDULE_2026_DOSES } from '../reference/immunisation-schedule-2026';

/** Reference data every installation needs: the 14 areas, their postcode districts, the 2026 schedule. */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  for (const l of REGION_LOCALITIES) {
    await sql('INSERT INTO localities (id, code, name) VALUES ($1, $2, $3)', [l.id, l.code, l.name]);
    await sql('INSERT INTO postcode_districts (district, locality_id) SELECT unnest($1::text[]), $2', [
      l.districts,
      l.id,
    ]);
  }
  await sql('INSERT INTO immunisation_schedules (name, version, effective_from) VALUES ($1, $2, $3)', [
    SCHEDULE_2026.name,
    SCHEDULE_2026.version,
    SCHEDULE_2026.effectiveFrom,
  ]);
  for (const d of SCHEDULE_2026_DOSES) {
    await sql(
      `INSERT INTO immunisation_schedule_doses
         (schedule_id, code, vaccine, dose, due_age, max_age, born_on_or_after, born_on_or_before)
       SELECT id, $3, $4, $5, $6::interval, $7::interval, $8::date, $9::date
       FROM immunisation_schedules WHERE name = $1 AND version = $2`,
      [
        SCHEDULE_2026.name,
        SCHEDULE_2026.version,
        d.code,
        d.vaccine,
        d.dose,
        d.dueAge,
        d.maxAge ?? null,
        d.bornOnOrAfter ?? null,
        d.bornOnOrBefore ?? null,
      ],
    );
  }
}
