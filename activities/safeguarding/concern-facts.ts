/** A safeguarding concern with its child and locality, as the escalation process sees it. */
import type { ActivityOutput } from '../catalogue';
import { selectOne, type Db } from '../../db/repositories/sql';

export type ConcernFacts = ActivityOutput<'safeguarding.openEscalation'>;

interface Row {
  concernId: string;
  childId: string;
  nhsNumber: string;
  locality: string;
  localityId: number;
  severity: 'low' | 'medium' | 'high';
  reason: string;
  status: string;
  safeguardingAlert: ConcernFacts['safeguardingAlert'];
}

const BY_SEVERITY = { low: 50, medium: 70, high: 90 } as const;

/** High severity and children on a plan or looked after come first in the lead's queue. */
export function priorityOf(severity: Row['severity'], alert: Row['safeguardingAlert']): number {
  const extra = alert === 'child_protection_plan' || alert === 'looked_after' ? 10 : 0;
  return Math.min(100, BY_SEVERITY[severity] + extra);
}

export async function concernFacts(
  db: Db,
  concernId: string,
  lock = false,
): Promise<(ConcernFacts & { status: string }) | null> {
  const row = await selectOne<Row>(
    db,
    `SELECT k.id AS concern_id, k.child_id, c.nhs_number, l.code AS locality, c.locality_id, k.severity, k.summary AS reason, k.status, c.safeguarding_alert
     FROM safeguarding_concerns k JOIN children c ON c.id = k.child_id JOIN localities l ON l.id = c.locality_id
     WHERE k.id = $1${lock ? ' FOR UPDATE OF k' : ''}`,
    [concernId],
  );
  if (!row) return null;
  return { ...row, priority: priorityOf(row.severity, row.safeguardingAlert) };
}
