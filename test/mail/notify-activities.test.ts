/**
 * notify.* activities in the Temporal SDK's activity context, on a real migrated PostgreSQL;
 * what they write is delivered over a real SMTP conversation with the embedded server.
 */
import { QueryTypes } from 'sequelize';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment, defaultActivityInfo } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createNotifyActivities } from '../../activities/notify';
import { createLogger } from '../../core/logger';
import { freePort } from '../../core/free-port';
import type { Database } from '../../db/database';
import { getNotification } from '../../records/outbox';
import { select, type Db } from '../../records/sql';
import {
  createMailService,
  createMailTransport,
  findReceivedMailByMessageId,
  startEmbeddedSmtpServer,
  type EmbeddedSmtpServer,
  type MailService,
} from '../../mail';
import { createMigratedDatabase } from '../support/databases';
import { CHILD, insertChild, insertContact, insertPractice } from './fixtures';

const quiet = new DefaultLogger('ERROR', () => undefined);
const logger = createLogger('silent');
let database: Database;
let db: Db;
let port: number;
let server: EmbeddedSmtpServer | undefined;
let mail: MailService;
let activities: ReturnType<typeof createNotifyActivities>;
let wakes = 0;

/** One round of what the outbox relay does: delivers every due row (a failed row waits for its backoff). */
async function deliverAll(): Promise<void> {
  for (;;) {
    const round = await mail.deliverDue(20);
    if (round.claimed < 20 || round.failed > 0) return;
  }
}

beforeAll(async () => {
  database = await createMigratedDatabase('mail_notify');
  db = { sequelize: database.sequelize };
  port = await freePort();
  server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port, sequelize: database.sequelize, logger });
  mail = createMailService({
    sequelize: database.sequelize,
    transport: createMailTransport({ embedded: { host: '127.0.0.1', port } }),
    from: 'West Midlands CHIS <chis@example.nhs.uk>',
    logger,
    options: { baseRetryMs: 20, maxRetryMs: 100 },
  });
  activities = createNotifyActivities({
    sequelize: database.sequelize,
    taskQueue: 'unused',
    wakeOutboxRelay: () => void wakes++,
  });
});
afterAll(async () => {
  mail.close();
  await server?.stop();
  await database.close();
});

/** One activity call: every `run` on the same call is a retry (same workflow, run and activity id). */
function call(workflowId = `new-birth-registration-${randomUUID().replace(/-/g, '')}`, activityId = '3') {
  const env = new MockActivityEnvironment(
    { ...defaultActivityInfo, activityId, workflowExecution: { workflowId, runId: 'run-1' } },
    { logger: quiet },
  );
  return <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    env.run(fn, ...args) as Promise<R>;
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('notify.emailGpPractice', () => {
  test("emails the child's practice once, audits it, and names the child by NHS number and initials only", async () => {
    const practice = await insertPractice(db);
    const child = await insertChild(db, practice.odsCode);
    const run = call();
    const input = { template: 'gp-new-birth' as const, childId: child.id, details: { locality: 'Coventry' } };
    const wakesBefore = wakes;
    const first = await run(activities['notify.emailGpPractice']!, input);
    expect(first).toMatchObject({ recipient: practice.email });
    expect(wakes).toBe(wakesBefore + 1); // the relay is told there is mail

    // Temporal retries the same activity (e.g. the worker died before reporting): nothing new.
    const retry = await run(activities['notify.emailGpPractice']!, input);
    expect(retry).toEqual(first);
    expect(wakes).toBe(wakesBefore + 1);
    await deliverAll();
    const received = await findReceivedMailByMessageId(db, first.messageId);
    expect(received).toMatchObject({ envelopeTo: [practice.email], timesReceived: 1 });
    const raw = (
      await select<{ raw: Buffer }>(db, 'SELECT raw FROM received_mail WHERE id = $1', [received!.id])
    )[0].raw.toString('utf8');
    expect(received!.textBody).toContain(
      `NHS number: ${child.nhsNumber.slice(0, 3)} ${child.nhsNumber.slice(3, 6)} ${child.nhsNumber.slice(6)}`,
    );
    expect(received!.textBody).toContain('Initials: A.F.');
    for (const leak of [CHILD.givenName, CHILD.familyName, CHILD.addressLine1, CHILD.postcode]) {
      expect(raw).not.toContain(leak);
      expect(received!.htmlBody).not.toContain(leak);
      expect(received!.textBody).not.toContain(leak);
    }

    const audit = await select<{ action: string; actorUsername: string; entityId: string }>(
      db,
      'SELECT action, actor_username, entity_id FROM audit_events WHERE child_id = $1',
      [child.id],
    );
    expect(audit).toEqual([
      {
        action: 'notification.enqueued',
        actorUsername: 'system:new-birth-registration',
        entityId: first.notificationId,
      },
    ]);
  });

  test('another activity of the same process sends another email', async () => {
    const practice = await insertPractice(db);
    const child = await insertChild(db, practice.odsCode);
    const workflowId = `child-mover-${randomUUID().replace(/-/g, '')}`;
    const a = await call(workflowId, '5')(activities['notify.emailGpPractice']!, {
      template: 'gp-mover-out',
      childId: child.id,
      details: { fromLocality: 'Coventry', toLocality: 'Dudley', reason: 'address-change' },
    });
    const b = await call(workflowId, '6')(activities['notify.emailGpPractice']!, {
      template: 'gp-mover-in',
      childId: child.id,
      details: { fromLocality: 'Coventry', toLocality: 'Dudley', reason: 'address-change' },
    });
    expect(a.notificationId).not.toBe(b.notificationId);
    await deliverAll();
    expect((await findReceivedMailByMessageId(db, b.messageId))?.subject).toBe(
      'CHIS: a child has moved into your area',
    );
  });

  test('bad input fails without retry and writes nothing', async () => {
    const practice = await insertPractice(db);
    const child = await insertChild(db, practice.odsCode);
    const noGp = await insertChild(db, null);
    const cases: [unknown, RegExp][] = [
      [
        { template: 'gp-new-birth', childId: child.id, gpPracticeCode: 'NOPE999', details: { locality: 'Coventry' } },
        /unknown GP practice ODS code "NOPE999"/,
      ],
      [
        { template: 'gp-new-birth', childId: '999999999', details: { locality: 'Coventry' } },
        /no child record with id 999999999/,
      ],
      [
        { template: 'gp-new-birth', childId: noGp.id, details: { locality: 'Coventry' } },
        /has no registered GP practice/,
      ],
      [
        {
          template: 'gp-new-birth',
          childId: child.id,
          details: { locality: 'Coventry', familyName: 'Featherstonehaugh' },
        },
        /familyName|unrecognized key/i,
      ],
      [{ template: 'gp-birthday-card', childId: child.id }, /template/],
      [{ template: 'gp-new-birth', childId: 'abc' }, /childId: a child record id is digits/],
    ];
    for (const [input, message] of cases) {
      const failure = await failureOf(call()(activities['notify.emailGpPractice']!, input as never));
      expect(failure).toMatchObject({ type: 'ValidationError', nonRetryable: true });
      expect(failure.message).toMatch(message);
    }
    expect(
      await select(db, 'SELECT id FROM notifications WHERE child_id = ANY($1::bigint[])', [[child.id, noGp.id]]),
    ).toHaveLength(0);
  });

  test('the same business step run again as a new activity (an incident retry) finds its row: one email, one Message-ID', async () => {
    const practice = await insertPractice(db);
    const child = await insertChild(db, practice.odsCode);
    const workflowId = `new-birth-registration-${randomUUID().replace(/-/g, '')}`;
    const input = { template: 'gp-new-birth' as const, childId: child.id, details: { locality: 'Coventry' } };
    const step = { elementId: 'Task_EmailGp', elementInstanceId: 'ei-7', headers: {} };
    // The first activity wrote its row; the incident retry schedules the step as activity 12.
    const first = await call(workflowId, '5')(activities['notify.emailGpPractice']!, input, step);
    const again = await call(workflowId, '12')(activities['notify.emailGpPractice']!, input, step);
    expect(again).toEqual(first);
    expect(await getNotification(db, first.notificationId)).toMatchObject({
      idempotencyKey: `notify:${workflowId}/ei-7`,
    });
    // Another step of the instance (a loop's next pass is a new element instance) is another email.
    const next = await call(workflowId, '13')(activities['notify.emailGpPractice']!, input, {
      ...step,
      elementInstanceId: 'ei-19',
    });
    expect(next.messageId).not.toBe(first.messageId);
    await deliverAll();
    expect((await findReceivedMailByMessageId(db, first.messageId))?.timesReceived).toBe(1);
    expect(await select(db, 'SELECT id FROM notifications WHERE child_id = $1', [child.id])).toHaveLength(2);
  });

  test('an activity scheduled before element instances were passed keeps its per-activity key', async () => {
    const practice = await insertPractice(db);
    const child = await insertChild(db, practice.odsCode);
    const workflowId = `new-birth-registration-${randomUUID().replace(/-/g, '')}`;
    const input = { template: 'gp-new-birth' as const, childId: child.id, details: { locality: 'Coventry' } };
    const legacy = { elementId: 'Task_EmailGp', headers: {} };
    const first = await call(workflowId, '5')(activities['notify.emailGpPractice']!, input, legacy);
    expect(await getNotification(db, first.notificationId)).toMatchObject({
      idempotencyKey: `notify:${workflowId}/run-1/5`,
    });
    expect(await call(workflowId, '5')(activities['notify.emailGpPractice']!, input, legacy)).toEqual(first);
  });

  test('SMTP server down: the activity succeeds at once and the relay delivers the row when the server is back', async () => {
    const practice = await insertPractice(db);
    const child = await insertChild(db, practice.odsCode);
    const run = call();
    const input = {
      template: 'gp-immunisation-overdue' as const,
      childId: child.id,
      details: { doses: [{ vaccine: 'MenB', dose: 1, dueOn: '2026-03-02' }] },
    };
    await server!.stop();
    server = undefined;
    const result = await run(activities['notify.emailGpPractice']!, input);
    expect(await getNotification(db, result.notificationId)).toMatchObject({ status: 'pending', attempts: 0 });
    await deliverAll(); // the relay tries: refused, backs off
    expect(await getNotification(db, result.notificationId)).toMatchObject({ status: 'pending', attempts: 1 });

    server = await startEmbeddedSmtpServer({ host: '127.0.0.1', port, sequelize: database.sequelize, logger });
    await mail.resumeWaiting(); // what the relay does when its probe gets an answer
    await deliverAll();
    expect(await getNotification(db, result.notificationId)).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await findReceivedMailByMessageId(db, result.messageId))?.timesReceived).toBe(1);
  });
});

describe('notify.remindFamily', () => {
  test('email contact: the reminder goes by email through the outbox', async () => {
    const child = await insertChild(db, null);
    await insertContact(db, child.id, { preferredMethod: 'email', email: 'parent@example.org' });
    const result = await call()(activities['notify.remindFamily']!, {
      childId: child.id,
      reminder: 'immunisation-overdue',
      about: 'MenB (8 weeks)',
      dueOn: '2026-03-02',
    });
    expect(result).toMatchObject({ sentVia: 'email' });
    await deliverAll();
    const row = await getNotification(db, result.notificationId);
    const received = await findReceivedMailByMessageId(db, row!.messageId);
    expect(received).toMatchObject({ envelopeTo: ['parent@example.org'], timesReceived: 1 });
    expect(received!.textBody).toContain(
      'Your child A.F. has missed immunisations (MenB (8 weeks)) that were due on 2 March 2026. Please contact your GP practice',
    );
    expect(received!.textBody).not.toContain(CHILD.givenName);
  });

  test('SMS, phone and letter preferences are recorded and handed to the logging stand-in', async () => {
    const sms = await insertChild(db, null);
    await insertContact(db, sms.id, { preferredMethod: 'sms', phone: '07700900001' });
    const phone = await insertChild(db, null);
    await insertContact(db, phone.id, { preferredMethod: 'phone', phone: '07700900002' });
    const letter = await insertChild(db, null);
    await insertContact(db, letter.id, { preferredMethod: 'letter' });

    const a = await call()(activities['notify.remindFamily']!, { childId: sms.id, reminder: 'immunisation-due' });
    const b = await call()(activities['notify.remindFamily']!, {
      childId: phone.id,
      reminder: 'appointment',
      dueOn: '2026-04-01',
    });
    const c = await call()(activities['notify.remindFamily']!, { childId: letter.id, reminder: 'immunisation-due' });
    expect([a.sentVia, b.sentVia, c.sentVia]).toEqual(['sms', 'sms', 'letter']);
    await deliverAll();
    expect(await getNotification(db, a.notificationId)).toMatchObject({
      channel: 'sms',
      recipient: '07700900001',
      status: 'sent',
      smtpResponse: expect.stringMatching(/^stand-in/),
    });
    expect(await getNotification(db, b.notificationId)).toMatchObject({ recipient: '07700900002' });
    expect(await getNotification(db, c.notificationId)).toMatchObject({
      channel: 'letter',
      recipient: `Joanna Featherstonehaugh, ${CHILD.addressLine1}, ${CHILD.postcode}`,
      status: 'sent',
    });
  });

  test('no contact details → NoContactDetailsError, not retried', async () => {
    const none = await insertChild(db, null);
    const smsOnly = await insertChild(db, null);
    await insertContact(db, smsOnly.id, { preferredMethod: 'sms', phone: '07700900003' });
    const f1 = await failureOf(
      call()(activities['notify.remindFamily']!, { childId: none.id, reminder: 'immunisation-due' }),
    );
    expect(f1).toMatchObject({ type: 'NoContactDetailsError', nonRetryable: true });
    const f2 = await failureOf(
      call()(activities['notify.remindFamily']!, {
        childId: smsOnly.id,
        reminder: 'immunisation-due',
        preferredContact: 'email',
      }),
    );
    expect(f2).toMatchObject({ type: 'NoContactDetailsError', message: 'the family contact has no email address' });
  });

  test('a record restricted on PDS: no letter goes to its address (nothing in the outbox); an email to the family still goes', async () => {
    const restricted = await insertChild(db, null);
    await insertContact(db, restricted.id, { preferredMethod: 'letter', email: 'family@example.org' });
    await db.sequelize.query('UPDATE children SET restricted = true WHERE id = $1', { bind: [restricted.id] });
    const outbox = async () =>
      (
        await db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE child_id = $1', {
          type: QueryTypes.SELECT,
          bind: [restricted.id],
        })
      )[0].n;
    const refused = await failureOf(
      call()(activities['notify.remindFamily']!, { childId: restricted.id, reminder: 'immunisation-due' }),
    );
    expect(refused).toMatchObject({
      type: 'NoContactDetailsError',
      nonRetryable: true,
      message: 'the record is restricted on PDS: no letter is sent to its address',
    });
    expect(await outbox()).toBe(0);
    const emailed = await call()(activities['notify.remindFamily']!, {
      childId: restricted.id,
      reminder: 'immunisation-due',
      preferredContact: 'email',
    });
    expect(emailed.sentVia).toBe('email');
    expect(await outbox()).toBe(1);
  });
});
