/** The embedded mail server's mailbox (GET /api/mailbox, /api/mailbox/{id}). */
import { api } from '../../api/client';

export interface MailSummary {
  id: string;
  messageId: string;
  envelopeTo: string[];
  fromHeader: string | null;
  toHeader: string | null;
  subject: string;
  receivedAt: string;
  /** More than 1: the same message arrived again (a duplicate delivery). */
  timesReceived: number;
  lastReceivedAt: string;
}

export interface Mail extends MailSummary {
  textBody: string | null;
  htmlBody: string | null;
}

export interface MailboxFilters {
  practice?: string | null;
  nhsNumber?: string | null;
  cursor?: string | null;
}

export function listMail(filters: MailboxFilters): Promise<{ messages: MailSummary[]; next: string | null }> {
  const params = new URLSearchParams({ limit: '25' });
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return api(`/mailbox?${params}`);
}

export const readMail = (id: string): Promise<Mail> => api(`/mailbox/${encodeURIComponent(id)}`);
