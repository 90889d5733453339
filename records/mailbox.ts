/**
 * The mailbox of the embedded SMTP server (table `received_mail`): what a GP practice would
 * have received, kept in PostgreSQL so the UI can show it and tests can read it.
 */
import { randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail, type AddressObject } from 'mailparser';
import { select, selectOne, type Db } from './sql';

export interface ReceivedMailSummary {
  id: string;
  messageId: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  fromHeader: string | null;
  toHeader: string | null;
  subject: string;
  sizeBytes: number;
  receivedAt: Date;
  /** More than 1 means the same Message-ID arrived again (a duplicate delivery). */
  timesReceived: number;
  lastReceivedAt: Date;
}

export interface ReceivedMail extends ReceivedMailSummary {
  textBody: string | null;
  htmlBody: string | null;
}

export interface IncomingMessage {
  envelopeFrom: string | null;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

const addressText = (a: AddressObject | AddressObject[] | undefined): string | null =>
  a === undefined ? null : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text;

/**
 * Stores one received message. A message whose Message-ID is already in the mailbox is not
 * stored twice: its `times_received` goes up, so duplicates stay visible. Returns the row id.
 */
export async function storeReceivedMail(db: Db, m: IncomingMessage): Promise<{ id: string; timesReceived: number }> {
  const messageId = m.parsed.messageId ?? `<received-${randomUUID()}@chis-flow.local>`;
  const row = await selectOne<{ id: string; timesReceived: number }>(
    db,
    `INSERT INTO received_mail (message_id, envelope_from, envelope_to, from_header, to_header, subject, text_body, html_body, raw, size_bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (message_id) DO UPDATE
       SET times_received = received_mail.times_received + 1, last_received_at = now()
     RETURNING id, times_received`,
    [
      messageId,
      m.envelopeFrom,
      m.envelopeTo,
      addressText(m.parsed.from),
      addressText(m.parsed.to),
      m.parsed.subject ?? '',
      m.parsed.text ?? null,
      typeof m.parsed.html === 'string' ? m.parsed.html : null,
      m.raw,
      m.raw.length,
    ],
  );
  return row!;
}

/** Parses a raw RFC 5322 message and stores it (what the embedded SMTP server does with each DATA). */
export async function receiveRawMail(
  db: Db,
  m: { envelopeFrom: string | null; envelopeTo: string[]; raw: Buffer },
): Promise<{ id: string; messageId: string; timesReceived: number }> {
  const parsed = await simpleParser(m.raw);
  const stored = await storeReceivedMail(db, { ...m, parsed });
  return { ...stored, messageId: parsed.messageId ?? '' };
}

const SUMMARY_COLUMNS =
  'id, message_id, envelope_from, envelope_to, from_header, to_header, subject, size_bytes, received_at, times_received, last_received_at';

export interface MailboxFilter {
  /** Only messages with this envelope recipient (case-insensitive). */
  to?: string;
  /** Only messages that name this NHS number (as the templates write it, `943 476 5919`, or as ten digits). */
  nhsNumber?: string;
  /** Keyset paging: only messages with a smaller id (newest first). */
  beforeId?: string;
  limit: number;
}

/** Newest first. */
export function listReceivedMail(db: Db, f: MailboxFilter): Promise<ReceivedMailSummary[]> {
  return select<ReceivedMailSummary>(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM received_mail
     WHERE ($1::text IS NULL OR envelope_to @> ARRAY[lower($1::text)])
       AND ($2::bigint IS NULL OR id < $2)
       AND ($4::text IS NULL OR strpos(subject || ' ' || coalesce(text_body, ''), $4) > 0
                             OR strpos(subject || ' ' || coalesce(text_body, ''), $5) > 0)
     ORDER BY id DESC LIMIT $3`,
    [
      f.to ?? null,
      f.beforeId ?? null,
      f.limit,
      f.nhsNumber ?? null,
      f.nhsNumber ? `${f.nhsNumber.slice(0, 3)} ${f.nhsNumber.slice(3, 6)} ${f.nhsNumber.slice(6)}` : null,
    ],
  );
}

export function getReceivedMail(db: Db, id: string): Promise<ReceivedMail | null> {
  return selectOne<ReceivedMail>(
    db,
    `SELECT ${SUMMARY_COLUMNS}, text_body, html_body FROM received_mail WHERE id = $1`,
    [id],
  );
}

export function findReceivedMailByMessageId(db: Db, messageId: string): Promise<ReceivedMail | null> {
  return selectOne<ReceivedMail>(
    db,
    `SELECT ${SUMMARY_COLUMNS}, text_body, html_body FROM received_mail WHERE message_id = $1`,
    [messageId],
  );
}
