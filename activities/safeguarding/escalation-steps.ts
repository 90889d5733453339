/**
 * The safeguarding-escalation process's steps: the concern it works on (from a raised concern
 * or a child-protection alert), escalation of an overdue decision, and the lead's decision.
 * The concern row follows every step; every step is audited (actor system:safeguarding-escalation).
 */
import { SAFEGUARDING_ACTIVITIES } from '../catalogue/safeguarding';
import type { ActivityOutput } from '../catalogue';
import { addConcernNote } from '../../db/repositories/concerns';
import { inTransaction, select, selectOne, type Db } from '../../db/repositories/sql';
import { asRunningProcess, auditBySystem, failure, parseInput, processInstanceActivity } from '../support';
import { concernFacts, type ConcernFacts } from './concern-facts';
import { insertConcernOnce } from './raise-concern';

export const ESCALATION_ACTOR = 'system:safeguarding-escalation';

export async function openEscalation(db: Db, raw: unknown): Promise<ConcernFacts> {
  const input = parseInput(
    'safeguarding.openEscalation',
    SAFEGUARDING_ACTIVITIES['safeguarding.openEscalation'].input,
    raw,
  );
  const facts = await concernFacts(db, input.concernId);
  if (!facts) throw failure('NotFoundError', `safeguarding.openEscalation: no safeguarding concern ${input.concernId}`);
  await auditBySystem(db, asRunningProcess(ESCALATION_ACTOR), {
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

const ALERT_RANK = { none: 0, concern: 1, looked_after: 2, child_protection_plan: 3 } as const;

export async function recordAlert(db: Db, raw: unknown): Promise<ConcernFacts> {
  const input = parseInput('safeguarding.recordAlert', SAFEGUARDING_ACTIVITIES['safeguarding.recordAlert'].input, raw);
  const { idempotencyKey } = processInstanceActivity();
  const child = await selectOne<{ id: string; safeguardingAlert: keyof typeof ALERT_RANK }>(
    db,
    'SELECT id, safeguarding_alert FROM children WHERE nhs_number = $1',
    [input.nhsNumber],
  );
  if (!child)
    throw failure('NotFoundError', `safeguarding.recordAlert: no child record with NHS number ${input.nhsNumber}`);
  if (input.childId !== undefined && input.childId !== child.id)
    throw failure(
      'ValidationError',
      `safeguarding.recordAlert: child ${input.childId} does not have NHS number ${input.nhsNumber}`,
    );
  const type = input.alert.type;
  const label =
    type === 'child_protection_plan'
      ? 'child protection plan'
      : type === 'looked_after'
        ? 'looked after child'
        : 'safeguarding concern';
  const concern = await inTransaction(db, async (tx) => {
    // The stronger alert wins; a later "concern" does not lower a child-protection plan.
    if (ALERT_RANK[type] > ALERT_RANK[child.safeguardingAlert]) {
      await tx.sequelize.query(
        'UPDATE children SET safeguarding_alert = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1',
        {
          bind: [child.id, type],
          transaction: tx.transaction,
        },
      );
      await auditBySystem(tx, asRunningProcess(ESCALATION_ACTOR), {
        action: 'child.safeguarding_alert.set',
        entityType: 'child',
        entityId: child.id,
        childId: child.id,
        reason: `child-protection alert received (${label})`,
        detail: { from: child.safeguardingAlert, to: type },
      });
    }
    return insertConcernOnce(tx, {
      childId: child.id,
      reason: input.alert.summary ?? `Child-protection alert received: ${label}`,
      severity: input.alert.severity ?? 'high',
      source: 'child_protection_alert',
      idempotencyKey,
      actor: ESCALATION_ACTOR,
    });
  });
  const facts = (await concernFacts(db, concern.concernId))!;
  const { status: _status, ...out } = facts;
  return out;
}

export async function escalateOverdue(db: Db, raw: unknown): Promise<ActivityOutput<'safeguarding.escalateOverdue'>> {
  const input = parseInput(
    'safeguarding.escalateOverdue',
    SAFEGUARDING_ACTIVITIES['safeguarding.escalateOverdue'].input,
    raw,
  );
  const { processInstanceId } = processInstanceActivity();
  return inTransaction(db, async (tx) => {
    const facts = await concernFacts(tx, input.concernId, true);
    if (!facts)
      throw failure('NotFoundError', `safeguarding.escalateOverdue: no safeguarding concern ${input.concernId}`);
    if (facts.status === 'escalated' || facts.status === 'closed') return { concernStatus: 'escalated' as const };
    const reason = `safeguarding decision overdue: escalated to ${input.escalateTo}`;
    await tx.sequelize.query(
      `UPDATE safeguarding_concerns SET status = 'escalated', escalated_at = now(), row_version = row_version + 1 WHERE id = $1`,
      { bind: [facts.concernId], transaction: tx.transaction },
    );
    // The lead's open task joins the escalation team's queue too, at the top.
    const tasks = await select<{ id: string }>(
      tx,
      `UPDATE human_tasks SET candidate_groups = CASE WHEN $2::text = ANY(candidate_groups) THEN candidate_groups ELSE candidate_groups || ARRAY[$2::text] END, priority = 100,
         escalated_at = now(), escalation_reason = $3, concern_id = $4, row_version = row_version + 1
       WHERE process_instance_id = $1 AND status IN ('open', 'claimed') RETURNING id`,
      [processInstanceId, input.escalateTo, reason, facts.concernId],
    );
    await auditBySystem(tx, asRunningProcess(ESCALATION_ACTOR), {
      action: 'concern.escalate',
      entityType: 'safeguarding_concern',
      entityId: facts.concernId,
      childId: facts.childId,
      reason,
      detail: { escalatedTo: input.escalateTo, tasks: tasks.map((t) => t.id) },
    });
    return { concernStatus: 'escalated' as const };
  });
}

export async function recordDecision(db: Db, raw: unknown): Promise<ActivityOutput<'safeguarding.recordDecision'>> {
  const input = parseInput(
    'safeguarding.recordDecision',
    SAFEGUARDING_ACTIVITIES['safeguarding.recordDecision'].input,
    raw,
  );
  const { processInstanceId } = processInstanceActivity();
  return inTransaction(db, async (tx) => {
    const facts = await concernFacts(tx, input.concernId, true);
    if (!facts)
      throw failure('NotFoundError', `safeguarding.recordDecision: no safeguarding concern ${input.concernId}`);
    if (facts.status === 'closed') {
      const closed = await selectOne<{ outcome: string | null }>(
        tx,
        'SELECT outcome FROM safeguarding_concerns WHERE id = $1',
        [facts.concernId],
      );
      return { concernStatus: 'closed' as const, concernOutcome: closed?.outcome ?? null };
    }
    // Who decided: whoever completed (or, while the task API still holds the row, claimed) this
    // instance's latest task; null when it was completed outside the task API.
    const decider = await selectOne<{ staffId: number | null; username: string | null }>(
      tx,
      `SELECT s.id AS staff_id, coalesce(t.completed_by, t.assignee) AS username
       FROM human_tasks t LEFT JOIN staff_users s ON s.username = coalesce(t.completed_by, t.assignee)
       WHERE t.process_instance_id = $1 AND t.status IN ('completed', 'claimed')
       ORDER BY coalesce(t.completed_at, t.claimed_at) DESC NULLS LAST LIMIT 1`,
      [processInstanceId],
    );
    let status: 'closed' | 'monitoring' | 'referred';
    let outcome: string | null = null;
    if (input.decision === 'close') {
      status = 'closed';
      outcome = facts.status === 'monitoring' ? 'monitoring_complete' : 'no_further_action';
      await tx.sequelize.query(
        `UPDATE safeguarding_concerns SET status = 'closed', outcome = $2, closed_by = $3, closed_at = now(), review_due_at = NULL, row_version = row_version + 1 WHERE id = $1`,
        { bind: [facts.concernId, outcome, decider?.staffId ?? null], transaction: tx.transaction },
      );
      const others = await selectOne<{ n: number }>(
        tx,
        `SELECT count(*)::int AS n FROM safeguarding_concerns WHERE child_id = $1 AND status <> 'closed'`,
        [facts.childId],
      );
      if (facts.safeguardingAlert === 'concern' && others!.n === 0) {
        await tx.sequelize.query(
          `UPDATE children SET safeguarding_alert = 'none', updated_at = now(), row_version = row_version + 1 WHERE id = $1`,
          {
            bind: [facts.childId],
            transaction: tx.transaction,
          },
        );
      }
    } else if (input.decision === 'monitor') {
      status = 'monitoring';
      await tx.sequelize.query(
        `UPDATE safeguarding_concerns SET status = 'monitoring', review_due_at = now() + $2::interval, row_version = row_version + 1 WHERE id = $1`,
        { bind: [facts.concernId, input.reviewAfter ?? 'P28D'], transaction: tx.transaction },
      );
    } else {
      status = 'referred';
      outcome = `referred_to_${input.referTo ?? 'childrens_social_care'}`;
      await tx.sequelize.query(
        `UPDATE safeguarding_concerns SET status = 'referred', outcome = $2, review_due_at = NULL, row_version = row_version + 1 WHERE id = $1`,
        { bind: [facts.concernId, outcome], transaction: tx.transaction },
      );
    }
    if (decider?.staffId && input.notes) {
      await addConcernNote(tx, facts.concernId, status === 'closed' ? 'closure' : 'note', input.notes, decider.staffId);
    }
    await auditBySystem(tx, asRunningProcess(ESCALATION_ACTOR), {
      action: `concern.${input.decision}`,
      entityType: 'safeguarding_concern',
      entityId: facts.concernId,
      childId: facts.childId,
      reason: input.notes ?? null,
      detail: {
        decision: input.decision,
        status,
        outcome,
        decidedBy: decider?.username ?? null,
        ...(input.decision === 'monitor' ? { reviewAfter: input.reviewAfter ?? 'P28D' } : {}),
      },
    });
    return { concernStatus: status, concernOutcome: outcome };
  });
}
