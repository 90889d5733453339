/**
 * The mail outbox (table `notifications`): messages to GP practices and families, already
 * rendered by mail/ (mail/outbox.ts), written in the same transaction as the change that causes
 * them and delivered afterwards by the outbox relay (mail/delivery.ts, mail/outbox-relay.ts); no
 * process waits for a mail server. Idempotent by idempotency key.
 */
import { randomUUID } from 'node:crypto';
import { childRowById } from './children/child-rows';
import { practiceByCode } from './localities';
import { select, selectOne, type Db } from './sql';

export type Channel = 'email' | 'sms' | 'letter';
export type NotificationStatus = 'pending' | 'sent' | 'failed';

export interface Notification {
  id: string;
  idempotencyKey: string;
  channel: Channel;
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  template: string | null;
  messageId: string;
  childId: string | null;
  /** 'failed' = delivery has failed many times; the relay still retries it (see mail/delivery.ts). */
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  createdAt: Date;
  sentAt: Date | null;
  smtpResponse: string | null;
  claimedUntil: Date | null;
  /** The request that caused the row (its log lines' requestId); null for work no request started. */
  requestId: string | null;
}

export interface Enqueued {
  id: string;
  messageId: string;
  /** false: a row with this idempotency key existed already and was left as it was. */
  created: boolean;
}

/** A message rendered by mail/, as the outbox keeps it. */
export interface NewNotification {
  /** Same key → same row: a retried activity or a repeated event enqueues nothing new. */
  idempotencyKey: string;
  channel: Channel;
  recipient: string;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  template: string;
  /** Fixed when the row is written: a resent copy has the same Message-ID, so duplicates show. */
  messageId: string;
  childId: string | null;
  /** The request that caused it, logged by the relay that delivers it. */
  requestId?: string | null;
}

/** Writes the row (pass the caller's transaction); a row with the same key is left as it was. */
export async function insertNotification(db: Db, n: NewNotification): Promise<Enqueued> {
  const inserted = await selectOne<{ id: string; messageId: string }>(
    db,
    `INSERT INTO notifications (idempotency_key, channel, recipient, subject, text_body, html_body, template, message_id, child_id, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id, message_id`,
    [
      n.idempotencyKey,
      n.channel,
      n.recipient,
      n.subject,
      n.textBody,
      n.htmlBody,
      n.template,
      n.messageId,
      n.childId,
      n.requestId ?? null,
    ],
  );
  if (inserted) return { ...inserted, created: true };
  // A separate statement: under READ COMMITTED it sees the row a concurrent transaction committed.
  const existing = await selectOne<{ id: string; messageId: string }>(
    db,
    'SELECT id, message_id FROM notifications WHERE idempotency_key = $1',
    [n.idempotencyKey],
  );
  if (!existing) throw new Error(`outbox: idempotency key ${n.idempotencyKey} conflicted but no row was found`);
  return { ...existing, created: false };
}

/** Who a GP practice email goes to, and the child it names (by NHS number and names, for the initials). */
export async function gpEmailFacts(
  db: Db,
  gpPracticeCode: string,
  childId: string,
): Promise<
  | { practiceName: string; email: string; nhsNumber: string; givenName: string; familyName: string }
  | { missing: string }
> {
  const practice = await practiceByCode(db, gpPracticeCode);
  if (!practice) return { missing: `unknown GP practice ODS code "${gpPracticeCode}"` };
  if (!/^\d+$/.test(childId)) return { missing: `child id "${childId}" is not a record id` };
  const child = await childRowById(db, childId);
  if (!child) return { missing: `no child record with id ${childId}` };
  return {
    practiceName: practice.name,
    email: practice.email,
    nhsNumber: child.nhsNumber,
    givenName: child.givenName,
    familyName: child.familyName,
  };
}

export function getNotification(db: Db, id: string): Promise<Notification | null> {
  return selectOne<Notification>(db, 'SELECT * FROM notifications WHERE id = $1', [id]);
}

export function findNotificationByKey(db: Db, idempotencyKey: string): Promise<Notification | null> {
  return selectOne<Notification>(db, 'SELECT * FROM notifications WHERE idempotency_key = $1', [idempotencyKey]);
}

// --- Delivery bookkeeping (used by mail/delivery.ts) ---------------------------------------

export interface Claim {
  token: string;
  row: Notification;
}

/**
 * Claims up to `limit` due rows for `leaseMs`: not sent, due, and not claimed by a live sender.
 * FOR UPDATE SKIP LOCKED lets several relays claim side by side without waiting on, or taking,
 * each other's rows. The lease is short and renewed while the sender works on the rows
 * (renewNotificationClaims), so the rows of a sender that died are free again within one lease.
 */
export async function claimDueNotifications(db: Db, limit: number, leaseMs: number): Promise<Claim[]> {
  const token = randomUUID();
  const rows = await select<Notification>(
    db,
    `UPDATE notifications n SET claimed_until = now() + $2 * interval '1 millisecond', claim_token = $3
     WHERE n.id IN (
       SELECT id FROM notifications
       WHERE status <> 'sent' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
       ORDER BY next_attempt_at, id LIMIT $1
       FOR UPDATE SKIP LOCKED)
     RETURNING n.*`,
    [limit, leaseMs, token],
  );
  return rows.map((row) => ({ token, row }));
}

/** Extends the lease of the rows this claim still holds; returns how many it holds. */
export async function renewNotificationClaims(db: Db, token: string, leaseMs: number): Promise<number> {
  const rows = await select<{ id: string }>(
    db,
    `UPDATE notifications SET claimed_until = now() + $2 * interval '1 millisecond'
     WHERE claim_token = $1 AND status <> 'sent' RETURNING id`,
    [token, leaseMs],
  );
  return rows.length;
}

/** Gives up a claimed row without an attempt (a sender stopping), so another sender can take it at once. */
export async function releaseNotificationClaim(db: Db, claim: Claim): Promise<void> {
  await select(
    db,
    `UPDATE notifications SET claimed_until = NULL, claim_token = NULL
     WHERE id = $1 AND claim_token = $2 RETURNING id`,
    [claim.row.id, claim.token],
  );
}

/**
 * The mail server is reachable again: every unsent row waiting out a backoff becomes due now,
 * instead of after its (possibly long) delay. Rows claimed by a live sender are left alone.
 */
export async function makeWaitingNotificationsDue(db: Db): Promise<number> {
  const rows = await select<{ id: string }>(
    db,
    `UPDATE notifications SET next_attempt_at = now()
     WHERE status <> 'sent' AND next_attempt_at > now() AND (claimed_until IS NULL OR claimed_until < now())
     RETURNING id`,
  );
  return rows.length;
}

export interface UnsentSummary {
  /** Rows not sent yet (pending or failed). */
  unsent: number;
  /** When the oldest of them was written; null when there are none. */
  oldestCreatedAt: Date | null;
  /** Unsent rows written more than `olderThanMs` ago. */
  old: number;
  /** Unsent rows marked failed (past the failure threshold; still retried). */
  failed: number;
  /** Unsent rows with at least one failed attempt. */
  retrying: number;
}

/** How much mail is waiting, and how old the oldest is (for the relay's alert and /api/health). */
export async function summariseUnsentNotifications(db: Db, olderThanMs: number): Promise<UnsentSummary> {
  const row = await selectOne<{
    unsent: string;
    oldestCreatedAt: Date | null;
    old: string;
    failed: string;
    retrying: string;
  }>(
    db,
    `SELECT count(*) AS unsent, min(created_at) AS oldest_created_at,
            count(*) FILTER (WHERE created_at < now() - $1 * interval '1 millisecond') AS old,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            count(*) FILTER (WHERE attempts > 0) AS retrying
     FROM notifications WHERE status <> 'sent'`,
    [olderThanMs],
  );
  return {
    unsent: Number(row?.unsent ?? 0),
    oldestCreatedAt: row?.oldestCreatedAt ?? null,
    old: Number(row?.old ?? 0),
    failed: Number(row?.failed ?? 0),
    retrying: Number(row?.retrying ?? 0),
  };
}

/** Sent: one statement, and only while the claim is still ours. False if the claim was lost. */
export async function markNotificationSent(db: Db, claim: Claim, response: string): Promise<boolean> {
  const row = await selectOne<{ id: string }>(
    db,
    `UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, smtp_response = $3,
       claimed_until = NULL, claim_token = NULL
     WHERE id = $1 AND claim_token = $2 RETURNING id`,
    [claim.row.id, claim.token, response.slice(0, 1000)],
  );
  return row !== null;
}

/**
 * A failed attempt: counted, the error kept, the next attempt scheduled. After
 * `failedAfterAttempts` the row shows as 'failed' but stays due (it is still retried).
 */
export async function markNotificationAttemptFailed(
  db: Db,
  claim: Claim,
  error: string,
  retryInMs: number,
  failedAfterAttempts: number,
): Promise<{ attempts: number; status: NotificationStatus } | null> {
  return selectOne<{ attempts: number; status: NotificationStatus }>(
    db,
    `UPDATE notifications SET attempts = attempts + 1, last_error = $3,
       next_attempt_at = now() + $4 * interval '1 millisecond',
       status = CASE WHEN attempts + 1 >= $5 THEN 'failed' ELSE status END,
       claimed_until = NULL, claim_token = NULL
     WHERE id = $1 AND claim_token = $2 RETURNING attempts, status`,
    [claim.row.id, claim.token, error.slice(0, 2000), retryInMs, failedAfterAttempts],
  );
}

/**
 * Writes a GP practice email to the outbox in the caller's transaction. Records operations that
 * email a practice take one (mail/outbox.ts `enqueueGpPracticeEmail`): mail/ renders the template.
 */
export type GpPracticeMailer = (
  tx: Db,
  e: {
    idempotencyKey: string;
    gpPracticeCode: string;
    template: 'gp-mover-in' | 'gp-mover-out';
    childId: string;
    details: Record<string, unknown>;
  },
) => Promise<Enqueued>;

/** A merge (children/merge.ts): the emails and letters about the merged record move to `into`. */
export async function moveNotificationsOnMerge(tx: Db, from: string, into: string): Promise<number> {
  const moved = await select(tx, 'UPDATE notifications SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return moved.length;
}
