import type { MigrationContext } from '../migration-context';

/**
 * What the child-mover and safeguarding-escalation processes need beyond 0001/0004:
 * - transfers: one row per process instance (a retried activity finds its row again), the
 *   escalation time, the safeguarding handover, and a jsonb detail (GP practices, checks).
 * - safeguarding_concerns: an idempotency key for concerns raised by processes, the severity
 *   the lead's task is prioritised by, where the concern came from, and the next review date.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE UNIQUE INDEX transfers_process_instance ON transfers (process_instance_id) WHERE process_instance_id IS NOT NULL;
    ALTER TABLE transfers
      ADD COLUMN escalated_at timestamptz,
      ADD COLUMN handover_completed_at timestamptz,
      ADD COLUMN detail jsonb NOT NULL DEFAULT '{}'::jsonb;

    ALTER TABLE safeguarding_concerns
      ADD COLUMN idempotency_key text,
      ADD COLUMN severity text NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
      ADD COLUMN source text NOT NULL DEFAULT 'caseworker' CHECK (source IN ('caseworker', 'process', 'child_protection_alert')),
      ADD COLUMN review_due_at timestamptz;
    CREATE UNIQUE INDEX safeguarding_concerns_idempotency ON safeguarding_concerns (idempotency_key) WHERE idempotency_key IS NOT NULL;
  `);
}
