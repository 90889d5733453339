/**
 * The end of a transfer, each in one transaction with its outbox rows and audit events:
 * - changeResponsibleLocality: an accepted transfer completes; the record's locality (and GP
 *   practice and address, when new ones are given) change; old and new GP practices are
 *   emailed. Refused (HANDOVER_MISSING) while a required safeguarding handover is not recorded.
 * - completeOutbound: the record was sent to another CHIS; the child is marked moved out.
 */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { markMovedOut, moveToLocality } from '../children/changes';
import { childFactsById, needsSafeguardingHandover } from '../children/facts';
import { invalid, notFound, ProcessRuleBroken } from '../errors';
import { localityByCode, localityById, practiceByCode } from '../localities';
import type { GpPracticeMailer } from '../outbox';
import { inTransaction, select, type Db } from '../sql';
import { enqueueMoverEmail } from './gp-emails';
import { transferById } from './rows';

/** BPMN error code (child-mover.bpmn, Error_HandoverMissing): a handover is due before the locality changes. */
export const HANDOVER_MISSING = 'HANDOVER_MISSING';

const today = () => new Date().toISOString().slice(0, 10);

export interface LocalityChange {
  transferId: string;
  childId: string;
  toLocality: string;
  newGpPracticeCode?: string | null;
  address?: { lines: string[]; postcode: string } | null;
  moveReason: 'address-change' | 'gp-change' | 'inbound-transfer';
}

export async function changeResponsibleLocality(
  db: Db,
  actor: ProcessActor,
  input: LocalityChange,
  mailer: GpPracticeMailer,
): Promise<{ changedAt: string; emailedPractices: string[] }> {
  return inTransaction(db, async (tx) => {
    const t = await transferById(tx, input.transferId, true);
    if (!t) throw notFound(`no transfer ${input.transferId}`);
    if (t.childId !== input.childId) throw invalid(`transfer ${t.id} is not for child ${input.childId}`);
    if (t.status === 'completed')
      return {
        changedAt: t.completedAt!.toISOString(),
        emailedPractices: (t.detail.emailedPractices as string[] | undefined) ?? [],
      };
    if (t.status !== 'accepted') throw invalid(`transfer ${t.id} is ${t.status}, not accepted`);
    const to = await localityByCode(tx, input.toLocality);
    if (!to || to.id !== t.toLocalityId) throw invalid(`transfer ${t.id} does not go to "${input.toLocality}"`);
    const child = (await childFactsById(tx, t.childId, true))!;
    if (needsSafeguardingHandover(child) && !t.handoverCompletedAt) {
      // The process catches it (a concern raised after the move was assessed) and runs the handover.
      throw new ProcessRuleBroken(
        HANDOVER_MISSING,
        `child ${child.childId} has a safeguarding alert or open concern; the lead-to-lead handover of transfer ${t.id} is not recorded`,
      );
    }
    const newGp = input.newGpPracticeCode ?? (t.detail.newGpPracticeCode as string | null | undefined) ?? null;
    if (newGp && !(await practiceByCode(tx, newGp))) throw invalid(`GP practice "${newGp}" is unknown`);
    const oldGp =
      (t.detail.oldGpPracticeCode as string | null | undefined) ??
      (t.direction === 'into_region' ? null : child.gpPracticeOds);
    const from = t.fromLocalityId !== null ? await localityById(tx, t.fromLocalityId) : null;

    await moveToLocality(tx, child.childId, {
      localityId: to.id,
      gpPracticeOds: newGp,
      address: input.address ?? null,
    });

    // Old practice: the child left; new practice (or the same one, when the GP did not change): the child arrived.
    const emailed: string[] = [];
    const base = {
      childId: child.childId,
      fromLocality: from?.name ?? null,
      toLocality: to.name,
      reason: input.moveReason,
      effectiveOn: today(),
    } as const;
    if (oldGp && oldGp !== (newGp ?? child.gpPracticeOds)) {
      if (
        await enqueueMoverEmail(tx, mailer, {
          ...base,
          direction: 'out',
          practiceCode: oldGp,
          idempotencyKey: `transfer-${t.id}-out-${oldGp}`,
        })
      )
        emailed.push(oldGp);
    }
    const receiving = newGp ?? child.gpPracticeOds;
    if (
      receiving &&
      (await enqueueMoverEmail(tx, mailer, {
        ...base,
        direction: 'in',
        practiceCode: receiving,
        idempotencyKey: `transfer-${t.id}-in-${receiving}`,
      }))
    ) {
      emailed.push(receiving);
    }

    const rows = await select<{ completedAt: Date }>(
      tx,
      `UPDATE transfers SET status = 'completed', completed_at = now(),
         detail = detail || jsonb_build_object('emailedPractices', $2::jsonb, 'newGpPracticeCode', $3::text) WHERE id = $1 RETURNING completed_at`,
      [t.id, JSON.stringify(emailed), newGp],
    );
    await writeAudit(tx, actor, {
      action: 'child.locality.change',
      entityType: 'child',
      entityId: child.childId,
      childId: child.childId,
      reason: `transfer ${t.id} accepted`,
      detail: {
        fromLocality: from?.code ?? null,
        toLocality: to.code,
        gpPractice: newGp ?? child.gpPracticeOds,
        addressChanged: input.address != null,
      },
    });
    await writeAudit(tx, actor, {
      action: 'transfer.complete',
      entityType: 'transfer',
      entityId: t.id,
      childId: child.childId,
      reason: input.moveReason,
      detail: { emailedPractices: emailed },
    });
    return { changedAt: rows[0].completedAt.toISOString(), emailedPractices: emailed };
  });
}

export async function completeOutbound(
  db: Db,
  actor: ProcessActor,
  input: { transferId: string; receivingChis: string },
  mailer: GpPracticeMailer,
): Promise<{ completedAt: string; emailedPractices: string[] }> {
  return inTransaction(db, async (tx) => {
    const t = await transferById(tx, input.transferId, true);
    if (!t) throw notFound(`no transfer ${input.transferId}`);
    if (t.direction !== 'out_of_region') throw invalid(`transfer ${t.id} is ${t.direction}, not out of the region`);
    if (t.status === 'completed')
      return {
        completedAt: t.completedAt!.toISOString(),
        emailedPractices: (t.detail.emailedPractices as string[] | undefined) ?? [],
      };
    if (t.status !== 'requested' && t.status !== 'accepted') throw invalid(`transfer ${t.id} is ${t.status}`);
    const child = (await childFactsById(tx, t.childId, true))!;
    const from = t.fromLocalityId !== null ? await localityById(tx, t.fromLocalityId) : null;
    await markMovedOut(tx, child.childId);
    const emailed: string[] = [];
    if (child.gpPracticeOds) {
      const queued = await enqueueMoverEmail(tx, mailer, {
        direction: 'out',
        practiceCode: child.gpPracticeOds,
        childId: child.childId,
        fromLocality: from?.name ?? null,
        toLocality: null,
        reason: 'outbound-transfer',
        effectiveOn: today(),
        idempotencyKey: `transfer-${t.id}-out-${child.gpPracticeOds}`,
      });
      if (queued) emailed.push(child.gpPracticeOds);
    }
    const rows = await select<{ completedAt: Date }>(
      tx,
      `UPDATE transfers SET status = 'completed', other_chis = $2, decided_at = coalesce(decided_at, now()), completed_at = now(),
         detail = detail || jsonb_build_object('emailedPractices', $3::jsonb) WHERE id = $1 RETURNING completed_at`,
      [t.id, input.receivingChis, JSON.stringify(emailed)],
    );
    await writeAudit(tx, actor, {
      action: 'transfer.send_record',
      entityType: 'transfer',
      entityId: t.id,
      childId: child.childId,
      reason: `record sent to ${input.receivingChis}`,
      detail: { emailedPractices: emailed, childStatus: 'moved_out' },
    });
    return { completedAt: rows[0].completedAt.toISOString(), emailedPractices: emailed };
  });
}
