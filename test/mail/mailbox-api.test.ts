/** GET /api/mailbox and /api/mailbox/:id: mail delivered over SMTP to the embedded server, read through the API. */
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../core/logger';
import { enqueueEmail } from '../../mail/outbox';
import { select } from '../../records/sql';
import {
  createMailService,
  createMailTransport,
  startEmbeddedSmtpServer,
  type EmbeddedSmtpServer,
  type MailService,
} from '../../mail';
import { makeStaff, signIn, startCaseWork, type CaseWorkHarness, type SignedIn } from '../api/support/case-work';

const model = {
  nhsNumber: '9434765919',
  initials: 'AF',
  practiceName: 'Larkspur Surgery',
  practiceCode: 'M85001',
  locality: 'Coventry',
};
let h: CaseWorkHarness;
let server: EmbeddedSmtpServer;
let mail: MailService;
let manager: SignedIn;
let admin: SignedIn;
let caseworker: SignedIn;
let delivered: { id: string; messageId: string }[];

beforeAll(async () => {
  h = await startCaseWork('mail_mailbox_api');
  server = await startEmbeddedSmtpServer({
    host: '127.0.0.1',
    port: 0,
    sequelize: h.database.sequelize,
    logger: createLogger('silent'),
  });
  mail = createMailService({
    sequelize: h.database.sequelize,
    transport: createMailTransport({ embedded: { host: '127.0.0.1', port: server.port } }),
    from: 'West Midlands CHIS <chis@example.nhs.uk>',
    logger: createLogger('silent'),
  });
  delivered = [];
  for (const to of ['one@practice.example.nhs.uk', 'two@practice.example.nhs.uk', 'one@practice.example.nhs.uk']) {
    const e = await enqueueEmail(h.db, {
      idempotencyKey: `mailbox-api-${delivered.length}`,
      to,
      template: 'gp-new-birth',
      model,
    });
    // One at a time, so the mailbox's order is the order written.
    expect(await mail.deliverDue(1)).toMatchObject({ sent: 1 });
    delivered.push(e);
  }
  manager = await signIn(h.app, await makeStaff(h.db, 'service_manager'));
  admin = await signIn(h.app, await makeStaff(h.db, 'administrator'));
  caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
});
afterAll(async () => {
  mail.close();
  await server.stop();
  await h.close();
});

describe('mailbox API', () => {
  test('a service manager lists the mailbox newest first, pages through it and filters by recipient', async () => {
    const all = await manager.agent.get('/api/mailbox');
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual(
      delivered.map((d) => d.messageId).reverse(),
    );
    expect(all.body.messages[0]).toMatchObject({
      subject: 'CHIS: new birth registered at your practice',
      envelopeTo: ['one@practice.example.nhs.uk'],
      timesReceived: 1,
    });
    expect(all.body.messages[0].textBody).toBeUndefined(); // summaries only

    const first = await manager.agent.get('/api/mailbox?limit=2');
    expect(first.body.messages).toHaveLength(2);
    const second = await manager.agent.get(`/api/mailbox?limit=2&cursor=${first.body.next}`);
    expect(second.body).toMatchObject({ messages: [{ messageId: delivered[0].messageId }], next: null });

    const filtered = await manager.agent.get('/api/mailbox?to=ONE@practice.example.nhs.uk');
    expect(filtered.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([
      delivered[2].messageId,
      delivered[0].messageId,
    ]);
  });

  test('an administrator reads one message with both parts; the read is audited', async () => {
    const list = await admin.agent.get('/api/mailbox?limit=1');
    const id = list.body.messages[0].id;
    const res = await admin.agent.get(`/api/mailbox/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.textBody).toContain('NHS number: 943 476 5919');
    expect(res.body.htmlBody).toContain('<td>943 476 5919</td>');
    const audit = await select(
      h.db,
      "SELECT actor_username, entity_id FROM audit_events WHERE action = 'mailbox.read'",
    );
    expect(audit).toEqual([{ actorUsername: admin.user.username, entityId: id }]);
  });

  test('a caseworker is refused (403); no session → 401; unknown or malformed ids are named', async () => {
    expect((await caseworker.agent.get('/api/mailbox')).status).toBe(403);
    expect((await caseworker.agent.get(`/api/mailbox/1`)).status).toBe(403);
    expect((await request(h.app).get('/api/mailbox')).status).toBe(401);
    const missing = await manager.agent.get('/api/mailbox/999999');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toBe('No message 999999 in the mailbox');
    const bad = await manager.agent.get('/api/mailbox/abc');
    expect(bad.status).toBe(400);
    expect((await manager.agent.get('/api/mailbox?to=nobody')).status).toBe(400);
  });

  test('a service manager finds the mail of a GP practice (by ODS code) and of a child (by NHS number)', async () => {
    await select(
      h.db,
      `INSERT INTO gp_practices (ods_code, name, email, locality_id)
       VALUES ('T99001', 'Larkspur Surgery', 'one@practice.example.nhs.uk', 1) RETURNING ods_code`,
    );
    const other = await enqueueEmail(h.db, {
      idempotencyKey: 'mailbox-api-other-child',
      to: 'two@practice.example.nhs.uk',
      template: 'gp-new-birth',
      model: { ...model, nhsNumber: '9990000018', initials: 'BG' },
    });
    expect(await mail.deliverDue(1)).toMatchObject({ sent: 1 });
    const ids = (res: request.Response) => res.body.messages.map((m: { messageId: string }) => m.messageId);

    const practice = await manager.agent.get('/api/mailbox?practice=t99001');
    expect(practice.status).toBe(200);
    expect(ids(practice)).toEqual([delivered[2].messageId, delivered[0].messageId]);
    const child = await manager.agent.get('/api/mailbox?nhsNumber=9434765919');
    expect(ids(child)).toEqual(delivered.map((d) => d.messageId).reverse());
    const otherChild = await manager.agent.get('/api/mailbox?nhsNumber=9990000018');
    expect(ids(otherChild)).toEqual([other.messageId]);
    const both = await manager.agent.get('/api/mailbox?practice=T99001&nhsNumber=9990000018');
    expect(ids(both)).toEqual([]);

    const audit = await select<{ detail: Record<string, unknown> }>(
      h.db,
      "SELECT detail FROM audit_events WHERE action = 'mailbox.list' AND actor_username = $1 ORDER BY id DESC LIMIT 1",
      [manager.user.username],
    );
    expect(audit[0]!.detail).toMatchObject({ practice: 'T99001', nhsNumber: '9990000018', count: 0 });

    const unknown = await manager.agent.get('/api/mailbox?practice=ZZZ999');
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: 'query.practice', message: 'is not a GP practice on record' }]);
    const mismatch = await manager.agent.get('/api/mailbox?practice=T99001&to=two@practice.example.nhs.uk');
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.errors[0].field).toBe('query.to');
    const badNumber = await manager.agent.get('/api/mailbox?nhsNumber=9434765918');
    expect(badNumber.status).toBe(400);
    expect(JSON.stringify(badNumber.body)).toContain('query.nhsNumber');
  });

  test('with mail going to SMTP_URL there is no local mailbox: 404 saying so', async () => {
    const app = createApp({
      logger: pino({ level: 'silent' }),
      health: {},
      caseWork: { ...h.deps, localMailbox: false },
    });
    const s = await signIn(app, manager.user);
    const res = await s.agent.get('/api/mailbox');
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatch(/no local mailbox: mail is sent to the SMTP relay set in SMTP_URL/);
  });
});
