import type { MigrationContext } from '../migration-context';

/**
 * Inbound events (birth notifications, address/GP changes, transfers in, immunisations,
 * screening and appointment outcomes, child-protection alerts) arrive over the API from other
 * systems. Each is stored once: `dedupe_key` is the sender's event id when it gives one, else a
 * SHA-256 of the content, so a repeated notification finds its first copy. `published_at` is
 * null until the event's BPMN message reached the engine: the endpoint publishes after its
 * commit, a repeat of the request retries, and start-up's relay sweeps what is still pending.
 *
 * Systems that send events sign in with accounts of the new `integration` role.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE staff_users DROP CONSTRAINT staff_users_role_check;
    ALTER TABLE staff_users ADD CONSTRAINT staff_users_role_check
      CHECK (role IN ('caseworker', 'safeguarding_lead', 'service_manager', 'administrator', 'integration'));

    CREATE TABLE inbound_events (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('birth_notification', 'address_change', 'gp_change', 'inbound_transfer', 'immunisation',
        'screening_outcome', 'appointment_outcome', 'child_protection_alert')),
      source_event_id text CHECK (length(source_event_id) BETWEEN 1 AND 200),
      content_hash char(64) NOT NULL,
      dedupe_key text NOT NULL,
      nhs_number char(10) NOT NULL,
      child_id bigint REFERENCES children(id),
      payload jsonb NOT NULL,
      -- How the event was routed (responsible locality, in or out of the region).
      routing jsonb NOT NULL DEFAULT '{}'::jsonb,
      message_name text NOT NULL,
      message_variables jsonb NOT NULL,
      received_by integer REFERENCES staff_users(id),
      received_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      publish_attempts integer NOT NULL DEFAULT 0,
      last_publish_error text,
      UNIQUE (kind, dedupe_key)
    );
    CREATE INDEX inbound_events_child ON inbound_events (child_id, received_at DESC) WHERE child_id IS NOT NULL;
    CREATE INDEX inbound_events_nhs_number ON inbound_events (nhs_number, received_at DESC);
    CREATE INDEX inbound_events_unpublished ON inbound_events (received_at) WHERE published_at IS NULL;
  `);
}
