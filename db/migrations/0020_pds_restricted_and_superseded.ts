import type { MigrationContext } from '../migration-context';

/**
 * What PDS tells about a child beyond the demographics (pds.lookupPatient):
 * - `children.restricted`: the record is restricted on PDS ("S-flagged", sensitive). The address
 *   stays for routing only: reads for staff, task inputs, timelines and letters leave it out.
 * - `superseded_nhs_numbers`: an NHS number PDS answered with the child's current number (records
 *   merged nationally). The record carries the current number; the old one stays linked to it,
 *   so what arrives under the old number can still be found and the change is traceable.
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    ALTER TABLE children ADD COLUMN restricted boolean NOT NULL DEFAULT false;

    CREATE TABLE superseded_nhs_numbers (
      nhs_number text PRIMARY KEY CHECK (nhs_number ~ '^[0-9]{10}$'),
      child_id bigint NOT NULL REFERENCES children(id) ON DELETE CASCADE,
      current_nhs_number text NOT NULL CHECK (current_nhs_number ~ '^[0-9]{10}$'),
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX superseded_nhs_numbers_child ON superseded_nhs_numbers (child_id);
  `);
}
