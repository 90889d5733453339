import type { MigrationContext } from '../migration-context';

/**
 * Email delivery. The outbox (`notifications`, since 0001) gains the template it was rendered
 * from and a Message-ID fixed when the row is written, so a message that is sent twice (a
 * crash between the SMTP "250 OK" and the commit) carries the same Message-ID both times and
 * the duplicate can be recognised. Rows whose delivery keeps failing are marked 'failed' but
 * stay due: the relay keeps retrying them with a capped backoff, nothing is ever dropped.
 * A sender claims a row with a lease (claimed_until, claim_token) instead of holding a row
 * lock through the SMTP conversation, so no database connection waits on a mail server.
 *
 * `received_mail` is the mailbox of the embedded SMTP server used when no SMTP_URL is set:
 * one row per Message-ID; a repeated delivery only counts up `times_received`.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE notifications
      ADD COLUMN template text,
      ADD COLUMN message_id text,
      ADD COLUMN smtp_response text,
      ADD COLUMN claimed_until timestamptz,
      ADD COLUMN claim_token uuid;
    UPDATE notifications SET message_id = '<notification-' || id || '@chis-flow.local>' WHERE message_id IS NULL;
    ALTER TABLE notifications ALTER COLUMN message_id SET NOT NULL;
    CREATE UNIQUE INDEX notifications_message_id ON notifications (message_id);

    -- The relay's queue: everything not yet sent, in due order ('failed' rows are still retried).
    DROP INDEX notifications_pending;
    CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE status <> 'sent';
    CREATE INDEX notifications_child ON notifications (child_id) WHERE child_id IS NOT NULL;

    CREATE TABLE received_mail (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id text NOT NULL UNIQUE,
      envelope_from text,
      envelope_to text[] NOT NULL,
      from_header text,
      to_header text,
      subject text NOT NULL DEFAULT '',
      text_body text,
      html_body text,
      raw bytea NOT NULL,
      size_bytes integer NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      times_received integer NOT NULL DEFAULT 1 CHECK (times_received > 0),
      last_received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX received_mail_recipients ON received_mail USING gin (envelope_to);
  `);
}
