/** A child's transfers on their timeline: requested, and completed. */
import { select, type Db } from '../sql';
import { timelineAt, type TimelineEvent } from '../timeline';

export function transferTimeline(db: Db, childId: string): Promise<TimelineEvent[]> {
  return select<TimelineEvent>(
    db,
    `SELECT ${timelineAt('requested_at')}, 'transfer_requested' AS kind, direction AS summary, 'transfer:' || id AS ref, 6 AS "order"
       FROM transfers WHERE child_id = $1
     UNION ALL SELECT ${timelineAt('completed_at')}, 'transfer_completed', direction, 'transfer:' || id, 7
       FROM transfers WHERE child_id = $1 AND completed_at IS NOT NULL`,
    [childId],
  );
}
