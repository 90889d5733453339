/**
 * How many tasks each queue holds, for the badges on the queue tabs. Each count stops at
 * `cap` (shown as "1000+"), so a count costs at most `cap` index entries whatever the
 * size of the queue; the per-process counts read the few deployed keys one by one.
 */
import type { QueueViewer } from './rows';
import { select, selectOne, type Db } from '../sql';

export interface QueueCountsRow {
  mine: number;
  unclaimed: number;
  dueToday: number;
  overdue: number;
  localities: Array<{ id: number; count: number }>;
  processes: Array<{ key: string; name: string | null; count: number }>;
}

const ACTIVE = `t.status IN ('open', 'claimed')`;
const VISIBLE = `(t.locality_id = ANY($2::smallint[]) OR t.assignee = $1 OR t.candidate_groups && $3::text[] OR $1 = ANY(t.candidate_users))`;

export async function queueCounts(db: Db, v: QueueViewer, now: Date, cap: number): Promise<QueueCountsRow> {
  const bind = [v.username, v.localityIds, v.groups, cap, now];
  const capped = (inner: string) => `(SELECT count(*)::int FROM (${inner} LIMIT $4) x)`;
  // "Today" is the London calendar day, as in the due-today queue.
  const dayStart = `(date_trunc('day', $5::timestamptz AT TIME ZONE 'Europe/London') AT TIME ZONE 'Europe/London')`;
  const row = await selectOne<Omit<QueueCountsRow, 'localities' | 'processes'>>(
    db,
    `SELECT
       ${capped(`SELECT 1 FROM human_tasks t WHERE ${ACTIVE} AND t.assignee = $1`)} AS mine,
       ${capped(`SELECT DISTINCT e.task_id FROM human_task_candidates e
                 WHERE e.candidate = ANY(array_append($3::text[], 'user:' || $1))
                   AND (e.locality_id IS NULL OR e.locality_id = ANY($2::smallint[]))`)} AS unclaimed,
       ${capped(`SELECT 1 FROM human_tasks t WHERE ${ACTIVE} AND t.due_at >= ${dayStart} AND t.due_at < ${dayStart} + interval '1 day' AND ${VISIBLE}`)} AS due_today,
       ${capped(`SELECT 1 FROM human_tasks t WHERE ${ACTIVE} AND t.due_at < $5::timestamptz AND ${VISIBLE}`)} AS overdue`,
    bind,
  );
  const localities = await select<{ id: number; count: number }>(
    db,
    `SELECT l.id, (SELECT count(*)::int FROM (SELECT 1 FROM human_tasks t WHERE ${ACTIVE} AND t.locality_id = l.id LIMIT $2) x) AS count
     FROM unnest($1::smallint[]) AS l(id) ORDER BY l.id`,
    [v.localityIds, cap],
  );
  const processes = await select<{ key: string; name: string | null; count: number }>(
    db,
    `SELECT d.key, d.name, ${capped(`SELECT 1 FROM human_tasks t WHERE ${ACTIVE} AND t.process_key = d.key AND ${VISIBLE}`)} AS count
     FROM (SELECT DISTINCT ON (key) key, name FROM process_definitions ORDER BY key, version DESC) d
     ORDER BY d.name NULLS LAST, d.key`,
    [v.username, v.localityIds, v.groups, cap],
  );
  return { ...row!, localities, processes: processes.filter((p) => p.count > 0) };
}
