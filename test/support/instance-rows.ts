/**
 * A process_instances row for activities called directly (MockActivityEnvironment): the row
 * the engine mirrors when an instance starts, holding the business key that activities take
 * the child's identity from (activities/support/business-key.ts).
 */
import { select, type Db } from '../../records/sql';

export async function recordInstanceRow(
  db: Db,
  id: string,
  businessKey: string | null,
  key = 'test-process',
): Promise<string> {
  const [def] = await select<{ id: number }>(
    db,
    `INSERT INTO process_definitions (key, version, xml, compiled, checksum)
     VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM process_definitions WHERE key = $1), '<definitions/>', '{}', repeat('0', 64))
     RETURNING id`,
    [key],
  );
  await select(db, 'INSERT INTO process_instances (id, definition_id, business_key) VALUES ($1, $2, $3) RETURNING id', [
    id,
    def.id,
    businessKey,
  ]);
  return id;
}
