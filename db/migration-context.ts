/** What each numbered migration receives: a function that runs SQL inside the migration's transaction. */
export type RunSql = (sql: string, bind?: unknown[]) => Promise<unknown>;

export interface MigrationContext {
  context: RunSql;
}
