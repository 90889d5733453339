/** Stable numeric keys for the engine's element instances (table element_instance_keys, migration 0016). */
import { select, type Db } from './sql';

/** The key of `elementInstanceId` of the instance, made on first use. */
export async function elementInstanceKey(
  db: Db,
  processInstanceId: string,
  elementInstanceId: string,
): Promise<string> {
  const rows = await select<{ key: string }>(
    db,
    `WITH made AS (
       INSERT INTO element_instance_keys (process_instance_id, element_instance_id) VALUES ($1, $2)
       ON CONFLICT (process_instance_id, element_instance_id) DO NOTHING RETURNING key)
     SELECT key::text AS key FROM made
     UNION ALL SELECT key::text FROM element_instance_keys WHERE process_instance_id = $1 AND element_instance_id = $2
     LIMIT 1`,
    [processInstanceId, elementInstanceId],
  );
  return rows[0].key;
}
