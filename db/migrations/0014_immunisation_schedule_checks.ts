import type { MigrationContext } from '../migration-context';

/**
 * The schedule by birth cohort and appointment date (schedule/rule-sets/uk-routine-v2.ts).
 *
 * The rules are evaluated in one place (schedule/evaluate.ts), for the sweep as for the
 * record's views, so the overdue sweep no longer reads dose rows: it evaluates the children
 * whose answer can have changed. `immunisation_schedule_checks` holds, per child, the next day
 * that can happen without anything new on the record (a dose becoming overdue, a timing switch);
 * anything new — a child, an immunisation, a changed date of birth, sex, locality or status, a
 * locality's grace period — sets it to '-infinity' ("evaluate at the next sweep") through the
 * triggers below, whichever code path wrote it (API, seed COPY, tests). `changes` counts those
 * marks, so a sweep that read a child before a new mark does not overwrite it.
 *
 * Registers schedule version 2 (its rules are in code, versioned by file; version 1's dose list
 * stays in immunisation_schedule_doses as history), and lets immunisation events carry the
 * SNOMED CT code a national feed sent.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    INSERT INTO immunisation_schedules (name, version, effective_from) VALUES ('UK routine childhood', 2, '2026-01-01');

    ALTER TABLE immunisation_events
      ADD COLUMN snomed_code text CONSTRAINT immunisation_events_snomed_code_check CHECK (snomed_code ~ '^[0-9]{6,18}$');

    CREATE TABLE immunisation_schedule_checks (
      child_id bigint PRIMARY KEY REFERENCES children(id) ON DELETE CASCADE,
      next_check_on date NOT NULL DEFAULT '-infinity',
      changes bigint NOT NULL DEFAULT 0,
      rules_version integer,
      checked_at timestamptz
    );
    CREATE INDEX immunisation_schedule_checks_due ON immunisation_schedule_checks (next_check_on, child_id);
    INSERT INTO immunisation_schedule_checks (child_id) SELECT id FROM children;

    CREATE FUNCTION immunisation_schedule_check_children() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO immunisation_schedule_checks (child_id) SELECT id FROM new_rows
        ON CONFLICT (child_id) DO UPDATE SET next_check_on = '-infinity', changes = immunisation_schedule_checks.changes + 1;
      ELSE
        UPDATE immunisation_schedule_checks k SET next_check_on = '-infinity', changes = k.changes + 1
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE k.child_id = n.id
          AND (n.date_of_birth, n.sex, n.locality_id, n.status) IS DISTINCT FROM (o.date_of_birth, o.sex, o.locality_id, o.status);
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER children_schedule_check_insert AFTER INSERT ON children
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION immunisation_schedule_check_children();
    CREATE TRIGGER children_schedule_check_update AFTER UPDATE ON children
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION immunisation_schedule_check_children();

    CREATE FUNCTION immunisation_schedule_check_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE immunisation_schedule_checks k SET next_check_on = '-infinity', changes = k.changes + 1
      WHERE k.child_id IN (SELECT child_id FROM changed_rows);
      RETURN NULL;
    END $$;
    CREATE TRIGGER immunisation_events_schedule_check_insert AFTER INSERT ON immunisation_events
      REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION immunisation_schedule_check_events();
    CREATE TRIGGER immunisation_events_schedule_check_update AFTER UPDATE ON immunisation_events
      REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION immunisation_schedule_check_events();
    CREATE TRIGGER immunisation_events_schedule_check_delete AFTER DELETE ON immunisation_events
      REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION immunisation_schedule_check_events();

    CREATE FUNCTION immunisation_schedule_check_grace() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE immunisation_schedule_checks k SET next_check_on = '-infinity', changes = k.changes + 1
      FROM children c WHERE c.id = k.child_id AND c.locality_id = NEW.id;
      RETURN NULL;
    END $$;
    CREATE TRIGGER localities_schedule_check_grace AFTER UPDATE OF overdue_grace_days ON localities
      FOR EACH ROW WHEN (OLD.overdue_grace_days IS DISTINCT FROM NEW.overdue_grace_days)
      EXECUTE FUNCTION immunisation_schedule_check_grace();
  `);
}
