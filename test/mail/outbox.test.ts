import type { Database } from '../../db/database';
import { enqueueEmail, enqueueGpPracticeEmail, messageIdFor, OutboxInputError } from '../../mail/outbox';
import { findNotificationByKey } from '../../records/outbox';
import { inTransaction, select, type Db } from '../../records/sql';
import { TemplateModelError } from '../../mail/templates';
import { createMigratedDatabase } from '../support/databases';
import { CHILD, insertChild, insertPractice } from './fixtures';

let database: Database;
let db: Db;

beforeAll(async () => {
  database = await createMigratedDatabase('mail_outbox');
  db = { sequelize: database.sequelize };
});
afterAll(() => database.close());

const model = {
  nhsNumber: '9434765919',
  initials: 'AF',
  practiceName: 'Larkspur Surgery',
  practiceCode: 'M85001',
  locality: 'Coventry',
};

describe('outbox: enqueueEmail', () => {
  test('writes one rendered row with a Message-ID fixed by the idempotency key', async () => {
    const result = await enqueueEmail(db, {
      idempotencyKey: 'outbox-1',
      to: 'gp@example.nhs.uk',
      template: 'gp-new-birth',
      model,
    });
    expect(result).toEqual({ id: expect.any(String), messageId: messageIdFor('outbox-1'), created: true });
    const row = await findNotificationByKey(db, 'outbox-1');
    expect(row).toMatchObject({
      channel: 'email',
      recipient: 'gp@example.nhs.uk',
      status: 'pending',
      attempts: 0,
      template: 'gp-new-birth',
    });
    expect(row!.textBody).toContain('943 476 5919');
    expect(row!.htmlBody).toContain('<!doctype html>');
  });

  test('the same key twice → one row, and the second call returns the first id', async () => {
    const first = await enqueueEmail(db, {
      idempotencyKey: 'outbox-dup',
      to: 'gp@example.nhs.uk',
      template: 'gp-new-birth',
      model,
    });
    const second = await enqueueEmail(db, {
      idempotencyKey: 'outbox-dup',
      to: 'other@example.nhs.uk',
      template: 'gp-new-birth',
      model,
    });
    expect(second).toEqual({ id: first.id, messageId: first.messageId, created: false });
    const rows = await select(db, "SELECT id FROM notifications WHERE idempotency_key = 'outbox-dup'");
    expect(rows).toHaveLength(1);
  });

  test('the same key from concurrent transactions → one row; both callers get its id', async () => {
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        inTransaction(db, (tx) =>
          enqueueEmail(tx, { idempotencyKey: 'outbox-race', to: 'gp@example.nhs.uk', template: 'gp-new-birth', model }),
        ),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  test("written in the caller's transaction: the change rolls back → no outbox row", async () => {
    const practice = await insertPractice(db);
    const before = await select(db, 'SELECT count(*) FROM children');
    await expect(
      inTransaction(db, async (tx) => {
        const child = await insertChild(tx, practice.odsCode);
        await enqueueGpPracticeEmail(tx, {
          idempotencyKey: 'outbox-rollback',
          gpPracticeCode: practice.odsCode,
          template: 'gp-new-birth',
          childId: child.id,
          details: { locality: 'Coventry' },
        });
        // The row is visible inside the transaction...
        expect(await findNotificationByKey(tx, 'outbox-rollback')).not.toBeNull();
        throw new Error('the change fails after the email was enqueued');
      }),
    ).rejects.toThrow('the change fails');
    // ...and gone with the change.
    expect(await findNotificationByKey(db, 'outbox-rollback')).toBeNull();
    expect(await select(db, 'SELECT count(*) FROM children')).toEqual(before);
  });

  test('commits with the change', async () => {
    const practice = await insertPractice(db);
    const child = await inTransaction(db, async (tx) => {
      const c = await insertChild(tx, practice.odsCode);
      await enqueueGpPracticeEmail(tx, {
        idempotencyKey: 'outbox-commit',
        gpPracticeCode: practice.odsCode,
        template: 'gp-new-birth',
        childId: c.id,
        details: { locality: 'Coventry' },
      });
      return c;
    });
    const row = await findNotificationByKey(db, 'outbox-commit');
    expect(row).toMatchObject({ recipient: practice.email, childId: child.id });
    // Named by NHS number and initials; never by name or address.
    const everything = `${row!.subject}\n${row!.textBody}\n${row!.htmlBody}`;
    expect(everything).toContain(
      `${child.nhsNumber.slice(0, 3)} ${child.nhsNumber.slice(3, 6)} ${child.nhsNumber.slice(6)}`,
    );
    expect(everything).toContain('A.F.');
    for (const leak of [
      CHILD.givenName,
      CHILD.familyName,
      CHILD.addressLine1,
      CHILD.postcode,
      '2026-01-05',
      '5 January 2026',
    ])
      expect(everything).not.toContain(leak);
  });

  test('bad input is refused before anything is written', async () => {
    await expect(
      enqueueEmail(db, { idempotencyKey: 'bad-1', to: 'not-an-address', template: 'gp-new-birth', model }),
    ).rejects.toThrow(OutboxInputError);
    await expect(
      enqueueEmail(db, {
        idempotencyKey: 'bad-2',
        to: 'gp@example.nhs.uk',
        template: 'gp-new-birth',
        model: { ...model, locality: undefined },
      }),
    ).rejects.toThrow(TemplateModelError);
    await expect(
      enqueueGpPracticeEmail(db, {
        idempotencyKey: 'bad-3',
        gpPracticeCode: 'ZZZ999',
        template: 'gp-new-birth',
        childId: '1',
        details: {},
      }),
    ).rejects.toThrow('unknown GP practice ODS code "ZZZ999"');
    const practice = await insertPractice(db);
    await expect(
      enqueueGpPracticeEmail(db, {
        idempotencyKey: 'bad-4',
        gpPracticeCode: practice.odsCode,
        template: 'gp-new-birth',
        childId: '987654321',
        details: { locality: 'X' },
      }),
    ).rejects.toThrow('no child record with id 987654321');
    const rows = await select(db, "SELECT id FROM notifications WHERE idempotency_key LIKE 'bad-%'");
    expect(rows).toHaveLength(0);
  });
});
