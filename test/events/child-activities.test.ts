/**
 * child.* and pds.* activities called directly (as the worker would, outside a process: the
 * audit actor is then plain `system`) against a migrated, seeded database.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createChildActivities } from '../../activities/child';
import { createPdsActivities } from '../../activities/pds';
import type { Database } from '../../db/database';
import { select, type Db } from '../../records/sql';
import { seedRegion } from '../../db/seed';
import { FhirPdsClient, startPdsSimulator, type PdsSimulator } from '../../pds';
import { freshNhsNumber } from '../support/chis-stack';
import { createMigratedDatabase } from '../support/databases';
import { recordInstanceRow } from '../support/instance-rows';
import { practiceIn } from './support';

let database: Database;
let db: Db;
let sim: PdsSimulator;
let child: ReturnType<typeof createChildActivities>;
let coventryPractice: string;
const QUIET = new DefaultLogger('ERROR');

beforeAll(async () => {
  database = await createMigratedDatabase('child_acts');
  db = { sequelize: database.sequelize };
  await seedRegion(database.sequelize, { children: 5, concurrency: 1 });
  sim = await startPdsSimulator({ sequelize: database.sequelize });
  child = createChildActivities({ sequelize: database.sequelize, taskQueue: 'unused' });
  coventryPractice = await practiceIn(db, 'coventry');
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await database?.close();
});

const newborn = (over: Record<string, unknown> = {}) => ({
  nhsNumber: freshNhsNumber(),
  givenName: 'Ivy',
  familyName: 'Activity',
  dateOfBirth: '2026-01-10',
  sex: 'female' as const,
  address: { lines: ['12 Cradle Road', 'Edgbaston'], postcode: 'B15 2TT' },
  mother: { name: 'Iris Activity' },
  ...over,
});

async function failureOf(
  p: Promise<unknown>,
): Promise<{ type: string | undefined | null; message: string; nonRetryable: boolean }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApplicationFailure)
      return { type: e.type, message: e.message, nonRetryable: e.nonRetryable === true };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('child.createOrMatchRecord', () => {
  test('creates once, then matches: one row, audited create then match', async () => {
    const input = newborn();
    const first = await child['child.createOrMatchRecord']!(input);
    expect(first).toMatchObject({ created: true, locality: 'birmingham', inRegion: true, via: 'postcode' });
    const again = await child['child.createOrMatchRecord']!({ ...input, givenName: 'Different' });
    expect(again).toMatchObject({ childId: first.childId, created: false, locality: 'birmingham' });
    const rows = await select<{ givenName: string }>(db, 'SELECT given_name FROM children WHERE nhs_number = $1', [
      input.nhsNumber,
    ]);
    expect(rows).toEqual([{ givenName: 'Ivy' }]);
    const audits = await select<{ action: string; actorUsername: string }>(
      db,
      'SELECT action, actor_username FROM audit_events WHERE child_id = $1 ORDER BY id',
      [first.childId],
    );
    expect(audits).toEqual([
      { action: 'child.create', actorUsername: 'system' },
      { action: 'child.match', actorUsername: 'system' },
    ]);
  });

  test('a retry in the same process after a lost reply still says created; another process matches', async () => {
    const input = newborn();
    type Outcome = Awaited<ReturnType<NonNullable<(typeof child)['child.createOrMatchRecord']>>>;
    const inProcess = (workflowId: string): Promise<Outcome> =>
      new MockActivityEnvironment({ workflowExecution: { workflowId, runId: 'run-1' }, activityId: '1' }).run(
        child['child.createOrMatchRecord']!,
        input,
      );
    await recordInstanceRow(db, 'new-birth-registration-retry', input.nhsNumber, 'new-birth-registration');
    await recordInstanceRow(db, 'new-birth-registration-other', input.nhsNumber, 'new-birth-registration');
    const first = await inProcess('new-birth-registration-retry');
    const retried = await inProcess('new-birth-registration-retry');
    const other = await inProcess('new-birth-registration-other');
    expect([first.created, retried.created, other.created]).toEqual([true, true, false]);
    expect(new Set([first.childId, retried.childId, other.childId]).size).toBe(1);
  });

  test("in a process the NHS number is the instance's business key: a variable naming another child is refused, nothing written", async () => {
    const authorised = newborn();
    const invented = newborn();
    await recordInstanceRow(db, 'new-birth-registration-forged', authorised.nhsNumber, 'new-birth-registration');
    const inProcess = new MockActivityEnvironment(
      { workflowExecution: { workflowId: 'new-birth-registration-forged', runId: 'run-1' }, activityId: '1' },
      { logger: QUIET },
    );
    const f = await failureOf(inProcess.run(child['child.createOrMatchRecord']!, invented));
    expect(f).toMatchObject({ type: 'ValidationError', nonRetryable: true });
    expect(f.message).toMatch(/is not the process instance's business key/);
    expect(await select(db, 'SELECT id FROM children WHERE nhs_number = $1', [invented.nhsNumber])).toHaveLength(0);
    // The business key's own child is created, and the audit names the event that caused it.
    const [event] = await select<{ id: string }>(
      db,
      `INSERT INTO inbound_events (id, kind, dedupe_key, content_hash, nhs_number, payload, routing, message_name, message_variables)
       VALUES (gen_random_uuid(), 'birth_notification', md5(random()::text), md5(random()::text), $1, '{}', '{}', 'birthNotified', '{}') RETURNING id`,
      [authorised.nhsNumber],
    );
    const made = (await inProcess.run(child['child.createOrMatchRecord']!, {
      ...authorised,
      inboundEventId: event.id,
    })) as {
      created: boolean;
      childId: string;
    };
    expect(made.created).toBe(true);
    const [audit] = await select<{ detail: Record<string, unknown> }>(
      db,
      `SELECT detail FROM audit_events WHERE child_id = $1 AND action = 'child.create'`,
      [made.childId],
    );
    expect(audit.detail).toMatchObject({
      processInstanceId: 'new-birth-registration-forged',
      inboundEventId: event.id,
    });
  });

  test('six concurrent calls for one NHS number: one record, exactly one "created"', async () => {
    const input = newborn();
    const results = await Promise.all(Array.from({ length: 6 }, () => child['child.createOrMatchRecord']!(input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.childId)).size).toBe(1);
    expect(await select(db, 'SELECT id FROM children WHERE nhs_number = $1', [input.nhsNumber])).toHaveLength(1);
  });

  test("outside the region: the GP practice's locality; with no practice of the region: OutOfRegionError, nothing written", async () => {
    const viaGp = await child['child.createOrMatchRecord']!(
      newborn({ address: { lines: ['1 Briggate'], postcode: 'LS1 6HB' }, gpPracticeCode: coventryPractice }),
    );
    expect(viaGp).toMatchObject({ created: true, locality: 'coventry', inRegion: false, via: 'gp_practice' });
    const lost = newborn({ address: { lines: ['1 Briggate'], postcode: 'LS1 6HB' } });
    expect(await failureOf(child['child.createOrMatchRecord']!(lost))).toMatchObject({
      type: 'OutOfRegionError',
      nonRetryable: true,
    });
    expect(await select(db, 'SELECT id FROM children WHERE nhs_number = $1', [lost.nhsNumber])).toHaveLength(0);
  });

  test('bad input is a non-retryable ValidationError naming the field', async () => {
    const f = await failureOf(child['child.createOrMatchRecord']!(newborn({ nhsNumber: '94347659' })));
    expect(f).toMatchObject({ type: 'ValidationError', nonRetryable: true });
    expect(f.message).toMatch(/nhsNumber/);
  });
});

test('child.deriveLocality: postcode, else GP practice, else none', async () => {
  const derive = child['child.deriveLocality']!;
  expect(await derive({ postcode: 'cv1 2ab' })).toMatchObject({
    locality: 'coventry',
    inRegion: true,
    via: 'postcode',
    postcodeDistrict: 'CV1',
  });
  expect(await derive({ postcode: 'M3 4LZ', gpPracticeCode: coventryPractice })).toMatchObject({
    locality: 'coventry',
    inRegion: false,
    via: 'gp_practice',
  });
  expect(await derive({ postcode: 'M3 4LZ' })).toEqual({
    locality: null,
    localityId: null,
    inRegion: false,
    via: 'none',
    postcodeDistrict: 'M3',
  });
});

test('child.getRecord: by id or NHS number, audited; unknown → NotFoundError', async () => {
  const created = await child['child.createOrMatchRecord']!(
    newborn({ givenName: 'Opal', familyName: 'Reader', gpPracticeCode: coventryPractice }),
  );
  const byId = await child['child.getRecord']!({ childId: created.childId });
  expect(byId).toMatchObject({
    childId: created.childId,
    initials: 'OR',
    locality: 'birmingham',
    gpPracticeCode: coventryPractice,
    safeguardingAlert: 'none',
    openConcerns: 0,
    status: 'active',
  });
  expect(await child['child.getRecord']!({ nhsNumber: byId.nhsNumber })).toEqual(byId);
  const reads = await select(db, "SELECT id FROM audit_events WHERE child_id = $1 AND action = 'child.read'", [
    created.childId,
  ]);
  expect(reads).toHaveLength(2);
  expect(await failureOf(child['child.getRecord']!({ nhsNumber: freshNhsNumber() }))).toMatchObject({
    type: 'NotFoundError',
  });
});

test('pds.lookupPatient: found / not found through the adapter, audited; no PDS configured → ConfigurationError', async () => {
  const lookup = createPdsActivities({
    sequelize: database.sequelize,
    taskQueue: 'unused',
    pds: new FhirPdsClient(sim.url),
  })['pds.lookupPatient']!;
  const created = await child['child.createOrMatchRecord']!(newborn({ gpPracticeCode: coventryPractice }));
  const [nhs] = (
    await select<{ nhsNumber: string }>(db, 'SELECT nhs_number FROM children WHERE id = $1', [created.childId])
  ).map((r) => r.nhsNumber);
  expect(await lookup({ nhsNumber: nhs })).toMatchObject({
    found: true,
    givenName: 'Ivy',
    gpPracticeCode: coventryPractice,
    address: { postcode: 'B15 2TT' },
  });
  expect(await lookup({ nhsNumber: freshNhsNumber() })).toEqual({ found: false });
  const audits = await select<{ detail: { found: boolean } }>(
    db,
    "SELECT detail FROM audit_events WHERE action = 'pds.lookup' AND child_id = $1",
    [created.childId],
  );
  expect(audits.map((a) => a.detail.found)).toEqual([true]);

  sim.setOutage(1);
  await expect(lookup({ nhsNumber: nhs })).rejects.toThrow(/PDS answered 503/);
  const unconfigured = createPdsActivities({ sequelize: database.sequelize, taskQueue: 'unused' })[
    'pds.lookupPatient'
  ]!;
  expect(await failureOf(unconfigured({ nhsNumber: nhs }))).toMatchObject({
    type: 'ConfigurationError',
    nonRetryable: true,
  });
});
