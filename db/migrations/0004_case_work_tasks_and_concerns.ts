import type { MigrationContext } from '../migration-context';

/**
 * Work queues and safeguarding cases: the process key on each task (so "by process" needs no
 * join), keyset indexes for the queues, tasks grouped under a concern, and a concern's notes.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE safeguarding_concerns
      ADD COLUMN escalated_at timestamptz,
      ADD COLUMN escalated_by integer REFERENCES staff_users(id),
      ADD COLUMN row_version integer NOT NULL DEFAULT 1;

    CREATE TABLE safeguarding_concern_notes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      concern_id bigint NOT NULL REFERENCES safeguarding_concerns(id),
      kind text NOT NULL CHECK (kind IN ('raised', 'note', 'escalation', 'closure')),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      author_id integer NOT NULL REFERENCES staff_users(id),
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX safeguarding_concern_notes_concern ON safeguarding_concern_notes (concern_id, created_at);

    ALTER TABLE human_tasks
      ADD COLUMN process_key text,
      ADD COLUMN concern_id bigint REFERENCES safeguarding_concerns(id),
      ADD COLUMN escalated_at timestamptz,
      ADD COLUMN escalation_reason text;

    -- Whoever inserts a task (the engine, a test, a bench) gets the process key filled in.
    CREATE FUNCTION human_tasks_fill_process_key() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.process_key IS NULL THEN
        SELECT d.key INTO NEW.process_key
        FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
        WHERE i.id = NEW.process_instance_id;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER human_tasks_process_key BEFORE INSERT ON human_tasks
      FOR EACH ROW EXECUTE FUNCTION human_tasks_fill_process_key();

    -- Keyset order of every queue: priority DESC, due_at ASC NULLS LAST, id.
    CREATE INDEX human_tasks_active_queue ON human_tasks (priority DESC, due_at, id) WHERE status IN ('open', 'claimed');
    CREATE INDEX human_tasks_process_queue ON human_tasks (process_key, priority DESC, due_at, id) WHERE status IN ('open', 'claimed');
    CREATE INDEX human_tasks_child_queue ON human_tasks (child_id, priority DESC, due_at, id) WHERE status IN ('open', 'claimed');
    CREATE INDEX human_tasks_concern ON human_tasks (concern_id) WHERE concern_id IS NOT NULL;
  `);
}
