import type { MigrationContext } from '../migration-context';

/**
 * Case-work API security: server-side sessions, the login attempts behind rate limiting,
 * and break-glass alerts for safeguarding leads.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    -- Only a SHA-256 of the session id is stored, so a copy of this table cannot be replayed as cookies.
    CREATE TABLE sessions (
      id_hash char(64) PRIMARY KEY,
      staff_id integer NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      auth_method text NOT NULL CHECK (auth_method IN ('password', 'oidc')),
      source_ip text,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      idle_expires_at timestamptz NOT NULL,
      absolute_expires_at timestamptz NOT NULL
    );
    CREATE INDEX sessions_staff ON sessions (staff_id);
    CREATE INDEX sessions_expiry ON sessions (idle_expires_at);

    CREATE TABLE login_attempts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL,
      source_ip text NOT NULL,
      succeeded boolean NOT NULL,
      attempted_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX login_attempts_recent ON login_attempts (username, source_ip, attempted_at DESC);

    -- A look at a child outside the viewer's localities, for the leads of the child's locality.
    CREATE TABLE break_glass_alerts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id bigint NOT NULL REFERENCES children(id),
      locality_id smallint NOT NULL REFERENCES localities(id),
      actor_id integer NOT NULL REFERENCES staff_users(id),
      reason text NOT NULL,
      action text NOT NULL,
      audit_event_id bigint NOT NULL,
      raised_at timestamptz NOT NULL DEFAULT now(),
      acknowledged_by integer REFERENCES staff_users(id),
      acknowledged_at timestamptz,
      CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
    );
    CREATE INDEX break_glass_alerts_locality ON break_glass_alerts (locality_id, raised_at DESC);
    CREATE INDEX break_glass_alerts_child ON break_glass_alerts (child_id);

    -- Sessions of a deactivated account end at once.
    CREATE FUNCTION staff_users_end_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT NEW.active THEN DELETE FROM sessions WHERE staff_id = NEW.id; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER staff_users_inactive_end_sessions AFTER UPDATE OF active ON staff_users
      FOR EACH ROW EXECUTE FUNCTION staff_users_end_sessions();
  `);
}
