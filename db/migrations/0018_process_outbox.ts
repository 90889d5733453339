import type { MigrationContext } from '../migration-context';

/**
 * The process outbox: everything that starts or messages a process instance (an inbound
 * event's message, a concern's escalation, a message published through the API, a process
 * started through the API) is written here in the transaction of the change that calls for it,
 * and delivered to the engine by one relay with retries. `idempotency_key` names the source
 * (`event:<id>`, `concern:<id>`, `message:<id>`, `start:<workflow id>`), so a repeat writes no
 * second row; delivery itself is idempotent (the command's own key fixes the workflow ids).
 *
 * Inbound events kept their publishing state in their own row until now: the events still
 * waiting become outbox rows (under the event's id) and those columns go.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE process_outbox (
      id uuid PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('publish', 'start')),
      command jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      -- What delivery did: instances signalled and started (publish), the workflow started (start).
      result jsonb
    );
    CREATE INDEX process_outbox_undelivered ON process_outbox (created_at) WHERE delivered_at IS NULL;

    INSERT INTO process_outbox (id, idempotency_key, kind, command, created_at, delivered_at, attempts, last_error)
      SELECT id, 'event:' || id, 'publish',
             jsonb_build_object('name', message_name, 'correlationKey', nhs_number, 'variables', message_variables,
                                'sourceInstanceId', '', 'publishKey', id::text),
             received_at, published_at, publish_attempts, last_publish_error
      FROM inbound_events;

    DROP INDEX inbound_events_unpublished;
    ALTER TABLE inbound_events DROP COLUMN published_at, DROP COLUMN publish_attempts, DROP COLUMN last_publish_error;
  `);
}
