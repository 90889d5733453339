import type { MigrationContext } from '../migration-context';

/**
 * The domain schema: the region, children and their health events, staff, the process
 * engine's tables, the outbox and the append-only audit trail.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    -- Modulus 11 check over the NHS number, also enforced in the database so no path can store a bad one.
    CREATE FUNCTION nhs_number_is_valid(n text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT n ~ '^[0-9]{10}$' AND (
        WITH s AS (
          SELECT sum(substr(n, i, 1)::int * (11 - i)) AS total FROM generate_series(1, 9) AS i
        )
        SELECT CASE 11 - (total % 11) WHEN 11 THEN 0 WHEN 10 THEN -1 ELSE 11 - (total % 11) END
               = substr(n, 10, 1)::int
        FROM s
      )
    $$;

    CREATE TABLE localities (
      id smallint PRIMARY KEY,
      code text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9-]*$'),
      name text NOT NULL UNIQUE,
      -- Local setting: days after a dose's due date before it counts as overdue.
      overdue_grace_days integer NOT NULL DEFAULT 28 CHECK (overdue_grace_days BETWEEN 0 AND 365)
    );

    CREATE TABLE postcode_districts (
      district text PRIMARY KEY CHECK (district ~ '^[A-Z]{1,2}[0-9][0-9A-Z]?$'),
      locality_id smallint NOT NULL REFERENCES localities(id)
    );
    CREATE INDEX postcode_districts_locality ON postcode_districts (locality_id);

    CREATE TABLE gp_practices (
      ods_code text PRIMARY KEY CHECK (ods_code ~ '^[A-Z0-9]{1,9}$'),
      name text NOT NULL,
      email text NOT NULL CHECK (email ~ '^[^@\\s]+@[^@\\s]+$'),
      locality_id smallint NOT NULL REFERENCES localities(id)
    );
    CREATE INDEX gp_practices_locality ON gp_practices (locality_id);

    CREATE TABLE children (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      nhs_number char(10) NOT NULL UNIQUE CONSTRAINT children_nhs_number_check_digit CHECK (nhs_number_is_valid(nhs_number)),
      given_name text NOT NULL,
      family_name text NOT NULL,
      date_of_birth date NOT NULL,
      sex text NOT NULL CHECK (sex IN ('female', 'male', 'indeterminate', 'unknown')),
      address_line1 text NOT NULL,
      address_line2 text,
      town text,
      postcode text NOT NULL,
      locality_id smallint NOT NULL REFERENCES localities(id),
      gp_practice_ods text REFERENCES gp_practices(ods_code),
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moved_out', 'deceased')),
      safeguarding_alert text NOT NULL DEFAULT 'none'
        CHECK (safeguarding_alert IN ('none', 'concern', 'child_protection_plan', 'looked_after')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      row_version integer NOT NULL DEFAULT 1
    );
    CREATE INDEX children_name_dob ON children (lower(family_name), date_of_birth);
    CREATE INDEX children_locality_dob ON children (locality_id, date_of_birth) WHERE status = 'active';
    CREATE INDEX children_gp_practice ON children (gp_practice_ods);

    CREATE TABLE contacts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      relationship text NOT NULL CHECK (relationship IN ('mother', 'father', 'guardian', 'carer', 'other')),
      name text NOT NULL,
      phone text,
      email text,
      preferred_method text NOT NULL CHECK (preferred_method IN ('letter', 'sms', 'email', 'phone')),
      is_primary boolean NOT NULL DEFAULT false,
      CHECK (preferred_method <> 'email' OR email IS NOT NULL),
      CHECK (preferred_method NOT IN ('sms', 'phone') OR phone IS NOT NULL)
    );
    CREATE INDEX contacts_child ON contacts (child_id);
    CREATE UNIQUE INDEX contacts_one_primary ON contacts (child_id) WHERE is_primary;

    -- The schedule is data, versioned: a new national schedule is a new version, never an edit.
    CREATE TABLE immunisation_schedules (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      effective_from date NOT NULL,
      UNIQUE (name, version)
    );
    CREATE TABLE immunisation_schedule_doses (
      schedule_id integer NOT NULL REFERENCES immunisation_schedules(id),
      code text NOT NULL,
      vaccine text NOT NULL,
      dose integer NOT NULL CHECK (dose > 0),
      due_age interval NOT NULL,
      -- Upper age limit after which the dose is no longer offered (e.g. rotavirus).
      max_age interval,
      born_on_or_after date,
      born_on_or_before date,
      PRIMARY KEY (schedule_id, code)
    );

    CREATE TABLE immunisation_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      vaccine text NOT NULL,
      dose integer NOT NULL CHECK (dose > 0),
      given_on date NOT NULL,
      given_by text,
      source text NOT NULL DEFAULT 'record',
      recorded_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (child_id, vaccine, dose)
    );

    CREATE TABLE screening_results (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      programme text NOT NULL CHECK (programme IN ('blood_spot', 'hearing', 'nipe')),
      outcome text NOT NULL,
      recorded_on date NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}'::jsonb,
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX screening_results_child ON screening_results (child_id, programme);

    CREATE TABLE teams (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL UNIQUE,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('records', 'health_visiting', 'immunisation', 'safeguarding', 'management')),
      locality_id smallint REFERENCES localities(id)
    );

    CREATE TABLE staff_users (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
      display_name text NOT NULL,
      email text,
      password_hash text,
      role text NOT NULL CHECK (role IN ('caseworker', 'safeguarding_lead', 'service_manager', 'administrator')),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE staff_localities (
      staff_id integer NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
      locality_id smallint NOT NULL REFERENCES localities(id),
      PRIMARY KEY (staff_id, locality_id)
    );
    CREATE TABLE staff_teams (
      staff_id integer NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
      team_id integer NOT NULL REFERENCES teams(id),
      PRIMARY KEY (staff_id, team_id)
    );
    CREATE INDEX staff_teams_team ON staff_teams (team_id);

    CREATE TABLE safeguarding_concerns (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'escalated', 'monitoring', 'referred', 'closed')),
      summary text NOT NULL,
      raised_by integer REFERENCES staff_users(id),
      raised_at timestamptz NOT NULL DEFAULT now(),
      outcome text,
      closed_by integer REFERENCES staff_users(id),
      closed_at timestamptz,
      CHECK ((status = 'closed') = (closed_at IS NOT NULL))
    );
    CREATE INDEX safeguarding_concerns_child ON safeguarding_concerns (child_id) WHERE status <> 'closed';

    CREATE TABLE transfers (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id),
      direction text NOT NULL CHECK (direction IN ('within_region', 'into_region', 'out_of_region')),
      from_locality_id smallint REFERENCES localities(id),
      to_locality_id smallint REFERENCES localities(id),
      other_chis text,
      status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'accepted', 'completed', 'rejected', 'cancelled')),
      process_instance_id text,
      requested_at timestamptz NOT NULL DEFAULT now(),
      decided_at timestamptz,
      completed_at timestamptz,
      CHECK (direction <> 'within_region' OR (from_locality_id IS NOT NULL AND to_locality_id IS NOT NULL AND from_locality_id <> to_locality_id)),
      CHECK (direction = 'within_region' OR other_chis IS NOT NULL)
    );
    CREATE INDEX transfers_child ON transfers (child_id);
    -- At most one transfer in flight per child.
    CREATE UNIQUE INDEX transfers_one_open ON transfers (child_id) WHERE status IN ('requested', 'accepted');

    CREATE TABLE process_definitions (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      key text NOT NULL CHECK (key ~ '^[A-Za-z_][A-Za-z0-9_.-]*$'),
      version integer NOT NULL CHECK (version > 0),
      name text,
      xml text NOT NULL,
      compiled jsonb NOT NULL,
      checksum char(64) NOT NULL,
      deployed_by integer REFERENCES staff_users(id),
      deployed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (key, version)
    );

    CREATE TABLE process_instances (
      id text PRIMARY KEY,
      definition_id integer NOT NULL REFERENCES process_definitions(id),
      business_key text,
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'incident', 'cancelled', 'terminated', 'failed')),
      started_by integer REFERENCES staff_users(id),
      started_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX process_instances_business_key ON process_instances (business_key);
    CREATE INDEX process_instances_definition_status ON process_instances (definition_id, status, started_at DESC);

    CREATE TABLE human_tasks (
      id uuid PRIMARY KEY,
      process_instance_id text NOT NULL REFERENCES process_instances(id),
      element_id text NOT NULL,
      name text NOT NULL,
      business_key text,
      child_id bigint REFERENCES children(id),
      locality_id smallint REFERENCES localities(id),
      candidate_groups text[] NOT NULL DEFAULT '{}',
      candidate_users text[] NOT NULL DEFAULT '{}',
      assignee text,
      priority integer NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100),
      due_at timestamptz,
      follow_up_at timestamptz,
      form jsonb NOT NULL DEFAULT '{"fields": []}'::jsonb,
      input jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'completed', 'cancelled')),
      outcome text,
      data jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz,
      completed_at timestamptz,
      completed_by text,
      row_version integer NOT NULL DEFAULT 1,
      CHECK ((status = 'claimed') <= (assignee IS NOT NULL))
    );
    -- Queue queries: active tasks by assignee, by candidate group, by locality, by due date.
    CREATE INDEX human_tasks_assignee_queue ON human_tasks (assignee, priority DESC, due_at, id) WHERE status IN ('open', 'claimed');
    CREATE INDEX human_tasks_candidate_groups ON human_tasks USING gin (candidate_groups) WHERE status = 'open';
    CREATE INDEX human_tasks_locality_queue ON human_tasks (locality_id, priority DESC, due_at, id) WHERE status IN ('open', 'claimed');
    CREATE INDEX human_tasks_due ON human_tasks (due_at) WHERE status IN ('open', 'claimed');
    CREATE INDEX human_tasks_child ON human_tasks (child_id, created_at DESC);
    CREATE INDEX human_tasks_process_instance ON human_tasks (process_instance_id);

    -- Outbox: written in the same transaction as the change that causes the message.
    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE,
      channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms', 'letter')),
      recipient text NOT NULL,
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text,
      child_id bigint REFERENCES children(id),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz
    );
    CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE status = 'pending';

    CREATE TABLE audit_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      actor_id integer,
      actor_username text NOT NULL,
      action text NOT NULL,
      entity_type text NOT NULL,
      entity_id text,
      child_id bigint,
      source_ip text,
      reason text,
      detail jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE INDEX audit_events_child ON audit_events (child_id, occurred_at DESC) WHERE child_id IS NOT NULL;
    CREATE INDEX audit_events_actor ON audit_events (actor_id, occurred_at DESC);

    -- Append-only, whatever the connecting role: updates, deletes and truncation are refused.
    CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$;
    CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
    CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
  `);
}
