/** Stable numeric keys for the engine's element instances (table element_instance_keys, migration 0016). */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** The key of `elementInstanceId` of the instance, made on first use. */
export async function elementInstanceKey(
  sequelize: Sequelize,
  processInstanceId: string,
  elementInstanceId: string,
  transaction?: Transaction,
): Promise<string> {
  const rows = await sequelize.query<{ key: string }>(
    `WITH made AS (
       INSERT INTO element_instance_keys (process_instance_id, element_instance_id) VALUES ($1, $2)
       ON CONFLICT (process_instance_id, element_instance_id) DO NOTHING RETURNING key)
     SELECT key::text AS key FROM made
     UNION ALL SELECT key::text FROM element_instance_keys WHERE process_instance_id = $1 AND element_instance_id = $2
     LIMIT 1`,
    { type: QueryTypes.SELECT, bind: [processInstanceId, elementInstanceId], transaction },
  );
  return rows[0].key;
}
