import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** Where a repository call runs: the pool, or inside a caller's transaction. */
export interface Db {
  sequelize: Sequelize;
  transaction?: Transaction;
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Rows as plain camelCase objects: repositories never hand out ORM instances. */
export async function select<T>(db: Db, sql: string, bind: unknown[] = []): Promise<T[]> {
  const rows = await db.sequelize.query<Record<string, unknown>>(sql, {
    type: QueryTypes.SELECT,
    bind,
    transaction: db.transaction,
  });
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), v])) as T);
}

export async function selectOne<T>(db: Db, sql: string, bind: unknown[] = []): Promise<T | null> {
  const rows = await select<T>(db, sql, bind);
  return rows[0] ?? null;
}

/** Runs `work` in one transaction, so a change and its audit event are written together or not at all. */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  if (db.transaction) return work(db);
  return db.sequelize.transaction((transaction) => work({ sequelize: db.sequelize, transaction }));
}

/**
 * Runs `work` inside a savepoint of the caller's transaction; `undo()` rolls back to it, so a
 * step refused later (by the engine) takes back what it wrote while the transaction goes on.
 */
export async function withSavepoint<T>(
  tx: Db,
  name: string,
  work: (undo: () => Promise<void>) => Promise<T>,
): Promise<T> {
  if (!tx.transaction) throw new Error(`savepoint ${name} needs a transaction`);
  if (!/^[a-z_]+$/.test(name)) throw new Error(`savepoint name ${name} is not a plain identifier`);
  await tx.sequelize.query(`SAVEPOINT ${name}`, { transaction: tx.transaction });
  return work(async () => {
    await tx.sequelize.query(`ROLLBACK TO SAVEPOINT ${name}`, { transaction: tx.transaction });
  });
}

/** Whether the database answers (for the health endpoint). */
export async function ping(db: Db): Promise<void> {
  await db.sequelize.query('SELECT 1');
}
