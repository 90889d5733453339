/**
 * The safeguarding-escalation process's steps: the concern it works on (from a raised concern
 * or a child-protection alert), escalation of an overdue decision, and the lead's decision.
 * The concern row follows every step; every step is audited by the process actor.
 */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { ALERT_RANK, setSafeguardingAlert } from '../children/changes';
import { childIdOfNumberOrSupersededSql, type SafeguardingAlert } from '../children/child-rows';
import { survivingChildId } from '../children/merge';
import { invalid, notFound } from '../errors';
import { inTransaction, select, selectOne, type Db } from '../sql';
import { deciderOfLatestTask, joinEscalationGroup } from '../tasks/rows';
import { raiseConcern } from './raise';
import { addConcernNote, type Severity } from './rows';

/** A concern with its child and locality, as the escalation process sees it. */
export interface ConcernFacts {
  concernId: string;
  childId: string;
  nhsNumber: string;
  locality: string;
  localityId: number;
  severity: Severity;
  /** Task priority from the severity and the child's alert (0–100). */
  priority: number;
  reason: string;
  safeguardingAlert: SafeguardingAlert;
}

const BY_SEVERITY = { low: 50, medium: 70, high: 90 } as const;

/** High severity and children on a plan or looked after come first in the lead's queue. */
export function priorityOf(severity: Severity, alert: SafeguardingAlert): number {
  const extra = alert === 'child_protection_plan' || alert === 'looked_after' ? 10 : 0;
  return Math.min(100, BY_SEVERITY[severity] + extra);
}

async function concernFacts(
  db: Db,
  concernId: string,
  lock = false,
): Promise<(ConcernFacts & { status: string }) | null> {
  const row = await selectOne<Omit<ConcernFacts, 'priority'> & { status: string }>(
    db,
    `SELECT k.id AS concern_id, k.child_id, c.nhs_number, l.code AS locality, c.locality_id, k.severity, k.summary AS reason, k.status, c.safeguarding_alert
     FROM safeguarding_concerns k JOIN children c ON c.id = k.child_id JOIN localities l ON l.id = c.locality_id
     WHERE k.id = $1${lock ? ' FOR UPDATE OF k' : ''}`,
    [concernId],
  );
  if (!row) return null;
  return { ...row, priority: priorityOf(row.severity, row.safeguardingAlert) };
}

/** The concern and its child for the safeguarding lead's task (audited). */
export async function openEscalation(db: Db, actor: ProcessActor, concernId: string): Promise<ConcernFacts> {
  const facts = await concernFacts(db, concernId);
  if (!facts) throw notFound(`no safeguarding concern ${concernId}`);
  await writeAudit(db, actor, {
    action: 'concern.escalation.open',
    entityType: 'safeguarding_concern',
    entityId: facts.concernId,
    childId: facts.childId,
    reason: 'safeguarding lead decision requested',
    detail: { severity: facts.severity, status: facts.status, locality: facts.locality },
  });
  const { status: _status, ...out } = facts;
  return out;
}

export interface ChildProtectionAlert {
  nhsNumber: string;
  childId?: string;
  type: 'child_protection_plan' | 'looked_after' | 'concern';
  summary?: string;
  severity?: Severity;
}

/**
 * A child-protection alert arrived: the stronger alert wins (a later "concern" does not lower a
 * child-protection plan), and a concern is opened once per `idempotencyKey`.
 */
export async function recordChildProtectionAlert(
  db: Db,
  actor: ProcessActor,
  alert: ChildProtectionAlert,
  idempotencyKey: string,
): Promise<ConcernFacts> {
  const child = await selectOne<{ id: string; safeguardingAlert: SafeguardingAlert }>(
    db,
    // A process started under a number PDS superseded still reaches the child (merged or not).
    `SELECT id, safeguarding_alert FROM children WHERE id = ${childIdOfNumberOrSupersededSql('$1')}`,
    [alert.nhsNumber],
  );
  if (!child) throw notFound(`no child record with NHS number ${alert.nhsNumber}`);
  // The id a process holds may be of a record merged since into this one.
  if (
    alert.childId !== undefined &&
    alert.childId !== child.id &&
    (await survivingChildId(db, alert.childId)) !== child.id
  )
    throw invalid(`child ${alert.childId} does not have NHS number ${alert.nhsNumber}`);
  const label =
    alert.type === 'child_protection_plan'
      ? 'child protection plan'
      : alert.type === 'looked_after'
        ? 'looked after child'
        : 'safeguarding concern';
  const concern = await inTransaction(db, async (tx) => {
    if (ALERT_RANK[alert.type] > ALERT_RANK[child.safeguardingAlert]) {
      await setSafeguardingAlert(tx, child.id, alert.type);
      await writeAudit(tx, actor, {
        action: 'child.safeguarding_alert.set',
        entityType: 'child',
        entityId: child.id,
        childId: child.id,
        reason: `child-protection alert received (${label})`,
        detail: { from: child.safeguardingAlert, to: alert.type },
      });
    }
    return raiseConcern(tx, actor, {
      childId: child.id,
      summary: alert.summary ?? `Child-protection alert received: ${label}`,
      severity: alert.severity ?? 'high',
      source: 'child_protection_alert',
      idempotencyKey,
    });
  });
  const { status: _status, ...out } = (await concernFacts(db, concern.concernId))!;
  return out;
}

/** The lead's decision is overdue: the concern is escalated and the instance's open task joins `escalateTo`'s queue. */
export async function escalateOverdueConcern(
  db: Db,
  actor: ProcessActor & { processInstanceId: string },
  concernId: string,
  escalateTo: string,
): Promise<{ concernStatus: 'escalated' }> {
  return inTransaction(db, async (tx) => {
    const facts = await concernFacts(tx, concernId, true);
    if (!facts) throw notFound(`no safeguarding concern ${concernId}`);
    if (facts.status === 'escalated' || facts.status === 'closed') return { concernStatus: 'escalated' as const };
    const reason = `safeguarding decision overdue: escalated to ${escalateTo}`;
    await select(
      tx,
      `UPDATE safeguarding_concerns SET status = 'escalated', escalated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id`,
      [facts.concernId],
    );
    const tasks = await joinEscalationGroup(tx, {
      processInstanceId: actor.processInstanceId,
      group: escalateTo,
      reason,
      concernId: facts.concernId,
    });
    await writeAudit(tx, actor, {
      action: 'concern.escalate',
      entityType: 'safeguarding_concern',
      entityId: facts.concernId,
      childId: facts.childId,
      reason,
      detail: { escalatedTo: escalateTo, tasks },
    });
    return { concernStatus: 'escalated' as const };
  });
}

export interface ConcernDecision {
  concernId: string;
  decision: 'close' | 'monitor' | 'refer';
  referTo?: 'childrens_social_care' | 'other_agency' | null;
  notes?: string | null;
  /** When a monitored concern is reviewed again (ISO 8601 duration from now). */
  reviewAfter?: string | null;
}

/** The lead's decision on the instance's latest task: close, monitor or refer on. */
export async function recordConcernDecision(
  db: Db,
  actor: ProcessActor & { processInstanceId: string },
  d: ConcernDecision,
): Promise<{ concernStatus: 'closed' | 'monitoring' | 'referred'; concernOutcome: string | null }> {
  return inTransaction(db, async (tx) => {
    const facts = await concernFacts(tx, d.concernId, true);
    if (!facts) throw notFound(`no safeguarding concern ${d.concernId}`);
    if (facts.status === 'closed') {
      const closed = await selectOne<{ outcome: string | null }>(
        tx,
        'SELECT outcome FROM safeguarding_concerns WHERE id = $1',
        [facts.concernId],
      );
      return { concernStatus: 'closed' as const, concernOutcome: closed?.outcome ?? null };
    }
    const decider = await deciderOfLatestTask(tx, actor.processInstanceId);
    let status: 'closed' | 'monitoring' | 'referred';
    let outcome: string | null = null;
    if (d.decision === 'close') {
      status = 'closed';
      outcome = facts.status === 'monitoring' ? 'monitoring_complete' : 'no_further_action';
      await select(
        tx,
        `UPDATE safeguarding_concerns SET status = 'closed', outcome = $2, closed_by = $3, closed_at = now(), review_due_at = NULL, row_version = row_version + 1
         WHERE id = $1 RETURNING id`,
        [facts.concernId, outcome, decider?.staffId ?? null],
      );
      const others = await selectOne<{ n: number }>(
        tx,
        `SELECT count(*)::int AS n FROM safeguarding_concerns WHERE child_id = $1 AND status <> 'closed'`,
        [facts.childId],
      );
      if (facts.safeguardingAlert === 'concern' && others!.n === 0)
        await setSafeguardingAlert(tx, facts.childId, 'none');
    } else if (d.decision === 'monitor') {
      status = 'monitoring';
      await select(
        tx,
        `UPDATE safeguarding_concerns SET status = 'monitoring', review_due_at = now() + $2::interval, row_version = row_version + 1
         WHERE id = $1 RETURNING id`,
        [facts.concernId, d.reviewAfter ?? 'P28D'],
      );
    } else {
      status = 'referred';
      outcome = `referred_to_${d.referTo ?? 'childrens_social_care'}`;
      await select(
        tx,
        `UPDATE safeguarding_concerns SET status = 'referred', outcome = $2, review_due_at = NULL, row_version = row_version + 1
         WHERE id = $1 RETURNING id`,
        [facts.concernId, outcome],
      );
    }
    if (decider?.staffId && d.notes) {
      await addConcernNote(tx, facts.concernId, status === 'closed' ? 'closure' : 'note', d.notes, decider.staffId);
    }
    await writeAudit(tx, actor, {
      action: `concern.${d.decision}`,
      entityType: 'safeguarding_concern',
      entityId: facts.concernId,
      childId: facts.childId,
      reason: d.notes ?? null,
      detail: {
        decision: d.decision,
        status,
        outcome,
        decidedBy: decider?.username ?? null,
        ...(d.decision === 'monitor' ? { reviewAfter: d.reviewAfter ?? 'P28D' } : {}),
      },
    });
    return { concernStatus: status, concernOutcome: outcome };
  });
}
