/**
 * The steps between request and completion: the receiving locality's decision, the SLA
 * reminder and escalation of the acceptance task, and the safeguarding lead-to-lead handover.
 * Each is idempotent (a repeat finds the row already in its new state) and audited.
 */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { invalid, notFound } from '../errors';
import { localityById } from '../localities';
import { inTransaction, select, type Db } from '../sql';
import { escalateTaskRows } from '../tasks/escalation';
import { raiseOpenTaskPriority } from '../tasks/rows';
import { MOVER_ACTOR } from './assess';
import { transferById, type TransferRow } from './rows';

type RunningProcess = ProcessActor & { processInstanceId: string };

async function lockTransfer(tx: Db, id: string): Promise<TransferRow> {
  const t = await transferById(tx, id, true);
  if (!t) throw notFound(`no transfer ${id}`);
  return t;
}

export async function decideTransfer(
  db: Db,
  actor: ProcessActor,
  d: { transferId: string; decision: 'accept' | 'refer'; notes?: string | null },
): Promise<{ transferStatus: 'accepted' | 'rejected' | 'cancelled' }> {
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, d.transferId);
    const wanted = d.decision === 'accept' ? 'accepted' : 'rejected';
    if (t.status === 'cancelled') return { transferStatus: 'cancelled' as const };
    if (t.status === wanted || (wanted === 'accepted' && t.status === 'completed')) return { transferStatus: wanted };
    if (t.status !== 'requested') throw invalid(`transfer ${t.id} is ${t.status}, it cannot be ${wanted}`);
    await select(
      tx,
      `UPDATE transfers SET status = $2, decided_at = now(), detail = detail || jsonb_build_object('decisionNotes', $3::text) WHERE id = $1 RETURNING id`,
      [t.id, wanted, d.notes ?? null],
    );
    await writeAudit(tx, actor, {
      action: wanted === 'accepted' ? 'transfer.accept' : 'transfer.reject',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason: d.notes ?? null,
      detail: { decision: d.decision },
    });
    return { transferStatus: wanted };
  });
}

/** The acceptance is overdue: the instance's open task goes to the top of its queue. */
export async function remindTransfer(
  db: Db,
  actor: RunningProcess,
  transferId: string,
): Promise<{ remindedTasks: number }> {
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, transferId);
    if (t.status !== 'requested') return { remindedTasks: 0 };
    const tasks = await raiseOpenTaskPriority(tx, actor.processInstanceId, 90);
    await writeAudit(tx, actor, {
      action: 'transfer.remind',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason: 'transfer not accepted within its SLA',
      detail: { tasks },
    });
    return { remindedTasks: tasks.length };
  });
}

/** Still not accepted: the acceptance task moves to the receiving locality's safeguarding queue (the same task). */
export async function escalateTransfer(
  db: Db,
  actor: RunningProcess,
  e: { transferId: string; reason?: string },
): Promise<{ escalatedAt: string }> {
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, e.transferId);
    if (t.escalatedAt) return { escalatedAt: t.escalatedAt.toISOString() };
    if (t.status !== 'requested') return { escalatedAt: new Date().toISOString() };
    const to = t.toLocalityId !== null ? await localityById(tx, t.toLocalityId) : null;
    const group = to ? `${to.code}-safeguarding` : 'region-management';
    const reason = e.reason ?? 'transfer not accepted: escalated to the receiving locality safeguarding team';
    // The acceptance task moves to the lead's queue (open again, top priority); it stays the same task.
    const tasks = await escalateTaskRows(
      tx,
      { processInstanceId: actor.processInstanceId, toGroups: [group], reason, priority: 100 },
      MOVER_ACTOR,
    );
    const rows = await select<{ escalatedAt: Date }>(
      tx,
      'UPDATE transfers SET escalated_at = now() WHERE id = $1 RETURNING escalated_at',
      [t.id],
    );
    await writeAudit(tx, actor, {
      action: 'transfer.escalate',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason,
      detail: { escalatedTo: group, tasks: tasks.map((r) => r.id) },
    });
    return { escalatedAt: rows[0].escalatedAt.toISOString() };
  });
}

export interface Handover {
  transferId: string;
  receivingLead: string;
  handoverNotes?: string | null;
  spokenAt?: string | null;
  receivingChis?: string | null;
}

export async function recordHandover(
  db: Db,
  actor: ProcessActor,
  h: Handover,
): Promise<{ handoverCompletedAt: string }> {
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, h.transferId);
    if (t.handoverCompletedAt) return { handoverCompletedAt: t.handoverCompletedAt.toISOString() };
    const rows = await select<{ handoverCompletedAt: Date }>(
      tx,
      `UPDATE transfers SET handover_completed_at = now(),
         detail = detail || jsonb_build_object('handover', jsonb_build_object('receivingLead', $2::text, 'notes', $3::text, 'spokenAt', $4::text, 'receivingChis', $5::text))
       WHERE id = $1 RETURNING handover_completed_at`,
      [t.id, h.receivingLead, h.handoverNotes ?? null, h.spokenAt ?? null, h.receivingChis ?? null],
    );
    await writeAudit(tx, actor, {
      action: 'transfer.safeguarding_handover',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason: 'safeguarding lead-to-lead handover',
      detail: {
        receivingLead: h.receivingLead,
        spokenAt: h.spokenAt ?? null,
        receivingChis: h.receivingChis ?? null,
      },
    });
    return { handoverCompletedAt: rows[0].handoverCompletedAt.toISOString() };
  });
}
