/** One entry of a child's timeline; each module that holds part of the record gives its own entries. */
export interface TimelineEvent {
  /** ISO 8601 UTC with milliseconds; a date without a time is the start of its day. */
  at: string;
  kind: string;
  summary: string;
  ref: string;
  /** Order of kinds at the same moment (birth first, then results, concerns, tasks, transfers). */
  order: number;
  /** `at` to the microsecond, for ordering. */
  sortAt: string;
}

/** SQL selecting `at` and `sort_at` of a timestamptz expression. */
export const timelineAt = (expression: string) =>
  `to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
   to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS sort_at`;

/** Oldest first; at the same moment by kind, then by reference. */
export function inTimelineOrder(
  events: TimelineEvent[],
): Array<Pick<TimelineEvent, 'at' | 'kind' | 'summary' | 'ref'>> {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...events]
    .sort((a, b) => cmp(a.sortAt, b.sortAt) || a.order - b.order || cmp(a.ref, b.ref))
    .map(({ at, kind, summary, ref }) => ({ at, kind, summary, ref }));
}

/** SQL for a date column as the start of its day in UTC. */
export const startOfDay = (column: string) => `${column}::timestamp AT TIME ZONE 'UTC'`;
