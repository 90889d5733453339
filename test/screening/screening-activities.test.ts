/**
 * screening.* activities on a real migrated PostgreSQL, run in the Temporal SDK's activity
 * context (which gives them the workflow, run and activity ids they key idempotency on).
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment, defaultActivityInfo } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { ActivityOutput } from '../../activities/catalogue';
import { createScreeningActivities } from '../../activities/screening';
import { addToDate, isConclusive, offerUntil } from '../../records/screening/rules';
import { nhsNumberSequence } from '../support/nhs-numbers';
import type { Database } from '../../db/database';
import { createChild } from '../support/fixtures';
import { select } from '../../records/sql';
import { createMigratedDatabase } from '../support/databases';

// Expected failures would otherwise be logged as errors.
const quiet = new DefaultLogger('ERROR', () => undefined);
let db: Database;
let activities: ReturnType<typeof createScreeningActivities>;
// 999 6xx xxxx: never issued.
const nhsNumber = nhsNumberSequence('9996', 50_000);

async function newChild(dateOfBirth: string): Promise<string> {
  const child = await createChild(
    { sequelize: db.sequelize },
    {
      nhsNumber: nhsNumber(),
      givenName: 'Test',
      familyName: 'Baby',
      dateOfBirth,
      sex: 'female',
      addressLine1: '1 Test Street',
      postcode: 'CV1 2AA',
      localityId: 2,
    },
  );
  return child.id;
}

/** One activity call: every `run` on the same call is a retry (same workflow, run and activity id). */
function call(
  workflowId = `new-birth-registration-${randomUUID().replace(/-/g, '')}`,
  activityId = '7',
  scheduledAt = Date.now(),
) {
  const env = new MockActivityEnvironment(
    {
      ...defaultActivityInfo,
      activityId,
      workflowExecution: { workflowId, runId: 'run-1' },
      currentAttemptScheduledTimestampMs: scheduledAt,
    },
    { logger: quiet },
  );
  return {
    check: (input: unknown): Promise<ActivityOutput<'screening.checkOutstanding'>> =>
      env.run(
        activities['screening.checkOutstanding'] as (
          i: unknown,
        ) => Promise<ActivityOutput<'screening.checkOutstanding'>>,
        input,
      ),
    follow: (input: unknown): Promise<ActivityOutput<'screening.recordFollowUp'>> =>
      env.run(
        activities['screening.recordFollowUp'] as (i: unknown) => Promise<ActivityOutput<'screening.recordFollowUp'>>,
        input,
      ),
  };
}

async function addResult(childId: string, programme: string, outcome: string, recordedOn: string): Promise<void> {
  await db.sequelize.query(
    'INSERT INTO screening_results (child_id, programme, outcome, recorded_on) VALUES ($1, $2, $3, $4)',
    { bind: [childId, programme, outcome, recordedOn] },
  );
}

const auditOf = (childId: string) =>
  select<{
    actorUsername: string;
    action: string;
    entityId: string | null;
    reason: string | null;
    detail: Record<string, unknown>;
  }>(
    { sequelize: db.sequelize },
    'SELECT actor_username, action, entity_id, reason, detail FROM audit_events WHERE child_id = $1 ORDER BY id',
    [childId],
  );

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApplicationFailure);
  return e as ApplicationFailure;
}

beforeAll(async () => {
  db = await createMigratedDatabase('screening');
  activities = createScreeningActivities({ sequelize: db.sequelize, taskQueue: 'unused' });
});
afterAll(() => db?.close());

describe('rules', () => {
  test('age limits: blood spot to the first birthday, hearing to 3 months (clamped to month end), NIPE to 8 weeks', () => {
    expect(offerUntil('blood_spot', '2026-02-28')).toBe('2027-02-28');
    expect(offerUntil('hearing', '2026-11-30')).toBe('2027-02-28');
    expect(offerUntil('hearing', '2026-01-15')).toBe('2026-04-15');
    expect(offerUntil('nipe', '2026-01-01')).toBe('2026-02-26');
    expect(addToDate('2028-02-29', { months: 12 })).toBe('2029-02-28');
  });

  test('repeat and inconclusive outcomes are not results', () => {
    expect(isConclusive('not suspected')).toBe(true);
    expect(isConclusive('refer')).toBe(true);
    expect(isConclusive('Repeat required')).toBe(false);
    expect(isConclusive('insufficient-sample')).toBe(false);
    expect(isConclusive('inconclusive')).toBe(false);
  });
});

describe('screening.checkOutstanding', () => {
  test('nothing recorded: every screen outstanding within its limit, missed after it', async () => {
    const childId = await newChild('2026-01-10');
    expect(await call().check({ childId, dateOfBirth: '2026-01-10', asOf: '2026-01-28' })).toEqual({
      outstanding: [
        { programme: 'blood_spot', offerUntil: '2027-01-10' },
        { programme: 'hearing', offerUntil: '2026-04-10' },
        { programme: 'nipe', offerUntil: '2026-03-07' },
      ],
      missed: [],
      recorded: [],
    });
    const later = await call().check({
      childId,
      dateOfBirth: '2026-01-10',
      asOf: '2026-04-11',
      programmes: ['hearing', 'blood_spot'],
    });
    expect(later).toEqual({
      outstanding: [{ programme: 'blood_spot', offerUntil: '2027-01-10' }],
      missed: [{ programme: 'hearing', offerUntil: '2026-04-10' }],
      recorded: [],
    });
  });

  test('without asOf it judges on the day the activity was scheduled (the server clock, which time skipping moves)', async () => {
    const childId = await newChild('2026-01-10');
    const scheduled = call(undefined, '3', Date.parse('2026-04-11T09:00:00Z'));
    expect(await scheduled.check({ childId, dateOfBirth: '2026-01-10', programmes: ['hearing'] })).toEqual({
      outstanding: [],
      missed: [{ programme: 'hearing', offerUntil: '2026-04-10' }],
      recorded: [],
    });
    const early = await failure(
      call(undefined, '4', Date.parse('2026-01-09T23:00:00Z')).check({ childId, dateOfBirth: '2026-01-10' }),
    );
    expect(early.message).toMatch(/dateOfBirth 2026-01-10 is after the day checked \(2026-01-09\)/);
  });

  test('a conclusive result counts; a repeat request does not; the latest conclusive one is reported', async () => {
    const childId = await newChild('2026-03-01');
    await addResult(childId, 'blood_spot', 'repeat required', '2026-03-09');
    const before = await call().check({
      childId,
      dateOfBirth: '2026-03-01',
      asOf: '2026-03-18',
      programmes: ['blood_spot'],
    });
    expect(before.outstanding.map((o) => o.programme)).toEqual(['blood_spot']);

    await addResult(childId, 'blood_spot', 'not suspected', '2026-03-14');
    await addResult(childId, 'hearing', 'clear response', '2026-03-03');
    const after = await call().check({ childId, dateOfBirth: '2026-03-01', asOf: '2026-03-18' });
    expect(after).toEqual({
      outstanding: [{ programme: 'nipe', offerUntil: '2026-04-26' }],
      missed: [],
      recorded: [
        { programme: 'blood_spot', outcome: 'not suspected', recordedOn: '2026-03-14' },
        { programme: 'hearing', outcome: 'clear response', recordedOn: '2026-03-03' },
      ],
    });
  });

  test('audits the read once per call: a retry of the same call adds no second event', async () => {
    const childId = await newChild('2026-05-01');
    const workflowId = `new-birth-registration-${'a'.repeat(32)}-${childId}`;
    const same = call(`new-birth-registration-${randomUUID().replace(/-/g, '')}`);
    await same.check({ childId, dateOfBirth: '2026-05-01', asOf: '2026-05-20', programmes: ['blood_spot'] });
    await same.check({ childId, dateOfBirth: '2026-05-01', asOf: '2026-05-20', programmes: ['blood_spot'] });
    await call(workflowId).check({ childId, dateOfBirth: '2026-05-01', asOf: '2026-05-20' });
    const events = await auditOf(childId);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actorUsername: 'system:new-birth-registration',
      action: 'screening.checked',
      detail: { programmes: ['blood_spot'], outstanding: ['blood_spot'], asOf: '2026-05-20' },
    });
  });

  test('bad input: clear, non-retryable errors naming the problem, nothing written', async () => {
    const childId = await newChild('2026-06-01');
    const badId = await failure(call().check({ childId: 'abc', dateOfBirth: '2026-06-01' }));
    expect([badId.type, badId.nonRetryable]).toEqual(['ValidationError', true]);
    expect(badId.message).toMatch(/childId: a child id is the record number/);
    const badDate = await failure(call().check({ childId, dateOfBirth: '2026-02-30', asOf: '2026-06-10' }));
    expect(badDate.message).toMatch(/dateOfBirth "2026-02-30" is not a calendar date/);
    const future = await failure(call().check({ childId, dateOfBirth: '2026-06-01', asOf: '2026-05-01' }));
    expect(future.message).toMatch(/dateOfBirth 2026-06-01 is after the day checked \(2026-05-01\)/);
    const programme = await failure(call().check({ childId, dateOfBirth: '2026-06-01', programmes: ['eyes'] }));
    expect(programme.message).toMatch(/programmes\.0/);
    const missing = await failure(
      call().check({ childId: '999999999', dateOfBirth: '2026-06-01', asOf: '2026-06-02' }),
    );
    expect([missing.type, missing.nonRetryable, missing.message]).toEqual([
      'NotFoundError',
      true,
      'screening.checkOutstanding: no child record 999999999',
    ]);
    expect(await auditOf(childId)).toEqual([]);
  });
});

describe('screening.recordFollowUp', () => {
  test('writes one audit event per call, with the process as actor', async () => {
    const childId = await newChild('2026-07-01');
    const first = call();
    const input = {
      childId,
      programme: 'hearing',
      stage: 'follow_up_opened',
      reason: 'no hearing outcome by 5 weeks',
      dueBy: '2026-10-01',
    };
    const a = await first.follow(input);
    const retry = await first.follow(input);
    expect(a.alreadyRecorded).toBe(false);
    expect(retry).toEqual({ auditEventId: a.auditEventId, alreadyRecorded: true });
    const escalated = await call(undefined, '9').follow({
      ...input,
      stage: 'escalated',
      reason: 'still no hearing outcome at 3 months',
      dueBy: undefined,
    });
    expect(escalated.auditEventId).not.toBe(a.auditEventId);
    const events = await auditOf(childId);
    expect(events.map((e) => [e.action, e.entityId, e.reason])).toEqual([
      ['screening.follow_up_opened', 'hearing', 'no hearing outcome by 5 weeks'],
      ['screening.escalated', 'hearing', 'still no hearing outcome at 3 months'],
    ]);
    expect(events[0].actorUsername).toBe('system:new-birth-registration');
    expect(events[0].detail).toMatchObject({ programme: 'hearing', stage: 'follow_up_opened', dueBy: '2026-10-01' });
  });

  test('bad input is refused before anything is written', async () => {
    const childId = await newChild('2026-08-01');
    const stage = await failure(call().follow({ childId, programme: 'hearing', stage: 'forgotten', reason: 'x' }));
    expect([stage.type, stage.nonRetryable]).toEqual(['ValidationError', true]);
    expect(stage.message).toMatch(/stage/);
    const reason = await failure(call().follow({ childId, programme: 'hearing', stage: 'escalated', reason: '   ' }));
    expect(reason.message).toMatch(/reason/);
    const missing = await failure(
      call().follow({ childId: '888888888', programme: 'nipe', stage: 'escalated', reason: 'x' }),
    );
    expect(missing.type).toBe('NotFoundError');
    expect(await auditOf(childId)).toEqual([]);
  });
});
