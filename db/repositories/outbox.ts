/**
 * The outbox (table `notifications`): messages to GP practices and families, written in the
 * same transaction as the change that causes them and delivered afterwards by the outbox relay
 * (mail/delivery.ts, mail/outbox-relay.ts); no process waits for a mail server. Idempotent by
 * idempotency key.
 */
import { createHash, randomUUID } from 'node:crypto';
import { renderTemplate, type GpPracticeTemplateName, type TemplateName } from '../../mail/templates';
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
}

export interface Enqueued {
  id: string;
  messageId: string;
  /** false: a row with this idempotency key existed already and was left as it was. */
  created: boolean;
}

export interface NewEmail {
  /** Same key → same row: a retried activity or a repeated event enqueues nothing new. */
  idempotencyKey: string;
  to: string;
  template: TemplateName;
  /** Validated against the template's (strict) model before anything is written. */
  model: unknown;
  childId?: string | null;
}

export interface NewMessage extends NewEmail {
  channel: Channel;
}

/** Bad outbox input (unknown practice or child, a practice without email...): retrying cannot help. */
export class OutboxInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxInputError';
  }
}

/** Fixed when the row is written: a resent copy has the same Message-ID, so duplicates show. */
export function messageIdFor(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@chis-flow.local>`;
}

/** Email through the outbox; works on the pool or inside the caller's transaction (`db.transaction`). */
export function enqueueEmail(db: Db, e: NewEmail): Promise<Enqueued> {
  return enqueueMessage(db, { ...e, channel: 'email' });
}

/** Any channel. SMS and letter rows are handed to a logging stand-in sender (mail/delivery.ts). */
export async function enqueueMessage(db: Db, m: NewMessage): Promise<Enqueued> {
  if (!m.idempotencyKey.trim()) throw new OutboxInputError('an outbox row needs a non-empty idempotency key');
  if (m.channel === 'email' && !/^[^@\s]+@[^@\s]+$/.test(m.to))
    throw new OutboxInputError(`"${m.to}" is not an email address`);
  if (!m.to.trim()) throw new OutboxInputError(`a ${m.channel} message needs a recipient`);
  const rendered = renderTemplate(m.template, m.model);
  const messageId = messageIdFor(m.idempotencyKey);
  const inserted = await selectOne<{ id: string; messageId: string }>(
    db,
    `INSERT INTO notifications (idempotency_key, channel, recipient, subject, text_body, html_body, template, message_id, child_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id, message_id`,
    [
      m.idempotencyKey,
      m.channel,
      m.to,
      rendered.subject,
      rendered.text,
      m.channel === 'email' ? rendered.html : null,
      m.template,
      messageId,
      m.childId ?? null,
    ],
  );
  if (inserted) return { ...inserted, created: true };
  // A separate statement: under READ COMMITTED it sees the row a concurrent transaction committed.
  const existing = await selectOne<{ id: string; messageId: string }>(
    db,
    'SELECT id, message_id FROM notifications WHERE idempotency_key = $1',
    [m.idempotencyKey],
  );
  if (!existing) throw new Error(`outbox: idempotency key ${m.idempotencyKey} conflicted but no row was found`);
  return { ...existing, created: false };
}

export interface NewGpPracticeEmail {
  idempotencyKey: string;
  gpPracticeCode: string;
  template: GpPracticeTemplateName;
  childId: string;
  /** The template's own fields (e.g. locality, doses); identity and practice are filled in here. */
  details?: Record<string, unknown>;
}

export interface GpEmailRecipient {
  practiceName: string;
  email: string;
  nhsNumber: string;
  initials: string;
}

/** First letter of the first given name and of the family name: "Amelia Rose" "O'Brien" → "AO". */
export function initialsOf(givenName: string, familyName: string): string {
  // Upper case of the first letter; a letter with no single upper-case form (ß) is skipped.
  const first = (s: string) => {
    const upper = (s.match(/\p{L}/u)?.[0] ?? '').toUpperCase();
    return /^\p{Lu}$/u.test(upper) ? upper : '';
  };
  return `${first(givenName)}${first(familyName)}` || 'X';
}

/** The practice's address and the child's NHS number and initials (read in the caller's transaction). */
export async function gpEmailRecipient(db: Db, gpPracticeCode: string, childId: string): Promise<GpEmailRecipient> {
  const practice = await selectOne<{ name: string; email: string }>(
    db,
    'SELECT name, email FROM gp_practices WHERE ods_code = $1',
    [gpPracticeCode],
  );
  if (!practice) throw new OutboxInputError(`unknown GP practice ODS code "${gpPracticeCode}"`);
  if (!/^\d+$/.test(childId)) throw new OutboxInputError(`child id "${childId}" is not a record id`);
  const child = await selectOne<{ nhsNumber: string; givenName: string; familyName: string }>(
    db,
    'SELECT nhs_number, given_name, family_name FROM children WHERE id = $1',
    [childId],
  );
  if (!child) throw new OutboxInputError(`no child record with id ${childId}`);
  return {
    practiceName: practice.name,
    email: practice.email,
    nhsNumber: child.nhsNumber,
    initials: initialsOf(child.givenName, child.familyName),
  };
}

/**
 * The usual way for an activity to tell a GP practice: looks the practice and child up and
 * enqueues the email, all in `db` (pass the activity's transaction).
 */
export async function enqueueGpPracticeEmail(db: Db, e: NewGpPracticeEmail): Promise<Enqueued> {
  const r = await gpEmailRecipient(db, e.gpPracticeCode, e.childId);
  return enqueueEmail(db, {
    idempotencyKey: e.idempotencyKey,
    to: r.email,
    template: e.template,
    childId: e.childId,
    model: {
      ...e.details,
      nhsNumber: r.nhsNumber,
      initials: r.initials,
      practiceName: r.practiceName,
      practiceCode: e.gpPracticeCode,
    },
  });
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
}

/** How much mail is waiting, and how old the oldest is (for the relay's alert and /api/health). */
export async function summariseUnsentNotifications(db: Db, olderThanMs: number): Promise<UnsentSummary> {
  const row = await selectOne<{ unsent: string; oldestCreatedAt: Date | null; old: string }>(
    db,
    `SELECT count(*) AS unsent, min(created_at) AS oldest_created_at,
            count(*) FILTER (WHERE created_at < now() - $1 * interval '1 millisecond') AS old
     FROM notifications WHERE status <> 'sent'`,
    [olderThanMs],
  );
  return {
    unsent: Number(row?.unsent ?? 0),
    oldestCreatedAt: row?.oldestCreatedAt ?? null,
    old: Number(row?.old ?? 0),
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

export interface OutboxCounts {
  pending: number;
  failed: number;
  sent: number;
}

export async function countNotifications(db: Db): Promise<OutboxCounts> {
  const rows = await select<{ status: NotificationStatus; n: string }>(
    db,
    'SELECT status, count(*) AS n FROM notifications GROUP BY status',
  );
  const counts: OutboxCounts = { pending: 0, failed: 0, sent: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}
