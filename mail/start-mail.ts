/**
 * Mail for a running system, from the configuration: the embedded SMTP server unless
 * SMTP_URL is set, the transport and the delivery service. The relay is started separately
 * (it belongs to the worker process).
 */
import type { Sequelize } from 'sequelize';
import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import { createMailService, type DeliveryOptions, type MailService } from './delivery';
import { startEmbeddedSmtpServer } from './embedded-smtp-server';
import { createMailTransport, redactSmtpUrl } from './transport';

export interface RunningMail {
  mail: MailService;
  /** Port of the embedded SMTP server; absent when mail goes to SMTP_URL. */
  embeddedSmtpPort?: number;
  stop(): Promise<void>;
}

export async function startMailFor(
  config: Pick<Config, 'host' | 'smtp' | 'mail'>,
  sequelize: Sequelize,
  logger: Logger,
  options?: Partial<DeliveryOptions>,
): Promise<RunningMail> {
  if ('url' in config.smtp) {
    logger.info({ smtp: redactSmtpUrl(config.smtp.url) }, 'email goes to the configured SMTP relay');
    const mail = createMailService({
      sequelize,
      transport: createMailTransport({ url: config.smtp.url }),
      from: config.mail.from,
      logger,
      options,
    });
    return { mail, stop: async () => mail.close() };
  }
  const server = await startEmbeddedSmtpServer({
    host: config.host,
    port: config.mail.embeddedSmtpPort,
    sequelize,
    logger: logger.child({ component: 'embedded-smtp' }),
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(
      `the embedded SMTP server cannot listen on ${config.host}:${config.mail.embeddedSmtpPort} (in use): set CHIS_EMBEDDED_SMTP_PORT to a free port (0: any), or SMTP_URL`,
    );
  });
  const transport = createMailTransport({ embedded: { host: config.host, port: server.port } });
  const mail = createMailService({ sequelize, transport, from: config.mail.from, logger, options });
  return {
    mail,
    embeddedSmtpPort: server.port,
    stop: async () => {
      mail.close();
      await server.stop();
    },
  };
}
