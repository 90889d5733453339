/**
 * Delivery of outbox rows, for the outbox relay (mail/outbox-relay.ts). No process waits for
 * it: activities only write rows (mail/outbox.ts, records/outbox.ts), so an SMTP outage delays mail and
 * nothing else.
 *
 * A sender claims rows with a short lease that it renews while it works on them (no database
 * connection is held while talking to the mail server); the rows of a sender that died are free
 * again within one lease. Right after the server's "250 OK" the row is marked sent in one
 * statement that only succeeds while the claim is still its own, so a row goes out once
 * whichever sender gets it. The one window left, a crash between "250 OK" and that statement
 * (one database round trip), resends the message with the same Message-ID, which makes the
 * duplicate recognisable (the embedded mailbox counts it).
 *
 * Failures never drop a row: each failed attempt schedules the next with exponential backoff
 * capped at `maxRetryMs`; after `failedAfterAttempts` the row shows as 'failed' and is still
 * retried. When the server was unreachable the relay probes it and makes every waiting row due
 * the moment it answers again (probe, resumeWaiting), so the backoff never delays mail past
 * the server's return.
 */
import type { Transporter } from 'nodemailer';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../core/logger';
import { runWithRequestId } from '../core/request-context';
import { describeError } from '../core/describe-error';
import {
  claimDueNotifications,
  makeWaitingNotificationsDue,
  markNotificationAttemptFailed,
  markNotificationSent,
  releaseNotificationClaim,
  renewNotificationClaims,
  summariseUnsentNotifications,
  type UnsentSummary,
  type Channel,
  type Claim,
  type Notification,
} from '../records/outbox';
import type { Db } from '../records/sql';

export interface DeliveryOptions {
  /** How long a claim lasts unless renewed; a dead sender's rows wait at most this long. */
  leaseMs: number;
  /** How often a live sender renews its claims (well under leaseMs). */
  renewEveryMs: number;
  /** First retry delay; doubled per failed attempt. */
  baseRetryMs: number;
  /** Cap of the retry delay (rows are retried at this interval for ever, never dropped). */
  maxRetryMs: number;
  /** After this many failed attempts a row shows as 'failed' (still retried). */
  failedAfterAttempts: number;
  /** Messages sent side by side. */
  concurrency: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  leaseMs: 30_000,
  renewEveryMs: 10_000,
  baseRetryMs: 10_000,
  maxRetryMs: 5 * 60_000,
  failedAfterAttempts: 8,
  concurrency: 4,
};

/** Hands one row to its channel; resolves with the server's (or stand-in's) response. */
export type ChannelSender = (n: Notification, signal: AbortSignal) => Promise<string>;

export interface MailServiceOptions {
  sequelize: Sequelize;
  transport: Transporter;
  /** The From address, e.g. "West Midlands CHIS <chis@example.nhs.uk>". */
  from: string;
  logger: Logger;
  options?: Partial<DeliveryOptions>;
}

export interface DeliveryRound {
  claimed: number;
  sent: number;
  failed: number;
  /** Failures that look like the server being unreachable (no connection, timeout, 421) rather than a refusal of the message. */
  unreachable: number;
}

export interface MailService {
  readonly from: string;
  readonly options: Readonly<DeliveryOptions>;
  /** Claims up to `limit` due rows and delivers them (`concurrency` at a time). */
  deliverDue(limit?: number): Promise<DeliveryRound>;
  /** Whether the mail server answers (connects, greets, authenticates): null when it does, else the reason. */
  probe(): Promise<string | null>;
  /** Makes every unsent row waiting out a backoff due now (the server is back); returns how many. */
  resumeWaiting(): Promise<number>;
  /** How much mail waits, and how old it is. */
  summariseUnsent(olderThanMs: number): Promise<UnsentSummary>;
  /** Aborts sends in progress (a stopping relay); their rows are retried. */
  abortSends(): void;
  /** Closes the transport's connections. */
  close(): void;
}

export function retryDelayMs(failedAttempts: number, o: Pick<DeliveryOptions, 'baseRetryMs' | 'maxRetryMs'>): number {
  return Math.min(o.maxRetryMs, o.baseRetryMs * 2 ** Math.max(0, Math.min(30, failedAttempts - 1)));
}

/**
 * The connection failed or the server said "service not available" (421): the server, not the
 * message, is the problem. An SMTP reply to the message itself (4yz/5yz) carries a response code.
 */
export function looksUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; responseCode?: unknown };
  if (e?.responseCode === 421) return true;
  if (typeof e?.responseCode === 'number') return false;
  return e?.code !== 'EABORT';
}

export function createMailService(s: MailServiceOptions): MailService {
  const o: DeliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...s.options };
  const db: Db = { sequelize: s.sequelize };
  const log = s.logger;
  let aborter = new AbortController();

  const senders: Record<Channel, ChannelSender> = {
    email: async (n, signal) => {
      const info = await s.transport.sendMail({
        from: s.from,
        to: n.recipient,
        subject: n.subject,
        text: n.textBody,
        html: n.htmlBody ?? undefined,
        messageId: n.messageId,
        headers: { 'X-CHIS-Notification-Id': n.id },
        signal,
      } as Parameters<Transporter['sendMail']>[0]);
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

  type Outcome = 'sent' | 'failed' | 'unreachable' | 'released';

  /**
   * One attempt on a claimed row, in the context of the request that wrote it: its log lines
   * carry that request's id, however much later and in whichever process the row goes out.
   */
  function attempt(claim: Claim, signal: AbortSignal): Promise<Outcome> {
    const requestId = claim.row.requestId;
    return requestId ? runWithRequestId(requestId, () => attemptOnce(claim, signal)) : attemptOnce(claim, signal);
  }

  /** One attempt on a claimed row; records the outcome. */
  async function attemptOnce(claim: Claim, signal: AbortSignal): Promise<Outcome> {
    const n = claim.row;
    if (signal.aborted) {
      await releaseNotificationClaim(db, claim);
      return 'released';
    }
    let response: string;
    try {
      response = await senders[n.channel](n, signal);
    } catch (error) {
      const message = describeError(error);
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
      return looksUnreachable(error) ? 'unreachable' : 'failed';
    }
    // Nothing between the server's "250 OK" and this statement but one round trip.
    const marked = await markNotificationSent(db, claim, response);
    if (!marked)
      log.warn(
        { notificationId: n.id, messageId: n.messageId },
        'outbox: sent after the claim expired; another sender may send it again (same Message-ID)',
      );
    else
      log.info(
        { notificationId: n.id, channel: n.channel, template: n.template, messageId: n.messageId },
        'outbox: sent',
      );
    return 'sent';
  }

  /** Renews the claims of one batch until `done`; a failed renewal is logged (the lease then lapses). */
  function keepClaimed(token: string): () => void {
    const timer = setInterval(() => {
      renewNotificationClaims(db, token, o.leaseMs).catch((err: unknown) =>
        log.warn({ err: describeError(err) }, 'outbox: could not renew a claim; another sender may take the rows'),
      );
    }, o.renewEveryMs);
    return () => clearInterval(timer);
  }

  return {
    from: s.from,
    options: o,

    async deliverDue(limit = o.concurrency) {
      const claims = await claimDueNotifications(db, limit, o.leaseMs);
      const round: DeliveryRound = { claimed: claims.length, sent: 0, failed: 0, unreachable: 0 };
      if (claims.length === 0) return round;
      const signal = aborter.signal;
      const release = keepClaimed(claims[0].token);
      try {
        for (let i = 0; i < claims.length; i += o.concurrency) {
          const outcomes = await Promise.all(claims.slice(i, i + o.concurrency).map((c) => attempt(c, signal)));
          for (const outcome of outcomes) {
            if (outcome === 'sent') round.sent++;
            else if (outcome !== 'released') round.failed++;
            if (outcome === 'unreachable') round.unreachable++;
          }
        }
      } finally {
        release();
      }
      return round;
    },

    async probe() {
      try {
        await s.transport.verify();
        return null;
      } catch (error) {
        return describeError(error);
      }
    },

    resumeWaiting: () => makeWaitingNotificationsDue(db),

    summariseUnsent: (olderThanMs) => summariseUnsentNotifications(db, olderThanMs),

    abortSends() {
      aborter.abort();
      aborter = new AbortController();
    },

    close: () => s.transport.close(),
  };
}
