/**
 * Newborn screening follow-up by a process: which screens still lack a conclusive result
 * (screening.checkOutstanding), and the steps of a missing-screening follow-up in the child's
 * audit trail (screening.recordFollowUp). Each writes one audit row per activity call: a retry
 * finds the row of the attempt before it under the call's idempotency key.
 */
import type { ProcessActor } from '../actor';
import { writeAudit, type AuditEntry } from '../audit';
import { notFound } from '../errors';
import { lockKey, recordedResult, recordResult } from '../idempotency';
import { inTransaction, selectOne, type Db } from '../sql';
import { resultsForProgrammes } from './results';
import { screeningStatus, type Programme, type ScreeningStatus } from './rules';

/** One activity call: its actor and the key shared by its retries. */
export interface ScreeningCall {
  actor: ProcessActor;
  idempotencyKey: string;
}

/** Inside the caller's transaction: the key's lock keeps two attempts of one call from both writing. */
async function auditOnce(
  tx: Db,
  call: ScreeningCall,
  e: AuditEntry & { childId: string },
): Promise<{ id: string; alreadyRecorded: boolean }> {
  const key = `screening.audit:${e.childId}:${call.idempotencyKey}`;
  await lockKey(tx, key);
  const first = await recordedResult<{ auditEventId: string }>(tx, key);
  if (first) return { id: first.auditEventId, alreadyRecorded: true };
  const id = await writeAudit(tx, call.actor, { ...e, entityType: 'screening' });
  await recordResult(tx, key, 'screening.audit', { auditEventId: id });
  return { id, alreadyRecorded: false };
}

async function mustExist(tx: Db, childId: string): Promise<void> {
  if (!(await selectOne(tx, 'SELECT id FROM children WHERE id = $1', [childId])))
    throw notFound(`no child record ${childId}`);
}

export async function checkOutstandingScreening(
  db: Db,
  call: ScreeningCall,
  c: { childId: string; dateOfBirth: string; asOf: string; programmes: readonly Programme[] },
): Promise<ScreeningStatus> {
  return inTransaction(db, async (tx) => {
    await mustExist(tx, c.childId);
    const results = await resultsForProgrammes(tx, c.childId, c.programmes);
    const status = screeningStatus(c.dateOfBirth, c.asOf, c.programmes, results);
    await auditOnce(tx, call, {
      action: 'screening.checked',
      entityType: 'screening',
      childId: c.childId,
      entityId: null,
      reason: 'newborn screening follow-up',
      detail: {
        asOf: c.asOf,
        programmes: c.programmes,
        outstanding: status.outstanding.map((o) => o.programme),
        missed: status.missed.map((o) => o.programme),
      },
    });
    return status;
  });
}

export async function recordScreeningFollowUp(
  db: Db,
  call: ScreeningCall,
  f: { childId: string; programme: Programme; stage: string; reason: string; dueBy?: string | null },
): Promise<{ auditEventId: string; alreadyRecorded: boolean }> {
  return inTransaction(db, async (tx) => {
    await mustExist(tx, f.childId);
    const audit = await auditOnce(tx, call, {
      action: `screening.${f.stage}`,
      entityType: 'screening',
      childId: f.childId,
      entityId: f.programme,
      reason: f.reason,
      detail: { programme: f.programme, stage: f.stage, ...(f.dueBy ? { dueBy: f.dueBy } : {}) },
    });
    return { auditEventId: audit.id, alreadyRecorded: audit.alreadyRecorded };
  });
}
