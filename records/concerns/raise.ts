/**
 * Raising a safeguarding concern, by a member of staff (the API) or by a process (an activity,
 * keyed so that a retry finds the first concern): the concern row, the child's alert
 * ('concern' when it had none), the audit event and the message that starts its
 * safeguarding-escalation process (in the process outbox) in one transaction.
 */
import type { Actor } from '../actor';
import { writeAudit } from '../audit';
import { setSafeguardingAlert } from '../children/changes';
import { notFound } from '../errors';
import { enqueueProcessCommand } from '../process-outbox';
import { inTransaction, selectOne, type Db } from '../sql';
import { addConcernNote, type Severity } from './rows';

export interface ConcernToRaise {
  childId: string;
  summary: string;
  severity: Severity;
  source: 'caseworker' | 'process' | 'child_protection_alert';
  /** A process's activity key: a retry finds the first concern instead of raising another. */
  idempotencyKey?: string;
  /**
   * The instance raising it, which is not told its own message; absent: the concern is raised
   * inside an escalation already running (a child-protection alert), which starts no other.
   */
  escalateFrom?: { processInstanceId: string };
}

export interface RaisedConcern {
  concernId: string;
  childId: string;
  nhsNumber: string;
  reason: string;
  severity: Severity;
  /** False when the key found a concern raised before. */
  created: boolean;
  /** The outbox row of the escalation's start (null when none is started). */
  escalation: string | null;
}

export const ESCALATION_RAISED_MESSAGE = 'safeguardingEscalationRaised';

/**
 * The message that starts the escalation (correlation key: the child's NHS number). The key
 * `concern-<id>` fixes the instance it starts, so a repeated delivery starts nothing new.
 */
function enqueueEscalation(
  tx: Db,
  c: Omit<RaisedConcern, 'created' | 'escalation'>,
  sourceInstanceId: string,
): Promise<string> {
  return enqueueProcessCommand(tx, `concern:${c.concernId}`, {
    kind: 'publish',
    publish: {
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
      publishKey: `concern-${c.concernId}`,
    },
  });
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
      const raised = {
        concernId: first.id,
        childId: c.childId,
        nhsNumber: child.nhsNumber,
        reason: first.summary,
        severity: first.severity,
      };
      const escalation = c.escalateFrom ? await enqueueEscalation(tx, raised, c.escalateFrom.processInstanceId) : null;
      return { ...raised, created: false, escalation };
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
    const raised = {
      concernId: inserted.id,
      childId: c.childId,
      nhsNumber: child.nhsNumber,
      reason: c.summary,
      severity: c.severity,
    };
    const escalation = c.escalateFrom ? await enqueueEscalation(tx, raised, c.escalateFrom.processInstanceId) : null;
    return { ...raised, created: true, escalation };
  });
}
