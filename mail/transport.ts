/**
 * The nodemailer transport, from configuration.
 *
 * - SMTP_URL set: mail goes to that relay. `smtp://host:587` speaks plain SMTP and upgrades
 *   with STARTTLS when the server offers it; add `?requireTLS=true` to refuse to send without
 *   STARTTLS (NHSmail: `smtp://user%40nhs.net:password@send.nhs.net:587/?requireTLS=true`).
 *   `smtps://host:465` is TLS from the first byte. Other nodemailer options can be given as
 *   query parameters too (`tls.servername=...`), as nodemailer reads them from the URL.
 * - Otherwise: the embedded SMTP server on loopback (no TLS: it never leaves the machine).
 */
import nodemailer, { type Transporter } from 'nodemailer';

export type SmtpTarget = { url: string } | { embedded: { host: string; port: number } };

/** Bounded waits, so that one hung relay connection cannot hold a claimed row past its lease. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

export function createMailTransport(target: SmtpTarget): Transporter {
  if ('url' in target) return nodemailer.createTransport({ url: target.url, ...TIMEOUTS });
  return nodemailer.createTransport({
    host: target.embedded.host,
    port: target.embedded.port,
    secure: false,
    ignoreTLS: true,
    ...TIMEOUTS,
  });
}

/** The URL with its password hidden, for logs. */
export function redactSmtpUrl(url: string): string {
  return url.replace(/^(smtps?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
