import type { MigrationContext } from '../migration-context';

/**
 * Missed-immunisation follow-up. The overdue sweep records one follow-up per child and
 * schedule dose (UNIQUE, so a repeated sweep adds nothing) and starts one process instance
 * per new row; `started_at` is set once the instance is started, so a sweep that stopped
 * half-way is finished by the next run. The grace period before a dose counts as overdue is
 * the locality's `overdue_grace_days` (0001, default 28 days).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    -- One row per run of the sweep activity (idempotency key = workflow id / activity id).
    CREATE TABLE immunisation_sweeps (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE,
      as_of date NOT NULL,
      lookback_days integer NOT NULL CHECK (lookback_days > 0),
      found integer NOT NULL DEFAULT 0,
      started integer NOT NULL DEFAULT 0,
      query_ms integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );

    CREATE TABLE immunisation_follow_ups (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      dose_code text NOT NULL,
      schedule_id integer NOT NULL REFERENCES immunisation_schedules(id),
      vaccine text NOT NULL,
      dose integer NOT NULL CHECK (dose > 0),
      due_on date NOT NULL,
      overdue_on date NOT NULL,
      -- The last day the dose is offered (upper age limit), else the end of the CHIS age range.
      offer_until date NOT NULL,
      locality_id smallint NOT NULL REFERENCES localities(id),
      sweep_id bigint REFERENCES immunisation_sweeps(id),
      workflow_id text NOT NULL UNIQUE,
      started_at timestamptz,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
      outcome text CHECK (outcome IN ('given', 'no_longer_offered', 'declined', 'child_inactive')),
      closed_at timestamptz,
      -- Appointment keys (kind/date) of the Was Not Brought outcomes counted for this dose.
      was_not_brought text[] NOT NULL DEFAULT '{}',
      escalated_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (child_id, dose_code),
      CHECK ((status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL))
    );
    -- The start queue: rows whose process instance is not started yet (normally empty).
    CREATE INDEX immunisation_follow_ups_to_start ON immunisation_follow_ups (id) WHERE started_at IS NULL;
    CREATE INDEX immunisation_follow_ups_open_by_locality ON immunisation_follow_ups (locality_id, overdue_on) WHERE status = 'open';

    -- The sweep reads, per locality and dose, the active children born in a window of dates;
    -- with the id in the index that read is index-only (no visit to the children heap). It
    -- replaces 0001's children_locality_dob, which had the same keys and predicate.
    CREATE INDEX children_active_locality_dob ON children (locality_id, date_of_birth) INCLUDE (id) WHERE status = 'active';
    DROP INDEX children_locality_dob;

    -- One safeguarding escalation per child and missed appointment, whichever of the child's
    -- follow-ups (one per dose) counts that appointment first.
    CREATE TABLE immunisation_wnb_escalations (
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      appointment_key text NOT NULL,
      follow_up_id bigint NOT NULL REFERENCES immunisation_follow_ups(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (child_id, appointment_key)
    );
  `);
}
