/**
 * Writing email (and SMS and letters) to the outbox: the template is rendered here, in mail/,
 * and the rendered message written by records/outbox.ts in the caller's transaction, so it
 * exists exactly when the change that causes it does. The outbox relay delivers it.
 */
import { createHash } from 'node:crypto';
import { currentRequestId } from '../core/request-context';
import { gpEmailFacts, insertNotification, type Channel, type Enqueued } from '../records/outbox';
import type { Db } from '../records/sql';
import { renderTemplate, type GpPracticeTemplateName, type TemplateName } from './templates';

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
  return insertNotification(db, {
    idempotencyKey: m.idempotencyKey,
    channel: m.channel,
    recipient: m.to,
    subject: rendered.subject,
    textBody: rendered.text,
    htmlBody: m.channel === 'email' ? rendered.html : null,
    template: m.template,
    messageId: messageIdFor(m.idempotencyKey),
    childId: m.childId ?? null,
    // The request being served (an API call, or the one an activity runs for): the relay logs it on delivery.
    requestId: currentRequestId() ?? null,
  });
}

export interface NewGpPracticeEmail {
  idempotencyKey: string;
  gpPracticeCode: string;
  template: GpPracticeTemplateName;
  childId: string;
  /** The template's own fields (e.g. locality, doses); identity and practice are filled in here. */
  details?: Record<string, unknown>;
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

/**
 * The usual way to tell a GP practice: looks the practice and child up and enqueues the email,
 * all in `db` (pass the caller's transaction). The child is named by NHS number and initials only.
 */
export async function enqueueGpPracticeEmail(db: Db, e: NewGpPracticeEmail): Promise<Enqueued> {
  const r = await gpEmailFacts(db, e.gpPracticeCode, e.childId);
  if ('missing' in r) throw new OutboxInputError(r.missing);
  return enqueueEmail(db, {
    idempotencyKey: e.idempotencyKey,
    to: r.email,
    template: e.template,
    childId: e.childId,
    model: {
      ...e.details,
      nhsNumber: r.nhsNumber,
      initials: initialsOf(r.givenName, r.familyName),
      practiceName: r.practiceName,
      practiceCode: e.gpPracticeCode,
    },
  });
}
