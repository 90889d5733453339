/**
 * A local SMTP server for `npm start` without SMTP_URL and for tests: it accepts every
 * message on loopback (no TLS, any or no AUTH) and stores it in PostgreSQL (`received_mail`),
 * so the system works offline and the UI can show what GP practices would have received.
 * Not a relay: nothing is forwarded anywhere.
 */
import type { Sequelize } from 'sequelize';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../core/logger';
import { receiveRawMail } from '../records/mailbox';

export interface EmbeddedSmtpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  sequelize: Sequelize;
  logger: Logger;
  /** Largest message accepted, in bytes (default 10 MB). */
  maxMessageBytes?: number;
}

export interface EmbeddedSmtpServer {
  port: number;
  stop(): Promise<void>;
}

/** A reply code the sending side treats as "try again later" (RFC 5321 4yz). */
function temporaryFailure(message: string): Error {
  return Object.assign(new Error(message), { responseCode: 451 });
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startEmbeddedSmtpServer(options: EmbeddedSmtpServerOptions): Promise<EmbeddedSmtpServer> {
  const { sequelize, logger } = options;
  const maxBytes = options.maxMessageBytes ?? 10 * 1024 * 1024;

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const raw = await readAll(stream);
    if (stream.sizeExceeded)
      throw Object.assign(new Error(`message larger than ${maxBytes} bytes`), { responseCode: 552 });
    const envelopeTo = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
    const stored = await receiveRawMail({ sequelize }, { envelopeFrom, envelopeTo, raw });
    const log = { id: stored.id, messageId: stored.messageId, to: envelopeTo };
    if (stored.timesReceived > 1)
      logger.warn({ ...log, timesReceived: stored.timesReceived }, 'embedded SMTP: duplicate Message-ID received');
    else logger.debug(log, 'embedded SMTP: message stored');
  }

  const server = new SMTPServer({
    name: 'chis-flow-embedded-smtp',
    banner: 'CHIS Flow embedded SMTP server (local mailbox, nothing is relayed)',
    authOptional: true,
    // Accept whatever credentials an SMTP_URL-shaped client sends: this is a local sink.
    onAuth: (_auth, _session, callback) => callback(null, { user: 'local' }),
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    size: maxBytes,
    logger: false,
    // Stop promptly: open connections get a 421 after this long.
    closeTimeout: 500,
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(null, 'Message stored'),
        (error: unknown) => {
          if (error instanceof Error && 'responseCode' in error) return callback(error);
          // The mailbox could not be written (database down...): the sender must try again.
          logger.error({ err: error }, 'embedded SMTP: could not store a message');
          callback(temporaryFailure('mailbox temporarily unavailable, try again later'));
        },
      );
    },
  });
  server.on('error', (err) => logger.error({ err }, 'embedded SMTP server error'));

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      const address = server.server.address();
      if (address === null || typeof address === 'string')
        reject(new Error('embedded SMTP server: could not read its port'));
      else resolve(address.port);
    });
  });
  logger.info({ host: options.host, port }, 'embedded SMTP server listening (mail is kept in the local mailbox)');

  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: () => (stopped ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
