/** Moved to records/sql.ts; kept while the repositories move into records/ (issue 12). */
export * from '../../records/sql';
