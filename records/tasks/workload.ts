/**
 * Work in the safeguarding lead's localities: for each caseworker and lead working there, the
 * tasks they hold (claimed) and how many of those are overdue; for each team of those
 * localities, its unclaimed tasks and how many are overdue. Also the dashboard's task counts.
 */
import { select, selectOne, type Db } from '../sql';

export interface Workload {
  people: Array<{
    username: string;
    displayName: string;
    role: string;
    teams: string[];
    claimed: number;
    overdue: number;
  }>;
  teams: Array<{ code: string; name: string; unclaimed: number; overdue: number }>;
}

export async function workloadOf(db: Db, localityIds: number[], now: Date): Promise<Workload> {
  const people = await select<Workload['people'][number]>(
    db,
    `SELECT s.username, s.display_name, s.role,
       COALESCE((SELECT array_agg(t.code ORDER BY t.code) FROM staff_teams st JOIN teams t ON t.id = st.team_id WHERE st.staff_id = s.id), '{}') AS teams,
       (SELECT count(*)::int FROM human_tasks h WHERE h.assignee = s.username AND h.status = 'claimed') AS claimed,
       (SELECT count(*)::int FROM human_tasks h WHERE h.assignee = s.username AND h.status = 'claimed' AND h.due_at < $2) AS overdue
     FROM staff_users s
     WHERE s.active AND s.role IN ('caseworker', 'safeguarding_lead')
       AND (EXISTS (SELECT 1 FROM staff_localities sl WHERE sl.staff_id = s.id AND sl.locality_id = ANY($1::smallint[]))
            OR EXISTS (SELECT 1 FROM staff_teams st JOIN teams t ON t.id = st.team_id WHERE st.staff_id = s.id AND t.locality_id = ANY($1::smallint[])))
     ORDER BY claimed DESC, s.display_name, s.username`,
    [localityIds, now],
  );
  const teams = await select<Workload['teams'][number]>(
    db,
    `SELECT t.code, t.name,
       (SELECT count(*)::int FROM human_task_candidates e WHERE e.candidate = t.code) AS unclaimed,
       (SELECT count(*)::int FROM human_task_candidates e WHERE e.candidate = t.code AND e.due_at < $2) AS overdue
     FROM teams t WHERE t.locality_id = ANY($1::smallint[]) ORDER BY t.name`,
    [localityIds, now],
  );
  return { people, teams };
}

/** Active tasks of these localities that were escalated, and that are overdue, each counted up to `cap`. */
export async function localityTaskCounts(
  db: Db,
  localityIds: number[],
  now: Date,
  cap: number,
): Promise<{ escalated: number; overdue: number }> {
  const row = await selectOne<{ escalated: number; overdue: number }>(
    db,
    `SELECT
       (SELECT count(*)::int FROM (SELECT 1 FROM human_tasks t WHERE t.status IN ('open', 'claimed') AND t.escalated_at IS NOT NULL
          AND t.locality_id = ANY($1::smallint[]) LIMIT $3) x) AS escalated,
       (SELECT count(*)::int FROM (SELECT 1 FROM human_tasks t WHERE t.status IN ('open', 'claimed') AND t.due_at < $2
          AND t.locality_id = ANY($1::smallint[]) LIMIT $3) x) AS overdue`,
    [localityIds, now, cap],
  );
  return row!;
}
