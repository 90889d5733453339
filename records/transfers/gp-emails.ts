/**
 * The GP practice emails of a move, written to the outbox (through the mailer the caller
 * gives, which renders them) in the caller's transaction, so the email exists exactly when the
 * change does. The template names the child by NHS number and initials only.
 */
import { practiceByCode } from '../localities';
import type { GpPracticeMailer } from '../outbox';
import type { Db } from '../sql';

export interface MoverEmail {
  direction: 'in' | 'out';
  practiceCode: string;
  childId: string;
  /** Locality names; null = outside the region. */
  fromLocality: string | null;
  toLocality: string | null;
  reason: 'address-change' | 'gp-change' | 'inbound-transfer' | 'outbound-transfer';
  effectiveOn: string;
  idempotencyKey: string;
}

/** Queues one email; false when the practice is not one of the region's (nothing to send to). */
export async function enqueueMoverEmail(tx: Db, mailer: GpPracticeMailer, m: MoverEmail): Promise<boolean> {
  if (!(await practiceByCode(tx, m.practiceCode))) return false;
  await mailer(tx, {
    idempotencyKey: m.idempotencyKey,
    gpPracticeCode: m.practiceCode,
    template: m.direction === 'in' ? 'gp-mover-in' : 'gp-mover-out',
    childId: m.childId,
    details: { fromLocality: m.fromLocality, toLocality: m.toLocality, reason: m.reason, effectiveOn: m.effectiveOn },
  });
  return true;
}
