import type { MigrationContext } from '../migration-context';

/**
 * Two records of one child merged after PDS superseded the NHS number of one by the other's
 * (records/children/merge.ts): the superseded number's record is moved onto the surviving one
 * and removed. `child_merges` keeps, per merge, who merged, when, what moved, what the merged
 * record said that the surviving one did not take (its demographics, duplicates set aside, the
 * conflicts resolved and how), so nothing of it is lost; the record's id stays findable for
 * processes that started under it and the audit rows written about it (audit_events is
 * append-only and keeps the old id).
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    CREATE TABLE child_merges (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      merged_child_id bigint NOT NULL UNIQUE,
      merged_nhs_number char(10) NOT NULL UNIQUE,
      into_child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      into_nhs_number char(10) NOT NULL,
      merged_by text NOT NULL,
      merged_at timestamptz NOT NULL DEFAULT now(),
      reason text NOT NULL,
      merged_record jsonb NOT NULL,
      moved jsonb NOT NULL,
      set_aside jsonb NOT NULL DEFAULT '[]'::jsonb,
      resolved jsonb NOT NULL DEFAULT '[]'::jsonb
    );
    CREATE INDEX child_merges_into ON child_merges (into_child_id);
  `);
}
