/**
 * Raising a safeguarding concern: the concern row (idempotent on a key), the child's alert
 * ('concern' when it had none) and the audit event in one transaction, then the
 * `safeguardingEscalationRaised` message that starts the safeguarding-escalation process.
 * Used by the `safeguarding.raiseConcern` activity and by the caseworker's API route.
 */
import type { PublishDeps } from '../engine/publish-message';
import { publishMessage } from '../engine/publish-message';
import { inTransaction, selectOne, type Db } from '../../db/repositories/sql';
import { asRunningProcess, auditBySystem, failure } from '../support';

export const ESCALATION_RAISED_MESSAGE = 'safeguardingEscalationRaised';

export interface ConcernRaised {
  concernId: string;
  childId: string;
  nhsNumber: string;
  reason: string;
  severity: 'low' | 'medium' | 'high';
}

/** Inserts the concern once per idempotency key; a repeat returns the first concern. */
export async function insertConcernOnce(
  db: Db,
  c: {
    childId: string;
    reason: string;
    severity: ConcernRaised['severity'];
    source: 'process' | 'child_protection_alert';
    idempotencyKey: string;
    actor: string;
  },
): Promise<ConcernRaised & { created: boolean }> {
  return inTransaction(db, async (tx) => {
    const child = await selectOne<{ nhsNumber: string; safeguardingAlert: string }>(
      tx,
      'SELECT nhs_number, safeguarding_alert FROM children WHERE id = $1 FOR UPDATE',
      [c.childId],
    );
    if (!child) throw failure('NotFoundError', `no child record ${c.childId}`);
    const inserted = await selectOne<{ id: string }>(
      tx,
      `INSERT INTO safeguarding_concerns (child_id, summary, severity, source, idempotency_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
      [c.childId, c.reason, c.severity, c.source, c.idempotencyKey],
    );
    if (!inserted) {
      const first = (await selectOne<{ id: string; summary: string; severity: ConcernRaised['severity'] }>(
        tx,
        'SELECT id, summary, severity FROM safeguarding_concerns WHERE idempotency_key = $1',
        [c.idempotencyKey],
      ))!;
      return {
        concernId: first.id,
        childId: c.childId,
        nhsNumber: child.nhsNumber,
        reason: first.summary,
        severity: first.severity,
        created: false,
      };
    }
    if (child.safeguardingAlert === 'none') {
      await tx.sequelize.query(
        `UPDATE children SET safeguarding_alert = 'concern', updated_at = now(), row_version = row_version + 1 WHERE id = $1`,
        {
          bind: [c.childId],
          transaction: tx.transaction,
        },
      );
    }
    await auditBySystem(tx, asRunningProcess(c.actor), {
      action: 'concern.raise',
      entityType: 'safeguarding_concern',
      entityId: inserted.id,
      childId: c.childId,
      reason: c.reason,
      detail: {
        severity: c.severity,
        source: c.source,
        safeguardingAlert: child.safeguardingAlert === 'none' ? 'concern' : child.safeguardingAlert,
      },
    });
    return {
      concernId: inserted.id,
      childId: c.childId,
      nhsNumber: child.nhsNumber,
      reason: c.reason,
      severity: c.severity,
      created: true,
    };
  });
}

/**
 * Starts the escalation process for a concern (correlation key: the child's NHS number). The
 * key `concern-<id>` makes a repeated publish start nothing new.
 */
export function publishConcernRaised(
  deps: PublishDeps,
  c: ConcernRaised,
  sourceInstanceId = '',
): Promise<{ delivered: number; started: number }> {
  return publishMessage(
    deps,
    {
      name: ESCALATION_RAISED_MESSAGE,
      correlationKey: c.nhsNumber,
      variables: {
        concernId: c.concernId,
        childId: c.childId,
        nhsNumber: c.nhsNumber,
        reason: c.reason,
        severity: c.severity,
      },
      sourceInstanceId,
    },
    `concern-${c.concernId}`,
  );
}
