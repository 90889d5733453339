import { spawn } from 'node:child_process';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { createLogger } from '../../core/logger';
import { freePort } from '../../core/free-port';
import type { Database } from '../../db/database';
import { enqueueEmail, enqueueMessage } from '../../mail/outbox';
import { getNotification } from '../../records/outbox';
import { select, type Db } from '../../records/sql';
import {
  createMailService,
  createMailTransport,
  findReceivedMailByMessageId,
  startEmbeddedSmtpServer,
  outboxHealth,
  startOutboxRelay,
  type DeliveryOptions,
  type MailService,
  type OutboxRelay,
} from '../../mail';
import { createMigratedDatabase } from '../support/databases';
import { startTestSmtpServer } from './support/smtp-test-server';

const logger = createLogger('silent');
const model = {
  nhsNumber: '9434765919',
  initials: 'AF',
  practiceName: 'Larkspur Surgery',
  practiceCode: 'M85001',
  locality: 'Coventry',
};
const FAST: Partial<DeliveryOptions> = { baseRetryMs: 20, maxRetryMs: 200, failedAfterAttempts: 3 };

let database: Database;
let db: Db;

beforeAll(async () => {
  database = await createMigratedDatabase('mail_delivery');
  db = { sequelize: database.sequelize };
});
afterAll(() => database.close());
// Each test's rows only: whatever an earlier test left unsent would be claimed alongside.
beforeEach(() => select(db, "DELETE FROM notifications WHERE status <> 'sent' RETURNING id"));

function mailServiceOn(port: number, options: Partial<DeliveryOptions> = {}): MailService {
  return createMailService({
    sequelize: database.sequelize,
    transport: createMailTransport({ embedded: { host: '127.0.0.1', port } }),
    from: 'West Midlands CHIS <chis@example.nhs.uk>',
    logger,
    options: { ...FAST, ...options },
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

  test('SMTP server down far longer than any backoff: each email goes exactly once, within seconds of its return', async () => {
    const port = await freePort();
    let server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port, sequelize: database.sequelize, logger });
    // A backoff of 10 minutes after the first failure: only the probe can bring the mail back in time.
    const slow = { baseRetryMs: 600_000, maxRetryMs: 600_000, failedAfterAttempts: 1 };
    const mailA = mailServiceOn(port, slow);
    const mailB = mailServiceOn(port, slow);
    const relays = [mailA, mailB].map((mail) => startOutboxRelay({ mail, logger, intervalMs: 50, probeEveryMs: 200 }));
    await waitFor(async () => relays.every((r) => r.status().smtp === 'reachable'));
    await server.stop(); // the outage begins
    // All six become due at once (one transaction): a relay that has found the server down only
    // probes, so a row committed after both relays went down would rightly wait untried.
    const enqueued = await database.sequelize.transaction(async (transaction) => {
      const rows = [];
      for (let i = 0; i < 6; i++)
        rows.push(
          await enqueueEmail(
            { ...db, transaction },
            { idempotencyKey: `outage-${i}`, to: `outage${i}@example.nhs.uk`, template: 'gp-new-birth', model },
          ),
        );
      return rows;
    });
    const ids = enqueued.map((e) => e.id);
    try {
      for (const r of relays) r.wake();
      // Every row is tried, fails, and waits out a backoff far beyond the test; nothing is dropped.
      await waitFor(async () => {
        const rows = await select<{ attempts: number }>(
          db,
          'SELECT attempts FROM notifications WHERE id = ANY($1::bigint[])',
          [ids],
        );
        return rows.every((r) => r.attempts >= 1);
      });
      await sleep(600); // several probes fail meanwhile
      const during = await select<{ status: string; lastError: string; nextAttemptAt: Date }>(
        db,
        'SELECT status, last_error, next_attempt_at FROM notifications WHERE id = ANY($1::bigint[])',
        [ids],
      );
      expect(during).toHaveLength(6);
      for (const row of during) {
        expect(row.lastError).toMatch(/ECONNREFUSED/);
        expect(row.status).toBe('failed'); // past failedAfterAttempts: shown as failed, still retried
        expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 500_000);
      }
      expect(relays[0].status()).toMatchObject({
        smtp: 'unreachable',
        lastError: expect.stringMatching(/ECONNREFUSED/),
      });

      server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port, sequelize: database.sequelize, logger }); // the outage ends
      const back = Date.now();
      await waitFor(async () => {
        const rows = await select<{ status: string }>(
          db,
          'SELECT status FROM notifications WHERE id = ANY($1::bigint[])',
          [ids],
        );
        return rows.every((r) => r.status === 'sent');
      });
      // Probes every 200 ms: a few seconds at most even on a loaded machine, not the 10-minute backoff.
      expect(Date.now() - back).toBeLessThan(10_000);
      for (const e of enqueued) expect(await receivedCount(e.messageId)).toBe(1);
      const received = await select(db, "SELECT id FROM received_mail WHERE envelope_to[1] LIKE 'outage%'");
      expect(received).toHaveLength(6);
      expect(relays[0].status()).toMatchObject({ smtp: 'reachable', unreachableSince: null });
      // Delivering again finds nothing to do.
      expect(await mailA.deliverDue(50)).toMatchObject({ claimed: 0, sent: 0 });
    } finally {
      for (const r of relays) await r.stop();
      for (const m of [mailA, mailB]) m.close();
      await server.stop();
    }
  });

  test('mail waiting longer than the alert threshold is reported (log at error level, status, health)', async () => {
    const port = await freePort(); // nothing listens: the server is down
    const mail = mailServiceOn(port);
    const lines: Array<{ level: number; msg: string; old?: number }> = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { id } = await enqueueEmail(db, {
      idempotencyKey: `alert-${Date.now()}`,
      to: 'alert@example.nhs.uk',
      template: 'gp-new-birth',
      model,
    });
    await select(db, "UPDATE notifications SET created_at = now() - interval '20 minutes' WHERE id = $1 RETURNING id", [
      id,
    ]);
    const relay = startOutboxRelay({ mail, logger: capture, intervalMs: 50, probeEveryMs: 100, checkEveryMs: 100 });
    try {
      await waitFor(async () => relay.status().alert);
      const status = relay.status();
      expect(status).toMatchObject({ smtp: 'unreachable', alert: true });
      expect(status.old).toBeGreaterThanOrEqual(1);
      expect(status.oldestUnsentAgeMs).toBeGreaterThanOrEqual(19 * 60_000);
      expect(outboxHealth(status)).toMatchObject({
        status: 'delayed',
        detail: expect.stringMatching(/mail server unreachable since .*ECONNREFUSED.*older than 15 min/),
      });
      await waitFor(async () => lines.some((l) => l.level === 50 && /not delivered after 15 minutes/.test(l.msg)));
    } finally {
      await relay.stop();
      mail.close();
      await select(db, "UPDATE notifications SET status = 'sent' WHERE id = $1 RETURNING id", [id]);
    }
  });

  test("a dead sender's rows are free again within one lease, and go out once", async () => {
    const leaseMs = 3000;
    const hanging = await startTestSmtpServer({ answerAfterMs: null });
    const good = await startEmbeddedSmtpServer({ host: '127.0.0.1', port: 0, sequelize: database.sequelize, logger });
    const { id, messageId } = await enqueueEmail(db, {
      idempotencyKey: `dead-sender-${Date.now()}`,
      to: 'dead.sender@example.nhs.uk',
      template: 'gp-new-birth',
      model,
    });
    const sender = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, 'support/sender-process.ts'),
        database.url,
        String(hanging.port),
        String(leaseMs),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    sender.stdout.on('data', (c: Buffer) => (output += c.toString()));
    sender.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<void>((resolve) => sender.once('exit', () => resolve()));
    const mail = mailServiceOn(good.port, { leaseMs, renewEveryMs: 1000 });
    let relay: OutboxRelay | undefined;
    try {
      // The sender claims the row and hands the message over; the server never answers.
      await waitFor(async () => hanging.dataStarted.includes(messageId), 60_000).catch((e: Error) => {
        throw new Error(`${e.message}; sender said: ${output}`);
      });
      // Still held after a few renewals: nobody else may send it while its sender lives.
      await sleep(leaseMs + 500);
      expect(await mail.deliverDue(10)).toMatchObject({ claimed: 0 });
      sender.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();
      relay = startOutboxRelay({ mail, logger, intervalMs: 50 });
      await waitFor(async () => (await getNotification(db, id))?.status === 'sent', 20_000);
      const waited = Date.now() - killedAt;
      // The last renewal was at most a third of a lease before the kill: it lapses within one lease.
      expect(waited).toBeGreaterThan(leaseMs / 2);
      expect(waited).toBeLessThan(leaseMs + 3000);
      expect(await receivedCount(messageId)).toBe(1);
      expect(hanging.accepted).toEqual([]);
    } finally {
      sender.kill('SIGKILL');
      await relay?.stop();
      mail.close();
      await hanging.stop();
      await good.stop();
    }
  }, 90_000);

  test('a live sender keeps its rows while a slow server takes longer than the lease: no second sender sends them', async () => {
    const leaseMs = 1000;
    const slow = await startTestSmtpServer({ answerAfterMs: 3 * leaseMs });
    const { id, messageId } = await enqueueEmail(db, {
      idempotencyKey: `slow-server-${Date.now()}`,
      to: 'slow.server@example.nhs.uk',
      template: 'gp-new-birth',
      model,
    });
    const first = mailServiceOn(slow.port, { leaseMs, renewEveryMs: 300 });
    const second = mailServiceOn(slow.port, { leaseMs, renewEveryMs: 300 });
    let racing = true;
    const rounds: Promise<unknown>[] = [];
    try {
      const sending = first.deliverDue(1);
      await waitFor(async () => slow.dataStarted.includes(messageId));
      // Another sender polls all the while the first waits for "250 OK".
      const race = (async () => {
        while (racing) {
          rounds.push(second.deliverDue(1));
          await sleep(100);
        }
      })();
      expect(await sending).toMatchObject({ claimed: 1, sent: 1 });
      racing = false;
      await race;
      await Promise.all(rounds);
      expect(slow.dataStarted.filter((m) => m === messageId)).toHaveLength(1);
      expect(slow.accepted.filter((m) => m === messageId)).toHaveLength(1);
      expect(await getNotification(db, id)).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      racing = false;
      first.close();
      second.close();
      await slow.stop();
    }
  }, 60_000);

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
      await mail.deliverDue(10);
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
