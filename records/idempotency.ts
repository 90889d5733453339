/**
 * Idempotency keys (`idempotency_keys`, migration 0017): a retried activity finds what its
 * first attempt did (the record it created, the audit row it wrote) under the same key.
 */
import { select, selectOne, type Db } from './sql';

/** The result recorded under `key`, or null. */
export async function recordedResult<T extends Record<string, unknown>>(db: Db, key: string): Promise<T | null> {
  const row = await selectOne<{ result: T }>(db, 'SELECT result FROM idempotency_keys WHERE key = $1', [key]);
  return row?.result ?? null;
}

/** Records the result of the work done under `key` (in the work's transaction); a second record of a key is ignored. */
export async function recordResult(db: Db, key: string, scope: string, result: Record<string, unknown>): Promise<void> {
  await select(
    db,
    'INSERT INTO idempotency_keys (key, scope, result) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING key',
    [key, scope, JSON.stringify(result)],
  );
}

/** Serialises the attempts of one key until the end of the transaction `tx`. */
export async function lockKey(tx: Db, key: string): Promise<void> {
  await selectOne(tx, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}
