/**
 * The overdue sweep against hand-built children: the lookback window, the grace period per
 * locality, upper age limits, the schedule's birth-cohort rules (schedule/), inactive children,
 * doses on record (and equivalent products), new immunisations and idempotency. Also
 * immunisation.checkGaps (no history → unimmunised; resume, not restart) and the activity's
 * input validation.
 */
import { MockActivityEnvironment, defaultActivityInfo } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { QueryTypes } from 'sequelize';
import { createImmunisationActivities } from '../../activities/immunisation';
import { CATCH_UP_LOOKBACK_DAYS, recordOverdueFollowUps } from '../../activities/immunisation';
import type { Database } from '../../db/database';
import { createMigratedDatabase } from '../support/databases';
import { addDays, followUpCodes, giveDose, insertChild } from './support';

const AS_OF = '2026-11-24';
const BIRMINGHAM = 1; // grace 28 days (the default)
const COVENTRY = 2; // grace set to 7 days below
const DUDLEY = 3; // grace set to 60 days below

let db: Database;
let sweeps = 0;

beforeAll(async () => {
  db = await createMigratedDatabase('imms_sweep');
  await db.sequelize.query('UPDATE localities SET overdue_grace_days = 7 WHERE id = $1', { bind: [COVENTRY] });
  await db.sequelize.query('UPDATE localities SET overdue_grace_days = 60 WHERE id = $1', { bind: [DUDLEY] });
}, 60_000);

afterAll(() => db?.close());

const sweep = (asOf: string, lookbackDays = 28) =>
  recordOverdueFollowUps(db.sequelize, { idempotencyKey: `test-sweep-${++sweeps}`, asOf, lookbackDays });

test('the daily sweep finds doses that became overdue in the window, by each locality grace period and upper age limit', async () => {
  const child = (dateOfBirth: string, localityId = BIRMINGHAM, status = 'active') =>
    insertChild(db.sequelize, { dateOfBirth, localityId, status });
  // 8-week doses due 28 days ago: overdue today in Birmingham (the window's newest day); MenB is on record.
  const a = await child(addDays(AS_OF, -84));
  await giveDose(db.sequelize, a.id, 'menb', 1, addDays(AS_OF, -20));
  // 8-week doses overdue exactly 28 days ago: just outside the window; its 12-week doses are overdue today,
  // except rotavirus dose 2: dose 1 was never given and is past its 15-week limit, so the course cannot
  // be started (UKHSA uncertain status, footnote: first dose under 15 weeks, second under 24 weeks).
  const b = await child(addDays(AS_OF, -112));
  // Overdue tomorrow: nothing yet.
  const c = await child(addDays(AS_OF, -83));
  // Coventry's grace is 7 days: overdue today there, but not for the same birthday in Birmingham.
  const d = await child(addDays(AS_OF, -63), COVENTRY);
  const e = await child(addDays(AS_OF, -63), BIRMINGHAM);
  // Dudley's grace is 60 days: by the time the 8-week doses are overdue, rotavirus (before 15 weeks) can no longer be given.
  const f = await child(addDays(AS_OF, -116), DUDLEY);
  // A child who moved out of the region is not followed up.
  const g = await child(addDays(AS_OF, -84), BIRMINGHAM, 'moved_out');

  const first = await sweep(AS_OF);
  expect({
    a: await followUpCodes(db.sequelize, a.id),
    b: await followUpCodes(db.sequelize, b.id),
    c: await followUpCodes(db.sequelize, c.id),
    d: await followUpCodes(db.sequelize, d.id),
    e: await followUpCodes(db.sequelize, e.id),
    f: await followUpCodes(db.sequelize, f.id),
    g: await followUpCodes(db.sequelize, g.id),
  }).toEqual({
    a: ['6in1-1', 'rotavirus-1'],
    b: ['6in1-2', 'menb-2'],
    c: [],
    d: ['6in1-1', 'menb-1', 'rotavirus-1'],
    e: [],
    f: ['6in1-1', 'menb-1'],
    g: [],
  });
  expect(first.found).toBe(9);

  const [row] = await db.sequelize.query<Record<string, unknown>>(
    `SELECT due_on::text, overdue_on::text, offer_until::text, locality_id, workflow_id, started_at, status FROM immunisation_follow_ups WHERE child_id = $1 AND dose_code = 'rotavirus-1'`,
    { type: QueryTypes.SELECT, bind: [d.id] },
  );
  expect(row).toEqual({
    due_on: addDays(AS_OF, -7),
    overdue_on: AS_OF,
    offer_until: addDays(AS_OF, -63 + 105 - 1),
    locality_id: COVENTRY,
    workflow_id: `immunisation-follow-up-${d.id}-rotavirus-1`,
    started_at: null,
    status: 'open',
  });
  const audited = await db.sequelize.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE action = 'immunisation.follow_up_recorded' AND child_id = ANY($1::bigint[])`,
    { type: QueryTypes.SELECT, bind: [[a.id, b.id, d.id, f.id]] },
  );
  expect(audited[0].n).toBe(9);

  // Run again, and again the next day: nothing is recorded twice.
  expect((await sweep(AS_OF)).found).toBe(0);
  await sweep(addDays(AS_OF, 1));
  const perDose = await db.sequelize.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM immunisation_follow_ups WHERE child_id = ANY($1::bigint[]) GROUP BY child_id, dose_code HAVING count(*) > 1',
    { type: QueryTypes.SELECT, bind: [[a.id, b.id, d.id, f.id]] },
  );
  expect(perDose).toEqual([]);
  // The next day, c's 8-week doses became overdue.
  expect(await followUpCodes(db.sequelize, c.id)).toEqual(['6in1-1', 'menb-1', 'rotavirus-1']);
});

test('a catch-up applies the schedule for the date of birth: born 30 June vs 1 July 2024', async () => {
  // UKHSA/NHSE letter, Annexe A (30 April 2025): no Hib/MenC for children born on or after 1 July 2024,
  // who have a 4th 6-in-1 and an MMR(V) at 18 months; PCV and MenB are not offered from the second birthday
  // (UKHSA uncertain status); MMRV eligibility table: MMR at 12 months for both, MMRV at 18 months from July 2024.
  const born1July = await insertChild(db.sequelize, { dateOfBirth: '2024-07-01', localityId: BIRMINGHAM });
  const born30June = await insertChild(db.sequelize, { dateOfBirth: '2024-06-30', localityId: BIRMINGHAM });
  const preSchool = await insertChild(db.sequelize, { dateOfBirth: '2023-06-01', localityId: BIRMINGHAM });
  // A PCV on or after the first birthday is the booster: nothing else of PCV is due.
  await giveDose(db.sequelize, preSchool.id, 'pcv', 1, '2024-06-10');

  await sweep(AS_OF, CATCH_UP_LOOKBACK_DAYS);
  const primary = ['6in1-1', '6in1-2', '6in1-3'];
  expect(await followUpCodes(db.sequelize, born1July.id)).toEqual([...primary, '6in1-4', 'mmr-1', 'mmrv-1'].sort());
  expect(await followUpCodes(db.sequelize, born30June.id)).toEqual([...primary, 'hib-menc-1', 'mmr-1'].sort());
  // 3 years 5 months: the pre-school booster and the pre-school MMRV (born September 2022 – June 2024) are overdue.
  expect(await followUpCodes(db.sequelize, preSchool.id)).toEqual(
    [...primary, 'dtap-ipv-1', 'hib-menc-1', 'mmr-1', 'mmrv-1'].sort(),
  );
});

test('children born in the second half of 2024 get MMRV again pre-school', async () => {
  // UKHSA MMRV eligibility: born 1 July – 31 December 2024: MMR at 12 months, MMRV at 18 months and at 3 years 4 months.
  const child = await insertChild(db.sequelize, { dateOfBirth: '2024-08-15', localityId: BIRMINGHAM });
  for (const [vaccine, dose, on] of [
    ['6in1', 1, '2024-10-10'],
    ['menb', 1, '2024-10-10'],
    ['6in1', 2, '2024-11-07'],
    ['menb', 2, '2024-12-05'],
    ['6in1', 3, '2024-12-05'],
    ['pcv', 1, '2024-12-05'],
    ['pcv', 2, '2025-08-15'],
    ['menb', 3, '2025-08-15'],
    ['mmr', 1, '2025-08-15'],
    ['6in1', 4, '2026-02-15'],
    ['mmrv', 1, '2026-02-15'],
  ] as const) {
    await giveDose(db.sequelize, child.id, vaccine, dose, on);
  }
  // As of mid-2028 the pre-school doses (due 15 December 2027) are overdue.
  await sweep('2028-06-01', CATCH_UP_LOOKBACK_DAYS);
  expect(await followUpCodes(db.sequelize, child.id)).toEqual(['dtap-ipv-1', 'mmrv-2']);
});

test('an equivalent product closes the gap: a 6-in-1 after the first birthday counts for Hib/MenC', async () => {
  // UKHSA complete routine schedule from 1 July 2025: born before 1 July 2024, at one year "Hib/MenC (if Hib/MenC
  // exhausted give DTaP/IPV/Hib/HepB)".
  const hibGiven = await insertChild(db.sequelize, { dateOfBirth: '2023-09-20', localityId: DUDLEY });
  const hibMissing = await insertChild(db.sequelize, { dateOfBirth: '2023-09-20', localityId: DUDLEY });
  for (const c of [hibGiven, hibMissing]) {
    for (const [dose, on] of [
      [1, '2023-11-15'],
      [2, '2023-12-13'],
      [3, '2024-01-10'],
    ] as const)
      await giveDose(db.sequelize, c.id, '6in1', dose, on);
  }
  await giveDose(db.sequelize, hibGiven.id, '6in1', 4, '2024-09-25');
  await sweep('2025-09-10', CATCH_UP_LOOKBACK_DAYS);
  expect(await followUpCodes(db.sequelize, hibGiven.id)).not.toContain('hib-menc-1');
  expect(await followUpCodes(db.sequelize, hibMissing.id)).toContain('hib-menc-1');
});

test('a new immunisation is evaluated at the next sweep; a change of locality applies its grace period', async () => {
  const c = await insertChild(db.sequelize, { dateOfBirth: addDays(AS_OF, -70), localityId: BIRMINGHAM });
  await sweep(AS_OF);
  const [check] = await db.sequelize.query<{ next_check_on: string }>(
    'SELECT next_check_on::text FROM immunisation_schedule_checks WHERE child_id = $1',
    { type: QueryTypes.SELECT, bind: [c.id] },
  );
  // The 8-week doses (due 14 days ago) become overdue in Birmingham 28 days after they were due.
  expect(check.next_check_on).toBe(addDays(AS_OF, 14));
  // Recording a dose marks the child for the next sweep ('-infinity'), whoever writes it.
  await giveDose(db.sequelize, c.id, '6in1', 1, addDays(AS_OF, -1));
  const [marked] = await db.sequelize.query<{ next_check_on: string }>(
    'SELECT next_check_on::text FROM immunisation_schedule_checks WHERE child_id = $1',
    { type: QueryTypes.SELECT, bind: [c.id] },
  );
  expect(marked.next_check_on).toBe('-infinity');
  // Moving to Coventry (7 days' grace): the 8-week doses are overdue there already.
  await db.sequelize.query('UPDATE children SET locality_id = $2 WHERE id = $1', { bind: [c.id, COVENTRY] });
  await sweep(AS_OF);
  expect(await followUpCodes(db.sequelize, c.id)).toEqual(['menb-1', 'rotavirus-1']);
});

test('batches: every child marked is evaluated, in id order, whatever the batch size', async () => {
  // Every child of this database (ids from 1 to past 10) marked again: a batch boundary read in text order
  // ('10' < '9') would skip children.
  const children = [];
  for (let i = 0; i < 14; i++)
    children.push(await insertChild(db.sequelize, { dateOfBirth: addDays(AS_OF, -84), localityId: BIRMINGHAM }));
  await db.sequelize.query("UPDATE immunisation_schedule_checks SET next_check_on = '-infinity'");
  const before = await db.sequelize.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM immunisation_schedule_checks WHERE next_check_on = '-infinity'",
    { type: QueryTypes.SELECT },
  );
  const run = await recordOverdueFollowUps(db.sequelize, {
    idempotencyKey: `test-sweep-${++sweeps}`,
    asOf: AS_OF,
    lookbackDays: 28,
    batchSize: 5,
  });
  expect(run.evaluated).toBe(before[0].n);
  const unchecked = await db.sequelize.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM immunisation_schedule_checks WHERE next_check_on <= $1::date',
    { type: QueryTypes.SELECT, bind: [AS_OF] },
  );
  expect(unchecked[0].n).toBe(0);
  for (const c of children)
    expect(await followUpCodes(db.sequelize, c.id)).toEqual(['6in1-1', 'menb-1', 'rotavirus-1']);
});

function activities() {
  return createImmunisationActivities({ sequelize: db.sequelize, taskQueue: 'unused' });
}

function inActivity<T>(fn: () => Promise<T>): Promise<T> {
  const env = new MockActivityEnvironment(
    { ...defaultActivityInfo, activityId: 'a1', workflowExecution: { workflowId: 'child-mover-test', runId: 'run-1' } },
    { logger: new DefaultLogger('ERROR') },
  );
  return env.run(fn);
}

test('checkGaps: no history on record → unimmunised; the schedule resumes with visits 4 weeks apart', async () => {
  const none = await insertChild(db.sequelize, { dateOfBirth: addDays(AS_OF, -200), localityId: BIRMINGHAM });
  const out = await inActivity(() => activities()['immunisation.checkGaps']({ childId: none.id, asOf: AS_OF }));
  expect(out).toMatchObject({
    upToDate: false,
    treatedAsUnimmunised: true,
    dosesOnRecord: 0,
    nextDue: { code: expect.any(String), dueOn: expect.any(String) },
  });
  // Rotavirus is past its upper age limits at 200 days; the rest is resumed, never restarted.
  expect(out.gaps.map((g) => [g.code, g.catchUpOn])).toEqual([
    ['6in1-1', AS_OF],
    ['menb-1', AS_OF],
    ['6in1-2', addDays(AS_OF, 28)],
    ['menb-2', addDays(AS_OF, 28)],
    ['6in1-3', addDays(AS_OF, 56)],
    ['pcv-1', AS_OF],
  ]);
  expect(out.gaps.every((g) => g.overdue)).toBe(true);

  const partly = await insertChild(db.sequelize, { dateOfBirth: addDays(AS_OF, -100), localityId: BIRMINGHAM });
  await giveDose(db.sequelize, partly.id, '6in1', 1, addDays(AS_OF, -10));
  const gaps = await inActivity(() => activities()['immunisation.checkGaps']({ childId: partly.id, asOf: AS_OF }));
  expect(gaps.treatedAsUnimmunised).toBe(false);
  // 6-in-1 dose 2 waits 4 weeks after dose 1 (the next visit); rotavirus 1 can still be given before 15 weeks.
  expect(gaps.gaps.map((g) => [g.code, g.catchUpOn])).toEqual([
    ['menb-1', AS_OF],
    ['rotavirus-1', AS_OF],
    ['6in1-2', addDays(AS_OF, 28)],
    ['menb-2', addDays(AS_OF, 28)],
    ['rotavirus-2', addDays(AS_OF, 28)],
  ]);
  const audited = await db.sequelize.query<{ actor_username: string }>(
    `SELECT actor_username FROM audit_events WHERE action = 'immunisation.gaps_checked' AND child_id = $1`,
    {
      type: QueryTypes.SELECT,
      bind: [partly.id],
    },
  );
  expect(audited).toEqual([{ actor_username: 'system:child-mover-test' }]);
});

test('bad input is refused with the field named; an unknown child is not found', async () => {
  await expect(inActivity(() => activities()['immunisation.sweepOverdue']({ lookbackDays: 0 }))).rejects.toMatchObject({
    type: 'ValidationError',
    message: expect.stringMatching(/lookbackDays/),
  });
  await expect(
    inActivity(() => activities()['immunisation.checkGaps']({ childId: 'x1' } as never)),
  ).rejects.toMatchObject({ type: 'ValidationError', message: expect.stringMatching(/childId/) });
  await expect(
    inActivity(() => activities()['immunisation.checkGaps']({ childId: '999999999' })),
  ).rejects.toMatchObject({ type: 'NotFoundError' });
  // Without a Temporal client the sweep cannot start instances: a configuration error, not a retry loop.
  await expect(inActivity(() => activities()['immunisation.sweepOverdue']({ asOf: AS_OF }))).rejects.toMatchObject({
    type: 'ConfigurationError',
  });
});
