import nodemailer from 'nodemailer';
import { createLogger } from '../../core/logger';
import { freePort } from '../../core/free-port';
import type { Database } from '../../db/database';
import { enqueueEmail, enqueueMessage, getNotification } from '../../db/repositories/outbox';
import { select, type Db } from '../../db/repositories/sql';
import {
  createMailService,
  createMailTransport,
  findReceivedMailByMessageId,
  startEmbeddedSmtpServer,
  startOutboxRelay,
  type MailService,
} from '../../mail';
import { createMigratedDatabase } from '../support/databases';

const logger = createLogger('silent');
const model = {
  nhsNumber: '9434765919',
  initials: 'AF',
  practiceName: 'Larkspur Surgery',
  practiceCode: 'M85001',
  locality: 'Coventry',
};
const FAST = { baseRetryMs: 20, maxRetryMs: 200, failedAfterAttempts: 3, waitForOtherSenderMs: 10_000 };

let database: Database;
let db: Db;

beforeAll(async () => {
  database = await createMigratedDatabase('mail_delivery');
  db = { sequelize: database.sequelize };
});
afterAll(() => database.close());

function mailServiceOn(port: number): MailService {
  return createMailService({
    sequelize: database.sequelize,
    transport: createMailTransport({ embedded: { host: '127.0.0.1', port } }),
    from: 'West Midlands CHIS <chis@example.nhs.uk>',
    logger,
    options: FAST,
  });
}

async function receivedCount(messageId: string): Promise<number> {
  return (await findReceivedMailByMessageId(db, messageId))?.timesReceived ?? 0;
}

describe('embedded SMTP server', () => {
  test('stores what it receives; the same Message-ID again is counted, not stored twice', async () => {
    const server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port: 0, sequelize: database.sequelize, logger });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      const message = {
        from: 'a@example.org',
        to: 'GP@Example.nhs.uk',
        subject: 'Hello £ ünïcode',
        text: 'plain part',
        html: '<p>html part</p>',
        messageId: '<dup-test@example.org>',
      };
      await transport.sendMail(message);
      const stored = await findReceivedMailByMessageId(db, '<dup-test@example.org>');
      expect(stored).toMatchObject({
        subject: 'Hello £ ünïcode',
        envelopeTo: ['gp@example.nhs.uk'],
        envelopeFrom: 'a@example.org',
        timesReceived: 1,
      });
      expect(stored!.textBody).toContain('plain part');
      expect(stored!.htmlBody).toContain('<p>html part</p>');
      await transport.sendMail(message);
      expect(await receivedCount('<dup-test@example.org>')).toBe(2);
      expect(await select(db, "SELECT id FROM received_mail WHERE message_id = '<dup-test@example.org>'")).toHaveLength(
        1,
      );
    } finally {
      transport.close();
      await server.stop();
    }
  });
});

describe('outbox delivery', () => {
  test('the relay delivers due rows with both parts and marks them sent', async () => {
    const server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port: 0, sequelize: database.sequelize, logger });
    const mail = mailServiceOn(server.port);
    const relay = startOutboxRelay({ mail, logger, intervalMs: 50 });
    try {
      const { id, messageId } = await enqueueEmail(db, {
        idempotencyKey: 'relay-1',
        to: 'relay.gp@example.nhs.uk',
        template: 'gp-new-birth',
        model,
      });
      relay.wake();
      await waitFor(async () => (await getNotification(db, id))?.status === 'sent');
      const row = await getNotification(db, id);
      expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
      expect(row!.smtpResponse).toMatch(/^250 /);
      const received = await findReceivedMailByMessageId(db, messageId);
      expect(received).toMatchObject({
        subject: 'CHIS: new birth registered at your practice',
        envelopeTo: ['relay.gp@example.nhs.uk'],
        timesReceived: 1,
      });
      expect(received!.fromHeader).toBe('"West Midlands CHIS" <chis@example.nhs.uk>');
      expect(received!.textBody).toContain('NHS number: 943 476 5919');
      expect(received!.htmlBody).toContain('<td>943 476 5919</td>');
    } finally {
      await relay.stop();
      mail.close();
      await server.stop();
    }
  });

  test('SMTP server down for a while, then up: every email is delivered exactly once', async () => {
    const port = await freePort();
    let server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port, sequelize: database.sequelize, logger });
    await server.stop(); // the outage begins

    const relayA = mailServiceOn(port);
    const relayB = mailServiceOn(port);
    const activity = mailServiceOn(port);
    const enqueued = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        enqueueEmail(db, {
          idempotencyKey: `outage-${i}`,
          to: `outage${i}@example.nhs.uk`,
          template: 'gp-new-birth',
          model,
        }),
      ),
    );
    const ids = enqueued.map((e) => e.id);
    // The activity path fails loudly (so Temporal retries it) and loses nothing.
    await expect(activity.deliverNotification(ids[0])).rejects.toThrow(/not delivered: .*ECONNREFUSED/);

    // Several relay rounds fail during the outage: attempts count up, the backoff grows, nothing is dropped.
    for (let round = 0; round < 4; round++) {
      await relayA.deliverDue(50);
      await sleep(250);
    }
    const during = await select<{ status: string; attempts: number; lastError: string; nextAttemptAt: Date }>(
      db,
      'SELECT status, attempts, last_error, next_attempt_at FROM notifications WHERE id = ANY($1::bigint[])',
      [ids],
    );
    expect(during).toHaveLength(6);
    for (const row of during) {
      expect(row.attempts).toBeGreaterThanOrEqual(3);
      expect(row.lastError).toMatch(/ECONNREFUSED/);
      // After failedAfterAttempts (3) a row shows as failed, and is still retried.
      expect(row.status).toBe('failed');
    }

    server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port, sequelize: database.sequelize, logger }); // the outage ends
    try {
      await sleep(250); // let the capped backoff (200 ms) pass
      // Two relays and the activity race for the same rows.
      await Promise.all([
        relayA.deliverDue(50),
        relayB.deliverDue(50),
        ...ids.map((id) => activity.deliverNotification(id)),
      ]);
      await relayA.deliverDue(50);

      const after = await select<{ status: string }>(
        db,
        'SELECT status FROM notifications WHERE id = ANY($1::bigint[])',
        [ids],
      );
      expect(after.map((r) => r.status)).toEqual(Array(6).fill('sent'));
      for (const e of enqueued) expect(await receivedCount(e.messageId)).toBe(1);
      const received = await select(db, "SELECT id FROM received_mail WHERE envelope_to[1] LIKE 'outage%'");
      expect(received).toHaveLength(6);
      // Delivering again finds nothing to do.
      expect(await relayA.deliverDue(50)).toMatchObject({ sent: 0 });
      await expect(activity.deliverNotification(ids[1])).resolves.toEqual({
        status: 'already-sent',
        messageId: enqueued[1].messageId,
      });
    } finally {
      for (const m of [relayA, relayB, activity]) m.close();
      await server.stop();
    }
  });

  test('SMS and letter rows go to the logging stand-in sender and say so', async () => {
    const server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port: 0, sequelize: database.sequelize, logger });
    const mail = mailServiceOn(server.port);
    try {
      const reminder = { initials: 'AF', reminder: 'immunisation-due' as const };
      const sms = await enqueueMessage(db, {
        channel: 'sms',
        idempotencyKey: 'sms-1',
        to: '07700900123',
        template: 'family-reminder',
        model: reminder,
      });
      const letter = await enqueueMessage(db, {
        channel: 'letter',
        idempotencyKey: 'letter-1',
        to: 'J Featherstonehaugh, 17 Larkspur Crescent, CV1 2AB',
        template: 'family-reminder',
        model: reminder,
      });
      await mail.deliverNotification(sms.id);
      await mail.deliverNotification(letter.id);
      expect(await getNotification(db, sms.id)).toMatchObject({
        status: 'sent',
        smtpResponse: 'stand-in: logged only, no SMS gateway integrated',
        htmlBody: null,
      });
      expect(await getNotification(db, letter.id)).toMatchObject({
        status: 'sent',
        smtpResponse: 'stand-in: logged only, no print service integrated',
      });
      expect(await receivedCount(sms.messageId)).toBe(0);
    } finally {
      mail.close();
      await server.stop();
    }
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
