/** Moved to records/tasks/; kept while callers move (issue 12). */
export * from '../../records/tasks/rows';
