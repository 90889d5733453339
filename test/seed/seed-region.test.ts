import argon2 from 'argon2';
import { QueryTypes } from 'sequelize';
import { isValidNhsNumber } from '../../core/nhs-number';
import type { Database } from '../../db/database';
import { REGION_LOCALITIES, postcodeDistrict } from '../../db/reference/region';
import { DEMO_PASSWORD, SeedError, demoLogins, regionIsEmpty, seedRegion, type SeedSummary } from '../../db/seed';
import { loadScheduleFacts, type ChildScheduleFacts } from '../../activities/immunisation';
import { evaluateSchedule, type ChildSchedule } from '../../schedule';
import { createMigratedDatabase } from '../support/databases';

const REFERENCE_DATE = '2026-11-24';
const CHILDREN = 3000;

describe('seedRegion: a synthetic region', () => {
  let db: Database;
  let summary: SeedSummary;
  const progress: number[] = [];
  const select = <T extends object>(sql: string, bind: unknown[] = []) =>
    db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, bind });

  beforeAll(async () => {
    db = await createMigratedDatabase('seed_region');
    summary = await seedRegion(db.sequelize, {
      children: CHILDREN,
      seed: 42,
      referenceDate: REFERENCE_DATE,
      batchSize: 700,
      onProgress: (done) => progress.push(done),
    });
  });
  afterAll(() => db.close());

  test('creates the requested number of children, in batches, reporting progress', async () => {
    const [{ n }] = await select<{ n: number }>('SELECT count(*)::int AS n FROM children');
    expect(n).toBe(CHILDREN);
    expect(summary.rows.children).toBe(CHILDREN);
    expect(summary.stopped).toBe(false);
    // Five batches (4 × 700 + 200), two in flight at once: progress counts committed children.
    expect(progress).toHaveLength(5);
    expect(progress[progress.length - 1]).toBe(CHILDREN);
    expect(progress.every((done, i) => i === 0 || done > progress[i - 1])).toBe(true);
    const [{ contacts, events }] = await select<{ contacts: number; events: number }>(
      'SELECT (SELECT count(*)::int FROM contacts) AS contacts, (SELECT count(*)::int FROM immunisation_events) AS events',
    );
    expect(summary.rows.contacts).toBe(contacts);
    expect(summary.rows.immunisation_events).toBe(events);
    expect(events / CHILDREN).toBeGreaterThan(8); // roughly 10+ doses for a child past pre-school age
  });

  test('every NHS number is valid, from the 999 range, and unique', async () => {
    const rows = await select<{ nhs_number: string }>('SELECT nhs_number FROM children');
    const numbers = rows.map((r) => r.nhs_number);
    expect(numbers.filter((n) => !isValidNhsNumber(n) || !n.startsWith('999'))).toEqual([]);
    expect(new Set(numbers).size).toBe(CHILDREN);
    expect(summary.nhsNumbers.ranges).toEqual(['999']);
  });

  test("every child's postcode routes to the child's locality, and every locality has children in proportion", async () => {
    const rows = await select<{ postcode: string; locality_id: number }>('SELECT postcode, locality_id FROM children');
    const localityOfDistrict = new Map(REGION_LOCALITIES.flatMap((l) => l.districts.map((d) => [d, l.id] as const)));
    const misrouted = rows.filter((r) => localityOfDistrict.get(postcodeDistrict(r.postcode) ?? '') !== r.locality_id);
    expect(misrouted).toEqual([]);

    const perLocality = await select<{ code: string; n: number }>(
      'SELECT l.code, count(c.id)::int AS n FROM localities l LEFT JOIN children c ON c.locality_id = l.id GROUP BY l.code ORDER BY n DESC',
    );
    expect(perLocality).toHaveLength(14);
    expect(perLocality.every((l) => l.n > 0)).toBe(true);
    expect(perLocality[0].code).toBe('birmingham');
    expect(perLocality[perLocality.length - 1].code).toBe('herefordshire');
    expect(summary.childrenByLocality.birmingham).toBe(perLocality[0].n);
  });

  test('children are aged 0 to 19 at the reference date, both sexes, with addresses', async () => {
    const [ages] = await select<{
      too_young: number;
      too_old: number;
      newborns: number;
      nineteens: number;
      female: number;
      male: number;
      no_address: number;
    }>(
      `SELECT count(*) FILTER (WHERE date_of_birth > $1::date)::int AS too_young,
              count(*) FILTER (WHERE date_of_birth <= $1::date - interval '20 years')::int AS too_old,
              count(*) FILTER (WHERE date_of_birth > $1::date - interval '1 year')::int AS newborns,
              count(*) FILTER (WHERE date_of_birth <= $1::date - interval '19 years')::int AS nineteens,
              count(*) FILTER (WHERE sex = 'female')::int AS female,
              count(*) FILTER (WHERE sex = 'male')::int AS male,
              count(*) FILTER (WHERE address_line1 = '' OR town IS NULL)::int AS no_address
       FROM children`,
      [REFERENCE_DATE],
    );
    expect(ages.too_young).toBe(0);
    expect(ages.too_old).toBe(0);
    expect(ages.newborns).toBeGreaterThan(50); // about 1/20 of the children
    expect(ages.nineteens).toBeGreaterThan(50);
    expect(ages.female).toBeGreaterThan(CHILDREN * 0.4);
    expect(ages.male).toBeGreaterThan(CHILDREN * 0.4);
    expect(ages.no_address).toBe(0);
  });

  test("GP practices: ODS-like codes, about one per 1,500 children and at least two per locality, in the child's locality", async () => {
    const practices = await select<{ ods_code: string; email: string; locality_id: number }>(
      'SELECT ods_code, email, locality_id FROM gp_practices',
    );
    expect(
      practices.filter(
        (p) => !/^M\d{5}$/.test(p.ods_code) || p.email !== `practice.${p.ods_code.toLowerCase()}@gp.example.nhs.uk`,
      ),
    ).toEqual([]);
    for (const l of REGION_LOCALITIES)
      expect(practices.filter((p) => p.locality_id === l.id).length).toBeGreaterThanOrEqual(2);
    const [{ elsewhere, unregistered }] = await select<{ elsewhere: number; unregistered: number }>(
      `SELECT count(*) FILTER (WHERE p.locality_id <> c.locality_id)::int AS elsewhere,
              count(*) FILTER (WHERE c.gp_practice_ods IS NULL)::int AS unregistered
       FROM children c LEFT JOIN gp_practices p ON p.ods_code = c.gp_practice_ods`,
    );
    expect(elsewhere).toBe(0);
    expect(unregistered).toBe(0);
  });

  test('contacts: one or two per child, exactly one primary, the preferred method reachable', async () => {
    const [c] = await select<{
      without: number;
      too_many: number;
      not_one_primary: number;
      email_without: number;
      phone_without: number;
      methods: string[];
    }>(
      `WITH per_child AS (
         SELECT c.id, count(k.id) AS n, count(k.id) FILTER (WHERE k.is_primary) AS primaries
         FROM children c LEFT JOIN contacts k ON k.child_id = c.id GROUP BY c.id)
       SELECT (SELECT count(*)::int FROM per_child WHERE n = 0) AS without,
              (SELECT count(*)::int FROM per_child WHERE n > 2) AS too_many,
              (SELECT count(*)::int FROM per_child WHERE primaries <> 1) AS not_one_primary,
              (SELECT count(*)::int FROM contacts WHERE preferred_method = 'email' AND email IS NULL) AS email_without,
              (SELECT count(*)::int FROM contacts WHERE preferred_method IN ('sms', 'phone') AND phone IS NULL) AS phone_without,
              (SELECT array_agg(DISTINCT preferred_method ORDER BY preferred_method) FROM contacts) AS methods`,
    );
    expect(c).toEqual({
      without: 0,
      too_many: 0,
      not_one_primary: 0,
      email_without: 0,
      phone_without: 0,
      methods: ['email', 'letter', 'phone', 'sms'],
    });
  });

  /** Every seeded child's schedule as of the reference date, from the one evaluator (worked out once). */
  let evaluated: Promise<{ facts: ChildScheduleFacts; schedule: ChildSchedule }[]> | null = null;
  const schedules = () => (evaluated ??= evaluateAll());
  async function evaluateAll() {
    const ids = (await select<{ id: string }>('SELECT id::text AS id FROM children')).map((r) => r.id);
    const facts = await loadScheduleFacts(db, ids);
    return [...facts.values()].map((f) => ({
      facts: f,
      schedule: evaluateSchedule({ dateOfBirth: f.dateOfBirth, sex: f.sex }, f.immunisations, {
        asOf: REFERENCE_DATE,
        graceDays: f.graceDays,
      }),
    }));
  }

  test('immunisation events: only scheduled doses, never before birth, never past an upper age limit or the reference date', async () => {
    const all = await schedules();
    const events = all.flatMap((c) => c.facts.immunisations);
    expect(events.length).toBeGreaterThan(0);
    // Every event fills a dose of the child's schedule (right cohort, old enough, not too old, intervals kept).
    const offSchedule = all.flatMap((c) =>
      c.schedule.unmatched.map((e) => `${c.facts.childId} ${e.product} ${e.givenOn}`),
    );
    expect(offSchedule).toEqual([]);
    const outOfRange = all.flatMap((c) =>
      c.facts.immunisations.filter((e) => e.givenOn < c.facts.dateOfBirth || e.givenOn > REFERENCE_DATE),
    );
    expect(outOfRange).toEqual([]);
    // Histories follow the cohorts: 5-in-1 before August 2017, 6-in-1 after; Hib/MenC only up to June 2024.
    const products = new Set(events.map((e) => e.product));
    expect([...products].sort()).toEqual(expect.arrayContaining(['6in1', 'dtap-ipv-hib', 'hib-menc', 'mmr', 'hpv']));
  });

  test('immunisation histories have realistic gaps: most complete, some miss a dose, a few miss many', async () => {
    // Doses followed up and due at least 6 months before the reference date (time enough to be given), leaving out
    // the courses with infant-only age limits (rotavirus, infant MenC), which are missed for good when late.
    const sixMonthsBefore = '2026-05-24';
    const rows = (await schedules())
      .map(({ schedule }) => {
        const due = schedule.doses.filter(
          (d) => d.followUp && d.dueOn <= sixMonthsBefore && d.series !== 'rotavirus' && d.series !== 'menc-infant',
        );
        return { due: due.length, given: due.filter((d) => d.status === 'given').length };
      })
      .filter((r) => r.due >= 5);
    const complete = rows.filter((r) => r.given === r.due).length / rows.length;
    const missedOneOrTwo = rows.filter((r) => r.due - r.given >= 1 && r.due - r.given <= 2).length / rows.length;
    const missedMost = rows.filter((r) => r.given < r.due / 2).length / rows.length;
    expect(complete).toBeGreaterThan(0.5);
    expect(complete).toBeLessThan(0.95);
    expect(missedOneOrTwo).toBeGreaterThan(0.03);
    expect(missedMost).toBeGreaterThan(0.01);
    expect(missedMost).toBeLessThan(0.1);
  });

  test('most babies have newborn screening results; a few are missing', async () => {
    const rows = await select<{ programme: string; share: number }>(
      `SELECT p.programme, avg((EXISTS (SELECT 1 FROM screening_results s WHERE s.child_id = c.id AND s.programme = p.programme))::int)::float AS share
       FROM children c CROSS JOIN (VALUES ('blood_spot'), ('hearing'), ('nipe')) AS p(programme)
       WHERE c.date_of_birth BETWEEN $1::date - interval '11 months' AND $1::date - interval '60 days'
       GROUP BY p.programme ORDER BY p.programme`,
      [REFERENCE_DATE],
    );
    expect(rows.map((r) => r.programme)).toEqual(['blood_spot', 'hearing', 'nipe']);
    for (const r of rows) {
      expect(r.share).toBeGreaterThan(0.85);
      expect(r.share).toBeLessThan(1.0001);
    }
    const [{ early }] = await select<{ early: number }>(
      'SELECT count(*)::int AS early FROM screening_results s JOIN children c ON c.id = s.child_id WHERE s.recorded_on < c.date_of_birth OR s.recorded_on > $1::date',
      [REFERENCE_DATE],
    );
    expect(early).toBe(0);
  });

  test('a small share of children carry safeguarding alerts, and a few concerns are open', async () => {
    const alerts = await select<{ safeguarding_alert: string; n: number }>(
      'SELECT safeguarding_alert, count(*)::int AS n FROM children GROUP BY 1 ORDER BY 1',
    );
    const byAlert = Object.fromEntries(alerts.map((a) => [a.safeguarding_alert, a.n]));
    expect(Object.keys(byAlert).sort()).toEqual(['child_protection_plan', 'concern', 'looked_after', 'none']);
    expect(byAlert.none / CHILDREN).toBeGreaterThan(0.95);
    const concerns = await select<{ status: string; alert: string; raised_by: number | null }>(
      'SELECT s.status, c.safeguarding_alert AS alert, s.raised_by FROM safeguarding_concerns s JOIN children c ON c.id = s.child_id',
    );
    expect(concerns.length).toBeGreaterThan(0);
    expect(concerns.length).toBeLessThan(CHILDREN * 0.02);
    expect(
      concerns.filter((c) => !['open', 'monitoring'].includes(c.status) || c.alert === 'none' || c.raised_by === null),
    ).toEqual([]);
  });

  test('teams and demo accounts per locality and role, with argon2 hashes of the demo password', async () => {
    const teams = await select<{ code: string; kind: string }>('SELECT code, kind FROM teams ORDER BY code');
    expect(teams).toHaveLength(57);
    expect(teams).toEqual(
      expect.arrayContaining([
        { code: 'birmingham-records', kind: 'records' },
        { code: 'birmingham-health-visiting', kind: 'health_visiting' },
        { code: 'herefordshire-immunisation', kind: 'immunisation' },
        { code: 'stoke-on-trent-safeguarding', kind: 'safeguarding' },
        { code: 'region-management', kind: 'management' },
      ]),
    );

    const staff = await select<{
      username: string;
      role: string;
      password_hash: string;
      localities: string[];
      teams: string[];
    }>(
      `SELECT s.username, s.role, s.password_hash,
              (SELECT array_agg(l.code ORDER BY l.code) FROM staff_localities sl JOIN localities l ON l.id = sl.locality_id WHERE sl.staff_id = s.id) AS localities,
              (SELECT array_agg(t.code ORDER BY t.code) FROM staff_teams st JOIN teams t ON t.id = st.team_id WHERE st.staff_id = s.id) AS teams
       FROM staff_users s ORDER BY s.username`,
    );
    expect(staff.map((s) => s.username).sort()).toEqual(
      demoLogins()
        .map((l) => l.username)
        .sort(),
    );
    const byName = Object.fromEntries(staff.map((s) => [s.username, s]));
    expect(byName['cw.birmingham.hv']).toMatchObject({
      role: 'caseworker',
      localities: ['birmingham'],
      teams: ['birmingham-health-visiting'],
    });
    expect(byName['sl.birmingham']).toMatchObject({
      role: 'safeguarding_lead',
      localities: ['birmingham'],
      teams: ['birmingham-safeguarding'],
    });
    expect(byName.manager).toMatchObject({ role: 'service_manager', teams: ['region-management'] });
    expect(byName.manager.localities).toHaveLength(14);
    expect(byName.admin).toMatchObject({ role: 'administrator' });
    for (const role of ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator'])
      expect(staff.some((s) => s.role === role)).toBe(true);

    expect(staff.every((s) => s.password_hash.startsWith('$argon2'))).toBe(true);
    expect(await argon2.verify(byName['sl.herefordshire'].password_hash, DEMO_PASSWORD)).toBe(true);
    expect(await argon2.verify(byName['sl.herefordshire'].password_hash, 'wrong-password')).toBe(false);
    expect(summary.logins.find((l) => l.username === 'manager')).toEqual(
      expect.objectContaining({ role: 'service_manager', password: DEMO_PASSWORD }),
    );
  });

  test('refuses to seed a database that already holds children, writing nothing', async () => {
    const before = await select<{ n: number }>(
      'SELECT (SELECT count(*) FROM children) + (SELECT count(*) FROM gp_practices) AS n',
    );
    await expect(seedRegion(db.sequelize, { children: 10, seed: 42, referenceDate: REFERENCE_DATE })).rejects.toThrow(
      SeedError,
    );
    await expect(seedRegion(db.sequelize, { children: 10, seed: 42, referenceDate: REFERENCE_DATE })).rejects.toThrow(
      /already holds 3000 children.*append/,
    );
    expect(
      await select<{ n: number }>('SELECT (SELECT count(*) FROM children) + (SELECT count(*) FROM gp_practices) AS n'),
    ).toEqual(before);
  });

  test('append continues the NHS number sequence and keeps staff and teams as they were', async () => {
    const [{ max }] = await select<{ max: string }>('SELECT max(nhs_number) AS max FROM children');
    const appended = await seedRegion(db.sequelize, {
      children: 500,
      seed: 42,
      referenceDate: REFERENCE_DATE,
      append: true,
    });
    expect(appended.appended).toBe(true);
    expect(appended.rows).toMatchObject({ children: 500, staff_users: 0, teams: 0 });
    expect(appended.nhsNumbers.first! > max).toBe(true);
    const [after] = await select<{ children: number; distinct_numbers: number; staff: number; teams: number }>(
      `SELECT count(*)::int AS children, count(DISTINCT nhs_number)::int AS distinct_numbers,
              (SELECT count(*)::int FROM staff_users) AS staff, (SELECT count(*)::int FROM teams) AS teams FROM children`,
    );
    expect(after).toEqual({ children: 3500, distinct_numbers: 3500, staff: demoLogins().length, teams: 57 });
  });

  test('refuses to run while another seed holds the database', async () => {
    const other = await db.sequelize.transaction();
    try {
      await db.sequelize.query('SELECT pg_advisory_xact_lock(727000002)', { transaction: other });
      await expect(
        seedRegion(db.sequelize, { children: 1, append: true, referenceDate: REFERENCE_DATE }),
      ).rejects.toThrow(/another seed is running/);
    } finally {
      await other.rollback();
    }
  });

  test('a signal stops the run after the batch in progress, keeping what was committed', async () => {
    const [{ n: before }] = await select<{ n: number }>('SELECT count(*)::int AS n FROM children');
    const controller = new AbortController();
    const stopped = await seedRegion(db.sequelize, {
      children: 2000,
      seed: 42,
      referenceDate: REFERENCE_DATE,
      append: true,
      batchSize: 200,
      concurrency: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(stopped.stopped).toBe(true);
    expect(stopped.rows.children).toBe(200);
    const [{ n: after }] = await select<{ n: number }>('SELECT count(*)::int AS n FROM children');
    expect(after - before).toBe(200);
    expect(await regionIsEmpty(db.sequelize)).toBe(false);
  });

  test('rejects bad options by name before writing', async () => {
    await expect(seedRegion(db.sequelize, { children: -1 })).rejects.toThrow(/children must be a whole number/);
    await expect(seedRegion(db.sequelize, { children: 1.5 })).rejects.toThrow(/children must be a whole number/);
    await expect(seedRegion(db.sequelize, { children: 1, seed: -3 })).rejects.toThrow(/seed must be/);
    await expect(seedRegion(db.sequelize, { children: 1, batchSize: 0 })).rejects.toThrow(/batch size/);
    await expect(seedRegion(db.sequelize, { children: 1, referenceDate: '2026-13-01' })).rejects.toThrow(
      /reference date/,
    );
    await expect(seedRegion(db.sequelize, { children: 1, concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});
