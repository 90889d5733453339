import type { MigrationContext } from '../migration-context';

/**
 * "My teams' unclaimed tasks" at scale. A GIN index finds the open tasks of a group but
 * cannot return them in queue order, so a busy team's queue meant sorting thousands of rows
 * per page. This table holds one row per (candidate, open task) with a btree in queue order;
 * a page reads at most `limit` rows per candidate group of the caller. Statement-level
 * triggers keep it in step with human_tasks, whoever writes the tasks.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE human_task_candidates (
      -- A group code or role name, or 'user:' || username for candidate users.
      candidate text NOT NULL,
      task_id uuid NOT NULL REFERENCES human_tasks(id) ON DELETE CASCADE,
      priority integer NOT NULL,
      due_at timestamptz,
      locality_id smallint,
      PRIMARY KEY (candidate, task_id)
    );
    CREATE INDEX human_task_candidates_queue ON human_task_candidates (candidate, priority DESC, due_at, task_id);
    CREATE INDEX human_task_candidates_task ON human_task_candidates (task_id);

    CREATE FUNCTION human_task_candidates_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        DELETE FROM human_task_candidates c USING changed_rows n WHERE c.task_id = n.id;
      END IF;
      INSERT INTO human_task_candidates (candidate, task_id, priority, due_at, locality_id)
      SELECT DISTINCT x.candidate, n.id, n.priority, n.due_at, n.locality_id
      FROM changed_rows n
      CROSS JOIN LATERAL (
        SELECT unnest(n.candidate_groups) AS candidate
        UNION ALL SELECT 'user:' || unnest(n.candidate_users)
      ) x
      WHERE n.status = 'open';
      RETURN NULL;
    END $$;
    CREATE TRIGGER human_task_candidates_insert AFTER INSERT ON human_tasks
      REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION human_task_candidates_sync();
    CREATE TRIGGER human_task_candidates_update AFTER UPDATE ON human_tasks
      REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION human_task_candidates_sync();

    INSERT INTO human_task_candidates (candidate, task_id, priority, due_at, locality_id)
    SELECT DISTINCT x.candidate, t.id, t.priority, t.due_at, t.locality_id
    FROM human_tasks t
    CROSS JOIN LATERAL (SELECT unnest(t.candidate_groups) AS candidate UNION ALL SELECT 'user:' || unnest(t.candidate_users)) x
    WHERE t.status = 'open';
  `);
}
