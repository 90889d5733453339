/**
 * Raising a safeguarding concern, by a member of staff (the API) or by a process (an activity,
 * keyed so that a retry finds the first concern): the concern row, the child's alert
 * ('concern' when it had none) and the audit event in one transaction.
 */
import type { Actor } from '../actor';
import { writeAudit } from '../audit';
import { setSafeguardingAlert } from '../children/changes';
import { notFound } from '../errors';
import { inTransaction, selectOne, type Db } from '../sql';
import { addConcernNote, type Severity } from './rows';

export interface ConcernToRaise {
  childId: string;
  summary: string;
  severity: Severity;
  source: 'caseworker' | 'process' | 'child_protection_alert';
  /** A process's activity key: a retry finds the first concern instead of raising another. */
  idempotencyKey?: string;
}

export interface RaisedConcern {
  concernId: string;
  childId: string;
  nhsNumber: string;
  reason: string;
  severity: Severity;
  /** False when the key found a concern raised before. */
  created: boolean;
}

export async function raiseConcern(db: Db, actor: Actor, c: ConcernToRaise): Promise<RaisedConcern> {
  return inTransaction(db, async (tx) => {
    const child = await selectOne<{ nhsNumber: string; safeguardingAlert: string }>(
      tx,
      'SELECT nhs_number, safeguarding_alert FROM children WHERE id = $1 FOR UPDATE',
      [c.childId],
    );
    if (!child) throw notFound(`no child record ${c.childId}`);
    const staffId = actor.kind === 'staff' ? actor.id : null;
    const inserted = await selectOne<{ id: string }>(
      tx,
      `INSERT INTO safeguarding_concerns (child_id, summary, severity, source, idempotency_key, raised_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
      [c.childId, c.summary, c.severity, c.source, c.idempotencyKey ?? null, staffId],
    );
    if (!inserted) {
      const first = (await selectOne<{ id: string; summary: string; severity: Severity }>(
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
    if (staffId !== null) await addConcernNote(tx, inserted.id, 'raised', c.summary, staffId);
    if (child.safeguardingAlert === 'none') await setSafeguardingAlert(tx, c.childId, 'concern');
    await writeAudit(tx, actor, {
      action: 'concern.raise',
      entityType: 'safeguarding_concern',
      entityId: inserted.id,
      childId: c.childId,
      // A process states the concern as its reason; staff keep their stated access reason, if any.
      ...(actor.kind === 'process' ? { reason: c.summary } : {}),
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
      reason: c.summary,
      severity: c.severity,
      created: true,
    };
  });
}
