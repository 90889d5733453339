/**
 * Bulk loading of the synthetic region (db/seed): children and their contacts, immunisations,
 * screening and concerns in COPY batches, over the seed's own connections (a pg `Client` each,
 * not the pool's transactions), one transaction per batch. Synthetic data written by the seed
 * itself: nobody reads a child here, so nothing is audited.
 */
import type { Client } from 'pg';
import type { Sequelize } from 'sequelize';
import { copyRows } from './copy';

/** Ready-made COPY text per table (tab-separated, \N for null, newline-terminated rows). */
export interface ChildBatchChunks {
  children: readonly string[];
  contacts: readonly string[];
  immunisation_events: readonly string[];
  screening_results: readonly string[];
  safeguarding_concerns: readonly string[];
}

/** The columns of each table's COPY text, in order (db/seed/child-factory.ts writes them so). */
export const BATCH_COLUMNS: Readonly<Record<keyof ChildBatchChunks, readonly string[]>> = {
  children: [
    'id',
    'nhs_number',
    'given_name',
    'family_name',
    'date_of_birth',
    'sex',
    'address_line1',
    'address_line2',
    'town',
    'postcode',
    'locality_id',
    'gp_practice_ods',
    'safeguarding_alert',
  ],
  contacts: ['child_id', 'relationship', 'name', 'phone', 'email', 'preferred_method', 'is_primary'],
  immunisation_events: ['child_id', 'vaccine', 'dose', 'given_on', 'given_by', 'source'],
  screening_results: ['child_id', 'programme', 'outcome', 'recorded_on', 'detail'],
  safeguarding_concerns: ['child_id', 'status', 'summary', 'raised_by', 'raised_at'],
};

/** Whether the database holds no children yet (start-up seeds a demo region only then). */
export async function regionIsEmpty(sequelize: Sequelize): Promise<boolean> {
  const [rows] = (await sequelize.query('SELECT NOT EXISTS (SELECT 1 FROM children) AS empty')) as [
    { empty: boolean }[],
    unknown,
  ];
  return rows[0].empty;
}

/** Takes the session-level advisory lock `key` if free; false when another session holds it. */
export async function tryBulkLock(client: Client, key: number): Promise<boolean> {
  return (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key])).rows[0].ok;
}

export async function releaseBulkLock(client: Client, key: number): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [key]);
}

export async function countChildren(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM children');
  return Number(rows[0].n);
}

/** The highest NHS number stored from `low` to `high` (inclusive), or null. */
export async function highestNhsNumberBetween(client: Client, low: string, high: string): Promise<string | null> {
  const { rows } = await client.query<{ max: string | null }>(
    'SELECT max(nhs_number) AS max FROM children WHERE nhs_number BETWEEN $1 AND $2',
    [low, high],
  );
  return rows[0].max;
}

/**
 * Runs `work` in one transaction on `client`. Commits are not waited for on disk: a commit lost
 * in a crash only loses seed rows, which a re-run with append restores.
 */
export async function inBulkTransaction<T>(client: Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL synchronous_commit = off');
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** `count` child ids taken from the children sequence, in order. */
export async function reserveChildIds(client: Client, count: number): Promise<number[]> {
  const { rows } = await client.query<{ id: string }>(
    "SELECT nextval(pg_get_serial_sequence('children', 'id')) AS id FROM generate_series(1, $1)",
    [count],
  );
  return rows.map((r) => Number(r.id));
}

/** Writes one batch of children with their rows, in one transaction of its own. */
export async function writeChildBatch(client: Client, chunks: ChildBatchChunks): Promise<void> {
  await inBulkTransaction(client, async () => {
    for (const table of Object.keys(BATCH_COLUMNS) as (keyof ChildBatchChunks)[])
      await copyRows(client, table, BATCH_COLUMNS[table], chunks[table]);
  });
}
