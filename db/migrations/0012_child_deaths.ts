import type { MigrationContext } from '../migration-context';

/**
 * Death notifications (POST /api/events/death-notifications): the inbound event kind and the
 * child's date of death (`children.status` already allows 'deceased', 0001). Seeded or
 * migrated deceased children may have no date of death, hence nullable.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE inbound_events DROP CONSTRAINT inbound_events_kind_check;
    ALTER TABLE inbound_events ADD CONSTRAINT inbound_events_kind_check
      CHECK (kind IN ('birth_notification', 'address_change', 'gp_change', 'inbound_transfer', 'immunisation',
        'screening_outcome', 'appointment_outcome', 'child_protection_alert', 'death_notification'));

    ALTER TABLE children
      ADD COLUMN date_of_death date,
      ADD CONSTRAINT children_date_of_death_check CHECK (date_of_death >= date_of_birth);
  `);
}
