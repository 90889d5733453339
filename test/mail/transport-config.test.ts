/** SMTP settings: configuration, and what an SMTP_URL asks of the transport, in real SMTP conversations. */
import { ConfigError, loadConfig } from '../../core/config';
import { createLogger } from '../../core/logger';
import type { Database } from '../../db/database';
import {
  createMailTransport,
  findReceivedMailByMessageId,
  redactSmtpUrl,
  startEmbeddedSmtpServer,
  startMailFor,
  type EmbeddedSmtpServer,
} from '../../mail';
import { createMigratedDatabase } from '../support/databases';

const logger = createLogger('silent');

describe('mail configuration', () => {
  test('defaults: embedded SMTP server on 2525 and a local From address', () => {
    const config = loadConfig({}, '/srv');
    expect(config.smtp).toEqual({ embedded: true });
    expect(config.mail).toEqual({ from: 'West Midlands CHIS <chis-flow@chis-flow.local>', embeddedSmtpPort: 2525 });
  });

  test('settings are read and bad values named', () => {
    const config = loadConfig(
      {
        SMTP_URL: 'smtp://relay:587/?requireTLS=true',
        CHIS_MAIL_FROM: 'chis@example.nhs.uk',
        CHIS_EMBEDDED_SMTP_PORT: '2626',
      },
      '/srv',
    );
    expect(config.smtp).toEqual({ url: 'smtp://relay:587/?requireTLS=true' });
    expect(config.mail).toEqual({ from: 'chis@example.nhs.uk', embeddedSmtpPort: 2626 });
    let problems: string[] = [];
    try {
      loadConfig({ CHIS_MAIL_FROM: 'nobody', CHIS_EMBEDDED_SMTP_PORT: '70000', SMTP_URL: 'http://relay' }, '/srv');
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^CHIS_SMTP_URL \(from SMTP_URL\): expected an smtp:\/\/ or smtps:\/\/ URL/),
      expect.stringMatching(/^CHIS_EMBEDDED_SMTP_PORT: expected a port from 0 to 65535, got "70000"/),
      expect.stringMatching(/^CHIS_MAIL_FROM: expected an address/),
    ]);
  });

  test('passwords are hidden in logged URLs', () => {
    expect(redactSmtpUrl('smtp://user%40nhs.net:s3cret@send.nhs.net:587/?requireTLS=true')).toBe(
      'smtp://user%40nhs.net:***@send.nhs.net:587/?requireTLS=true',
    );
    expect(redactSmtpUrl('smtp://relay:25')).toBe('smtp://relay:25');
  });
});

describe('SMTP_URL transports against a real server', () => {
  let database: Database;
  let server: EmbeddedSmtpServer;
  beforeAll(async () => {
    database = await createMigratedDatabase('mail_transport');
    server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port: 0, sequelize: database.sequelize, logger });
  });
  afterAll(async () => {
    await server.stop();
    await database.close();
  });

  const message = (id: string) => ({
    from: 'chis@example.nhs.uk',
    to: 'gp@example.nhs.uk',
    subject: 'Test',
    text: 'Body',
    messageId: `<${id}@test>`,
  });

  test('smtp:// with credentials delivers (STARTTLS only when offered)', async () => {
    const transport = createMailTransport({ url: `smtp://user:pass@127.0.0.1:${server.port}` });
    await transport.sendMail(message('plain'));
    transport.close();
    expect(await findReceivedMailByMessageId({ sequelize: database.sequelize }, '<plain@test>')).not.toBeNull();
  });

  test('?requireTLS=true refuses to send to a server without STARTTLS', async () => {
    const transport = createMailTransport({ url: `smtp://127.0.0.1:${server.port}/?requireTLS=true` });
    await expect(transport.sendMail(message('tls'))).rejects.toThrow(/STARTTLS/);
    transport.close();
    expect(await findReceivedMailByMessageId({ sequelize: database.sequelize }, '<tls@test>')).toBeNull();
  });

  test('startMailFor: SMTP_URL set → no embedded server is started', async () => {
    const running = await startMailFor(
      {
        host: '127.0.0.1',
        smtp: { url: `smtp://127.0.0.1:${server.port}` },
        mail: { from: 'chis@example.nhs.uk', embeddedSmtpPort: 1 },
      },
      database.sequelize,
      logger,
    );
    expect(running.embeddedSmtpPort).toBeUndefined();
    await running.stop();
  });

  test('startMailFor: an embedded port in use is refused with the setting to change', async () => {
    await expect(
      startMailFor(
        {
          host: '127.0.0.1',
          smtp: { embedded: true },
          mail: { from: 'chis@example.nhs.uk', embeddedSmtpPort: server.port },
        },
        database.sequelize,
        logger,
      ),
    ).rejects.toThrow(
      `the embedded SMTP server cannot listen on 127.0.0.1:${server.port} (in use): set CHIS_EMBEDDED_SMTP_PORT to a free port (0: any), or SMTP_URL`,
    );
    const running = await startMailFor(
      { host: '127.0.0.1', smtp: { embedded: true }, mail: { from: 'chis@example.nhs.uk', embeddedSmtpPort: 0 } },
      database.sequelize,
      logger,
    );
    expect(running.embeddedSmtpPort).toBeGreaterThan(0);
    await running.stop();
  });
});
