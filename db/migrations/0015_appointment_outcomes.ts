import type { MigrationContext } from '../migration-context';

/**
 * Appointment outcomes on the record (POST /api/events/appointment-outcomes), for every kind of
 * health appointment — immunisation, health visit, screening, NIPE examination — so that Was
 * Not Brought can be counted per child across them (the was-not-brought process) and a
 * mandated contact's attendance closes its review (child-health-reviews). `contact` names the
 * mandated contact the appointment was for, when it was one.
 *
 * was_not_brought_escalations: one safeguarding escalation per child and missed appointment,
 * whichever process escalates it first (the child-level was-not-brought process; follow-ups
 * started before it checked immunisation_wnb_escalations of 0009).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE appointment_outcomes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      inbound_event_id uuid REFERENCES inbound_events(id),
      kind text NOT NULL CHECK (kind IN ('immunisation', 'health_visit', 'screening', 'nipe', 'other')),
      contact text CHECK (contact ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
      vaccine text,
      appointment_on date NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('attended', 'was_not_brought')),
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX appointment_outcomes_child ON appointment_outcomes (child_id, appointment_on);

    CREATE TABLE was_not_brought_escalations (
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      appointment_key text NOT NULL,
      concern_id bigint REFERENCES safeguarding_concerns(id),
      misses jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (child_id, appointment_key)
    );
  `);
}
