import type { MigrationContext } from '../migration-context';

/**
 * - audit_events.child_ids: a list read (a task queue, the concerns of a locality) writes one
 *   audit row naming every child it returned; the trail filtered by child finds it too.
 * - idempotency_keys: what a retried activity looks up to find its first attempt's work (the
 *   record it created, the audit row it wrote). It used to be read out of audit_events.detail;
 *   the existing keys are copied over, so attempts in flight across the upgrade still find them.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE audit_events ADD COLUMN child_ids bigint[];
    CREATE INDEX audit_events_child_ids ON audit_events USING gin (child_ids) WHERE child_ids IS NOT NULL;

    CREATE TABLE idempotency_keys (
      key text PRIMARY KEY,
      -- What the key guards (e.g. 'child.create', 'screening.audit').
      scope text NOT NULL,
      result jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    );

    INSERT INTO idempotency_keys (key, scope, result, recorded_at)
      SELECT 'child.create:' || (detail->>'processInstanceId') || ':' || child_id, 'child.create',
             jsonb_build_object('childId', child_id::text), occurred_at
      FROM audit_events WHERE action = 'child.create' AND child_id IS NOT NULL AND detail ? 'processInstanceId'
    ON CONFLICT (key) DO NOTHING;
    INSERT INTO idempotency_keys (key, scope, result, recorded_at)
      SELECT 'screening.audit:' || child_id || ':' || (detail->>'idempotencyKey'), 'screening.audit',
             jsonb_build_object('auditEventId', id::text), occurred_at
      FROM audit_events WHERE action LIKE 'screening.%' AND child_id IS NOT NULL AND detail ? 'idempotencyKey'
    ON CONFLICT (key) DO NOTHING;
  `);
}
