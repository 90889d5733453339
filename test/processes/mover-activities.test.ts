/**
 * The transfer and safeguarding activities against a real, seeded PostgreSQL, run in the SDK's
 * activity environment (so Context.current() gives them a workflow id and activity id): bad
 * input refused with the field named, retries idempotent, nothing half-written.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createSafeguardingActivities } from '../../activities/safeguarding';
import { processActor } from '../../records/actor';
import { raiseConcern } from '../../records/concerns/raise';
import { createTransferActivities } from '../../activities/transfer';
import type { Database } from '../../db/database';
import { select, type Db } from '../../records/sql';
import { seedRegion } from '../../db/seed';
import { recordInstanceRow } from '../support/instance-rows';
import { createMigratedDatabase } from '../support/databases';

let database: Database;
let db: Db;
let transfer: ReturnType<typeof createTransferActivities>;
let safeguarding: ReturnType<typeof createSafeguardingActivities>;

beforeAll(async () => {
  database = await createMigratedDatabase('mover_activities');
  db = { sequelize: database.sequelize };
  await seedRegion(database.sequelize, { children: 30, concurrency: 1 });
  const deps = { sequelize: database.sequelize, taskQueue: 'unused' };
  transfer = createTransferActivities(deps);
  safeguarding = createSafeguardingActivities(deps);
}, 120_000);

afterAll(() => database?.close());

/** Runs an activity as attempt N of activity `activityId` in process instance `workflowId`. */
function inActivity<I, O>(
  fn: (input: I) => Promise<O>,
  input: unknown,
  workflowId: string,
  activityId = '1',
  attempt = 1,
): Promise<O> {
  const env = new MockActivityEnvironment(
    { workflowExecution: { workflowId, runId: 'run-1' }, activityId, attempt },
    { logger: QUIET },
  );
  return env.run(fn, input as I);
}

// Failing activities are the point of several tests: keep the SDK's failure warnings out of the output.
const QUIET = new DefaultLogger('ERROR');
let serial = 0;
const instance = () => `child-mover-test-${process.pid}-${++serial}`;
/** A new instance whose recorded business key is `nhsNumber` (activities take the child from it). */
const keyed = (nhsNumber: string) => recordInstanceRow(db, instance(), nhsNumber, 'child-mover');

async function seededChild(locality: string): Promise<{ id: string; nhsNumber: string; gpPracticeOds: string }> {
  const [c] = await select<{ id: string; nhsNumber: string; gpPracticeOds: string }>(
    db,
    `SELECT c.id, c.nhs_number, c.gp_practice_ods FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE l.code = $1 AND c.gp_practice_ods IS NOT NULL AND c.safeguarding_alert = 'none'
       AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.child_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM safeguarding_concerns k WHERE k.child_id = c.id) ORDER BY c.id LIMIT 1`,
    [locality],
  );
  if (!c) throw new Error(`no seeded child left in ${locality}`);
  return c;
}

const count = async (sql: string, bind: unknown[]) => Number((await select<{ n: string }>(db, sql, bind))[0].n);

test('bad input is refused as non-retryable, naming the field', async () => {
  await expect(inActivity(transfer['transfer.assessMove'], {}, instance())).rejects.toMatchObject({
    type: 'ValidationError',
    message: expect.stringContaining('childId or nhsNumber is required'),
  });
  await expect(inActivity(transfer['transfer.assessMove'], { nhsNumber: '12345' }, instance())).rejects.toMatchObject({
    type: 'ValidationError',
    message: expect.stringContaining('nhsNumber'),
  });
  const child = await seededChild('birmingham');
  await expect(
    inActivity(
      transfer['transfer.assessMove'],
      { childId: child.id, address: { lines: ['1 Road'], postcode: 'NOTACODE' } },
      instance(),
    ),
  ).rejects.toMatchObject({
    type: 'ValidationError',
    message: expect.stringContaining('"NOTACODE" is not a UK postcode'),
  });
  await expect(
    inActivity(transfer['transfer.decide'], { transferId: '1', decision: 'maybe' }, instance()),
  ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining('decision') });
  await expect(
    inActivity(safeguarding['safeguarding.recordDecision'], { concernId: 'x', decision: 'close' }, instance()),
  ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining('concernId') });
  await expect(
    inActivity(transfer['transfer.assessMove'], { nhsNumber: '9990009999' }, instance()),
  ).rejects.toMatchObject({ type: 'NotFoundError' });
});

test('assessing: same locality, another locality, out of the region', async () => {
  const child = await seededChild('birmingham');
  const assess = (postcode: string) =>
    inActivity(
      transfer['transfer.assessMove'],
      { childId: child.id, address: { lines: ['1 Road'], postcode } },
      instance(),
    );
  expect(await assess('B15 2TT')).toMatchObject({
    moveKind: 'none',
    fromLocality: 'birmingham',
    toLocality: 'birmingham',
  });
  expect(await assess('CV1 2AB')).toMatchObject({
    moveKind: 'within_region',
    fromLocality: 'birmingham',
    toLocality: 'coventry',
    localityId: 2,
    needsSafeguardingHandover: false,
  });
  expect(await assess('OX1 4AA')).toMatchObject({
    moveKind: 'out_of_region',
    toLocality: null,
    postcodeDistrict: 'OX1',
    localityId: 1,
  });
});

test('a retried request finds its transfer; a newer move supersedes the open one', async () => {
  const child = await seededChild('birmingham');
  const first = instance();
  const input = { childId: child.id, moveKind: 'within_region', fromLocality: 'birmingham', toLocality: 'coventry' };
  const a = await inActivity(transfer['transfer.request'], input, first, '3', 1);
  const b = await inActivity(transfer['transfer.request'], input, first, '3', 2);
  expect(b.transferId).toBe(a.transferId);
  expect(await count('SELECT count(*) AS n FROM transfers WHERE child_id = $1', [child.id])).toBe(1);

  const second = await inActivity(transfer['transfer.request'], { ...input, toLocality: 'dudley' }, instance());
  const rows = await select<{ id: string; status: string }>(
    db,
    'SELECT id, status FROM transfers WHERE child_id = $1 ORDER BY id',
    [child.id],
  );
  expect(rows).toEqual([
    { id: a.transferId, status: 'cancelled' },
    { id: second.transferId, status: 'requested' },
  ]);
  // The superseded instance learns it when its acceptance comes in.
  expect(
    await inActivity(transfer['transfer.decide'], { transferId: a.transferId, decision: 'accept' }, first),
  ).toEqual({ transferStatus: 'cancelled' });
  await expect(
    inActivity(transfer['transfer.request'], { ...input, toLocality: 'birmingham' }, instance()),
  ).rejects.toMatchObject({ type: 'ValidationError' });
});

test('completing: only an accepted transfer, once, with one email per practice however often it is retried', async () => {
  const child = await seededChild('birmingham');
  const id = instance();
  const { transferId } = await inActivity(
    transfer['transfer.request'],
    { childId: child.id, moveKind: 'within_region', fromLocality: 'birmingham', toLocality: 'coventry' },
    id,
  );
  const complete = { transferId, childId: child.id, toLocality: 'coventry', moveReason: 'address-change' };
  await expect(inActivity(transfer['transfer.changeResponsibleLocality'], complete, id)).rejects.toMatchObject({
    type: 'ValidationError',
    message: expect.stringContaining('requested, not accepted'),
  });
  expect(await count('SELECT count(*) AS n FROM notifications WHERE child_id = $1', [child.id])).toBe(0);

  await inActivity(transfer['transfer.decide'], { transferId, decision: 'accept' }, id);
  const [gp] = await select<{ odsCode: string }>(
    db,
    `SELECT ods_code FROM gp_practices WHERE locality_id = 2 ORDER BY ods_code LIMIT 1`,
  );
  const first = await inActivity(
    transfer['transfer.changeResponsibleLocality'],
    { ...complete, newGpPracticeCode: gp.odsCode },
    id,
    '9',
    1,
  );
  const again = await inActivity(
    transfer['transfer.changeResponsibleLocality'],
    { ...complete, newGpPracticeCode: gp.odsCode },
    id,
    '9',
    2,
  );
  expect(again).toEqual(first);
  expect(first.emailedPractices).toEqual([child.gpPracticeOds, gp.odsCode]);
  expect(await select(db, 'SELECT template FROM notifications WHERE child_id = $1 ORDER BY id', [child.id])).toEqual([
    { template: 'gp-mover-out' },
    { template: 'gp-mover-in' },
  ]);
  expect(await select(db, 'SELECT locality_id FROM children WHERE id = $1', [child.id])).toEqual([{ localityId: 2 }]);
});

test('completing with an unknown GP practice changes nothing', async () => {
  const child = await seededChild('birmingham');
  const id = instance();
  const { transferId } = await inActivity(
    transfer['transfer.request'],
    { childId: child.id, moveKind: 'within_region', fromLocality: 'birmingham', toLocality: 'coventry' },
    id,
  );
  await inActivity(transfer['transfer.decide'], { transferId, decision: 'accept' }, id);
  const complete = { transferId, childId: child.id, toLocality: 'coventry', newGpPracticeCode: 'ZZZ999' };
  await expect(inActivity(transfer['transfer.changeResponsibleLocality'], complete, id)).rejects.toMatchObject({
    type: 'ValidationError',
    message: expect.stringContaining('"ZZZ999" is unknown'),
  });
  expect(await select(db, 'SELECT status FROM transfers WHERE id = $1', [transferId])).toEqual([
    { status: 'accepted' },
  ]);
  expect(await select(db, 'SELECT locality_id FROM children WHERE id = $1', [child.id])).toEqual([{ localityId: 1 }]);
  expect(await count('SELECT count(*) AS n FROM notifications WHERE child_id = $1', [child.id])).toBe(0);
});

test('an inbound record: a future date of birth and an address outside the region are refused; a retry creates nothing twice', async () => {
  const [gp] = await select<{ odsCode: string }>(
    db,
    `SELECT ods_code FROM gp_practices WHERE locality_id = 2 ORDER BY ods_code LIMIT 1`,
  );
  const nhsNumber = '9990555559';
  const base = {
    fromChis: 'Oxfordshire CHIS',
    givenName: 'Ivy',
    familyName: 'Marsh',
    dateOfBirth: '2023-05-01',
    sex: 'female',
    address: { lines: ['1 Spon End'], postcode: 'CV1 3HD' },
  };
  await expect(
    inActivity(
      transfer['transfer.recordInbound'],
      { nhsNumber, transfer: { ...base, dateOfBirth: '2999-01-01' } },
      await keyed(nhsNumber),
    ),
  ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining('in the future') });
  await expect(
    inActivity(
      transfer['transfer.recordInbound'],
      { nhsNumber, transfer: { ...base, address: { lines: ['1 High St'], postcode: 'OX1 4AA' } } },
      await keyed(nhsNumber),
    ),
  ).rejects.toMatchObject({ type: 'OutOfRegionError' });
  expect(await count('SELECT count(*) AS n FROM children WHERE nhs_number = $1', [nhsNumber])).toBe(0);

  // A variable naming another child than the instance's business key is refused, nothing written.
  await expect(
    inActivity(
      transfer['transfer.recordInbound'],
      { nhsNumber: '9990555567', transfer: { ...base, gpPracticeCode: gp.odsCode } },
      await keyed(nhsNumber),
    ),
  ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringContaining('business key') });
  expect(await count('SELECT count(*) AS n FROM children WHERE nhs_number = $1', ['9990555567'])).toBe(0);

  const id = await keyed(nhsNumber);
  const a = await inActivity(
    transfer['transfer.recordInbound'],
    { nhsNumber, transfer: { ...base, gpPracticeCode: gp.odsCode } },
    id,
    '2',
    1,
  );
  const b = await inActivity(
    transfer['transfer.recordInbound'],
    { nhsNumber, transfer: { ...base, gpPracticeCode: gp.odsCode } },
    id,
    '2',
    2,
  );
  expect(b).toEqual(a);
  expect(a).toMatchObject({ created: true, toLocality: 'coventry', fromLocality: null, moveKind: 'into_region' });
  expect(await count('SELECT count(*) AS n FROM children WHERE nhs_number = $1', [nhsNumber])).toBe(1);
  expect(await count('SELECT count(*) AS n FROM transfers WHERE child_id = $1', [a.childId])).toBe(1);
  // Held via the GP: an out-of-region address with a regional practice is received into the practice's locality.
  const viaGp = await inActivity(
    transfer['transfer.recordInbound'],
    {
      nhsNumber: '9990555567',
      transfer: { ...base, address: { lines: ['1 High St'], postcode: 'OX1 4AA' }, gpPracticeCode: gp.odsCode },
    },
    await keyed('9990555567'),
  );
  expect(viaGp).toMatchObject({ created: true, toLocality: 'coventry' });
});

test('a concern is inserted once per key and raises the child alert to concern', async () => {
  const child = await seededChild('coventry');
  const raise = () =>
    raiseConcern(db, processActor('system:test'), {
      childId: child.id,
      summary: 'Was Not Brought twice',
      severity: 'medium',
      source: 'process',
      idempotencyKey: 'test-concern-1',
    });
  const a = await raise();
  const b = await raise();
  expect(a).toMatchObject({ created: true, nhsNumber: child.nhsNumber });
  expect(b).toEqual({ ...a, created: false });
  expect(await count('SELECT count(*) AS n FROM safeguarding_concerns WHERE child_id = $1', [child.id])).toBe(1);
  expect(await select(db, 'SELECT safeguarding_alert FROM children WHERE id = $1', [child.id])).toEqual([
    { safeguardingAlert: 'concern' },
  ]);
  // Without a Temporal client the activity cannot start the escalation: it says so rather than half-raising.
  await expect(
    inActivity(
      safeguarding['safeguarding.raiseConcern'],
      { childId: child.id, reason: 'x', severity: 'low' },
      instance(),
    ),
  ).rejects.toMatchObject({ type: 'ConfigurationError' });
  expect(await count('SELECT count(*) AS n FROM safeguarding_concerns WHERE child_id = $1', [child.id])).toBe(1);
});
