/**
 * The steps between request and completion: the receiving locality's decision, the SLA
 * reminder and escalation of the acceptance task, and the safeguarding lead-to-lead handover.
 * Each is idempotent (a repeat finds the row already in its new state) and audited.
 */
import { TRANSFER_ACTIVITIES } from '../catalogue/transfer';
import type { ActivityOutput } from '../catalogue';
import { select, inTransaction, type Db } from '../../db/repositories/sql';
import { asRunningProcess, auditBySystem, failure, parseInput, processInstanceActivity } from '../support';
import { MOVER_ACTOR } from './assess-move';
import { localityById } from './child-facts';
import { transferById, type TransferRow } from './transfer-rows';
import { escalateTaskRows } from '../human-task/escalate';

async function lockTransfer(tx: Db, activity: string, id: string): Promise<TransferRow> {
  const t = await transferById(tx, id, true);
  if (!t) throw failure('NotFoundError', `${activity}: no transfer ${id}`);
  return t;
}

export async function decideTransfer(db: Db, raw: unknown): Promise<ActivityOutput<'transfer.decide'>> {
  const input = parseInput('transfer.decide', TRANSFER_ACTIVITIES['transfer.decide'].input, raw);
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, 'transfer.decide', input.transferId);
    const wanted = input.decision === 'accept' ? 'accepted' : 'rejected';
    if (t.status === 'cancelled') return { transferStatus: 'cancelled' as const };
    if (t.status === wanted || (wanted === 'accepted' && t.status === 'completed')) return { transferStatus: wanted };
    if (t.status !== 'requested')
      throw failure('ValidationError', `transfer.decide: transfer ${t.id} is ${t.status}, it cannot be ${wanted}`);
    await tx.sequelize.query(
      `UPDATE transfers SET status = $2, decided_at = now(), detail = detail || jsonb_build_object('decisionNotes', $3::text) WHERE id = $1`,
      { bind: [t.id, wanted, input.notes ?? null], transaction: tx.transaction },
    );
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
      action: wanted === 'accepted' ? 'transfer.accept' : 'transfer.reject',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason: input.notes ?? null,
      detail: { decision: input.decision },
    });
    return { transferStatus: wanted };
  });
}

/** Open (or claimed) user tasks of this process instance. */
function openTasksOfInstance(
  tx: Db,
  processInstanceId: string,
  setSql: string,
  bind: unknown[],
): Promise<Array<{ id: string }>> {
  return select<{ id: string }>(
    tx,
    `UPDATE human_tasks SET ${setSql}, row_version = row_version + 1
     WHERE process_instance_id = $1 AND status IN ('open', 'claimed') RETURNING id`,
    [processInstanceId, ...bind],
  );
}

export async function remindTransfer(db: Db, raw: unknown): Promise<ActivityOutput<'transfer.remind'>> {
  const input = parseInput('transfer.remind', TRANSFER_ACTIVITIES['transfer.remind'].input, raw);
  const { processInstanceId } = processInstanceActivity();
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, 'transfer.remind', input.transferId);
    if (t.status !== 'requested') return { remindedTasks: 0 };
    // Overdue work goes to the top of the queue.
    const tasks = await openTasksOfInstance(tx, processInstanceId, 'priority = GREATEST(priority, 90)', []);
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
      action: 'transfer.remind',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason: 'transfer not accepted within its SLA',
      detail: { tasks: tasks.map((r) => r.id) },
    });
    return { remindedTasks: tasks.length };
  });
}

export async function escalateTransfer(db: Db, raw: unknown): Promise<ActivityOutput<'transfer.escalate'>> {
  const input = parseInput('transfer.escalate', TRANSFER_ACTIVITIES['transfer.escalate'].input, raw);
  const { processInstanceId } = processInstanceActivity();
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, 'transfer.escalate', input.transferId);
    if (t.escalatedAt) return { escalatedAt: t.escalatedAt.toISOString() };
    if (t.status !== 'requested') return { escalatedAt: new Date().toISOString() };
    const to = t.toLocalityId !== null ? await localityById(tx, t.toLocalityId) : null;
    const group = to ? `${to.code}-safeguarding` : 'region-management';
    const reason = input.reason ?? 'transfer not accepted: escalated to the receiving locality safeguarding team';
    // The acceptance task moves to the lead's queue (open again, top priority); it stays the same task.
    const tasks = await escalateTaskRows(
      tx,
      { processInstanceId, toGroups: [group], reason, priority: 100 },
      MOVER_ACTOR,
    );
    const rows = await select<{ escalatedAt: Date }>(
      tx,
      'UPDATE transfers SET escalated_at = now() WHERE id = $1 RETURNING escalated_at',
      [t.id],
    );
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
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

export async function recordHandover(db: Db, raw: unknown): Promise<ActivityOutput<'transfer.recordHandover'>> {
  const input = parseInput('transfer.recordHandover', TRANSFER_ACTIVITIES['transfer.recordHandover'].input, raw);
  return inTransaction(db, async (tx) => {
    const t = await lockTransfer(tx, 'transfer.recordHandover', input.transferId);
    if (t.handoverCompletedAt) return { handoverCompletedAt: t.handoverCompletedAt.toISOString() };
    const rows = await select<{ handoverCompletedAt: Date }>(
      tx,
      `UPDATE transfers SET handover_completed_at = now(),
         detail = detail || jsonb_build_object('handover', jsonb_build_object('receivingLead', $2::text, 'notes', $3::text, 'spokenAt', $4::text, 'receivingChis', $5::text))
       WHERE id = $1 RETURNING handover_completed_at`,
      [t.id, input.receivingLead, input.handoverNotes ?? null, input.spokenAt ?? null, input.receivingChis ?? null],
    );
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
      action: 'transfer.safeguarding_handover',
      entityType: 'transfer',
      entityId: t.id,
      childId: t.childId,
      reason: 'safeguarding lead-to-lead handover',
      detail: {
        receivingLead: input.receivingLead,
        spokenAt: input.spokenAt ?? null,
        receivingChis: input.receivingChis ?? null,
      },
    });
    return { handoverCompletedAt: rows[0].handoverCompletedAt.toISOString() };
  });
}
