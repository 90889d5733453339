/**
 * Delivery of outbox rows, shared by the relay (mail/outbox-relay.ts) and the notify.*
 * activities. A sender first claims a row with a lease (no database connection is held
 * while talking to the mail server), sends, then marks it sent in one statement that only
 * succeeds while the claim is still its own. So a row is sent by one sender at a time and,
 * once marked sent, never again. The one window left, a crash after the server said
 * "250 OK" and before the row was marked, resends the message with the same Message-ID,
 * which makes the duplicate recognisable (the embedded mailbox counts it).
 *
 * Failures never drop a row: each failed attempt schedules the next with exponential
 * backoff capped at `maxRetryMs`; after `failedAfterAttempts` the row shows as 'failed'
 * (logged at error level) and is still retried at the capped interval until it goes.
 */
import type { Transporter } from 'nodemailer';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../core/logger';
import {
  claimDueNotifications,
  claimNotification,
  getNotification,
  markNotificationAttemptFailed,
  markNotificationSent,
  type Channel,
  type Claim,
  type Notification,
} from '../db/repositories/outbox';
import type { Db } from '../db/repositories/sql';

export interface DeliveryOptions {
  /** How long a claim lasts; longer than the transport's timeouts together. */
  leaseMs: number;
  /** First retry delay; doubled per failed attempt. */
  baseRetryMs: number;
  /** Cap of the retry delay (rows are retried at this interval for ever, never dropped). */
  maxRetryMs: number;
  /** After this many failed attempts a row shows as 'failed' (still retried). */
  failedAfterAttempts: number;
  /** How long deliverNotification waits for a row another sender has claimed. */
  waitForOtherSenderMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  leaseMs: 5 * 60_000,
  baseRetryMs: 10_000,
  maxRetryMs: 15 * 60_000,
  failedAfterAttempts: 8,
  waitForOtherSenderMs: 30_000,
};

/** Hands one row to its channel; resolves with the server's (or stand-in's) response. */
export type ChannelSender = (n: Notification) => Promise<string>;

export interface MailServiceOptions {
  sequelize: Sequelize;
  transport: Transporter;
  /** The From address, e.g. "West Midlands CHIS <chis@example.nhs.uk>". */
  from: string;
  logger: Logger;
  options?: Partial<DeliveryOptions>;
}

export type DeliveryOutcome = { status: 'sent' | 'already-sent'; messageId: string };

/** A delivery attempt failed (or could not be confirmed): worth retrying later. */
export class DeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface MailService {
  readonly from: string;
  /** Delivers this row now (ignoring its backoff); throws DeliveryError when it could not. */
  deliverNotification(id: string): Promise<DeliveryOutcome>;
  /** Delivers up to `limit` due rows; returns how many were sent and how many failed. */
  deliverDue(limit?: number): Promise<{ claimed: number; sent: number; failed: number }>;
  /** Closes the transport's connections. */
  close(): void;
}

export function retryDelayMs(failedAttempts: number, o: Pick<DeliveryOptions, 'baseRetryMs' | 'maxRetryMs'>): number {
  return Math.min(o.maxRetryMs, o.baseRetryMs * 2 ** Math.max(0, Math.min(30, failedAttempts - 1)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createMailService(s: MailServiceOptions): MailService {
  const o: DeliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...s.options };
  const db: Db = { sequelize: s.sequelize };
  const log = s.logger;

  const senders: Record<Channel, ChannelSender> = {
    email: async (n) => {
      const info = await s.transport.sendMail({
        from: s.from,
        to: n.recipient,
        subject: n.subject,
        text: n.textBody,
        html: n.htmlBody ?? undefined,
        messageId: n.messageId,
        headers: { 'X-CHIS-Notification-Id': n.id },
      });
      return String(info.response ?? 'accepted');
    },
    // No SMS gateway or print-and-post service is integrated yet. These rows are recorded
    // in the outbox like email and "sent" by logging that they were handed over; the
    // response says so, so nobody mistakes them for a real delivery.
    sms: async (n) => {
      log.info(
        { notificationId: n.id, channel: 'sms' },
        'SMS handed to the logging stand-in sender (no SMS gateway integrated)',
      );
      return 'stand-in: logged only, no SMS gateway integrated';
    },
    letter: async (n) => {
      log.info(
        { notificationId: n.id, channel: 'letter' },
        'letter handed to the logging stand-in sender (no print service integrated)',
      );
      return 'stand-in: logged only, no print service integrated';
    },
  };

  /** One attempt on a claimed row; records the outcome. Returns the error message on failure. */
  async function attempt(claim: Claim): Promise<string | null> {
    const n = claim.row;
    let response: string;
    try {
      response = await senders[n.channel](n);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failedAttempts = n.attempts + 1;
      const retryIn = retryDelayMs(failedAttempts, o);
      const after = await markNotificationAttemptFailed(db, claim, message, retryIn, o.failedAfterAttempts);
      const fields = {
        notificationId: n.id,
        channel: n.channel,
        attempts: failedAttempts,
        retryInMs: retryIn,
        err: message,
      };
      if (failedAttempts >= o.failedAfterAttempts)
        log.error(fields, 'outbox: delivery keeps failing; the row is marked failed and still retried');
      else log.warn(fields, 'outbox: delivery attempt failed; will retry');
      if (!after) log.warn({ notificationId: n.id }, 'outbox: claim expired before the failure was recorded');
      return message;
    }
    const marked = await markNotificationSent(db, claim, response);
    if (!marked)
      log.warn(
        { notificationId: n.id, messageId: n.messageId },
        'outbox: sent after the claim expired; another sender may send it again (same Message-ID)',
      );
    else log.debug({ notificationId: n.id, messageId: n.messageId }, 'outbox: sent');
    return null;
  }

  return {
    from: s.from,

    async deliverNotification(id) {
      const deadline = Date.now() + o.waitForOtherSenderMs;
      for (;;) {
        const claim = await claimNotification(db, id, o.leaseMs);
        if (claim) {
          const error = await attempt(claim);
          if (error !== null) throw new DeliveryError(`notification ${id} not delivered: ${error}`);
          return { status: 'sent', messageId: claim.row.messageId };
        }
        const row = await getNotification(db, id);
        if (!row) throw new DeliveryError(`notification ${id} does not exist`);
        if (row.status === 'sent') return { status: 'already-sent', messageId: row.messageId };
        // Another sender holds it: wait for it to finish (or for its claim to lapse).
        if (Date.now() >= deadline)
          throw new DeliveryError(`notification ${id} is being delivered by another sender; not confirmed yet`);
        await sleep(200);
      }
    },

    async deliverDue(limit = 20) {
      const claims = await claimDueNotifications(db, limit, o.leaseMs);
      let sent = 0;
      // A few at a time: enough to drain a backlog quickly, few enough to be gentle on a relay.
      for (let i = 0; i < claims.length; i += 4) {
        const results = await Promise.all(claims.slice(i, i + 4).map(attempt));
        sent += results.filter((r) => r === null).length;
      }
      return { claimed: claims.length, sent, failed: claims.length - sent };
    },

    close: () => s.transport.close(),
  };
}
