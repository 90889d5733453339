/**
 * Task figures for operators (/metrics, system/metrics.ts): per queue (candidate group) its
 * unclaimed open tasks, the oldest one's creation and how many are past due; per locality the
 * active tasks past their due date (the SLA breaches the queues show as overdue) and those
 * escalated. Each reads the open tasks only (the candidate table, the active partial index),
 * never the closed history; /metrics reads them at most once per refresh period, not per scrape.
 */
import { select, type Db } from '../sql';

export interface QueueFigures {
  /** The candidate group (team code or role); personal candidate users are summed as `(candidate users)`. */
  queue: string;
  depth: number;
  oldestCreatedAt: Date | null;
  overdue: number;
}

export interface LocalitySlaFigures {
  /** The locality's code; `(none)` for tasks without a locality. */
  locality: string;
  overdue: number;
  escalated: number;
}

export async function taskQueueFigures(db: Db, now: Date): Promise<QueueFigures[]> {
  const rows = await select<{ queue: string; depth: number; oldestCreatedAt: Date | null; overdue: number }>(
    db,
    `SELECT CASE WHEN c.candidate LIKE 'user:%' THEN '(candidate users)' ELSE c.candidate END AS queue,
            count(*)::int AS depth, min(t.created_at) AS oldest_created_at,
            count(*) FILTER (WHERE c.due_at < $1)::int AS overdue
     FROM human_task_candidates c JOIN human_tasks t ON t.id = c.task_id
     GROUP BY 1 ORDER BY 1`,
    [now],
  );
  return rows;
}

export async function taskSlaFigures(db: Db, now: Date): Promise<LocalitySlaFigures[]> {
  return select<LocalitySlaFigures>(
    db,
    `SELECT COALESCE(l.code, '(none)') AS locality,
            count(*) FILTER (WHERE t.due_at < $1)::int AS overdue,
            count(*) FILTER (WHERE t.escalated_at IS NOT NULL)::int AS escalated
     FROM human_tasks t LEFT JOIN localities l ON l.id = t.locality_id
     WHERE t.status IN ('open', 'claimed')
     GROUP BY 1 ORDER BY 1`,
    [now],
  );
}
