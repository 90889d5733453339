/**
 * GET /api/reports/coverage: COVER-style immunisation coverage by locality, on a database of
 * children whose histories give known answers.
 */
import { addImmunisation } from '../support/fixtures';
import { select } from '../../records/sql';
import {
  auditRows,
  BIRMINGHAM,
  COVENTRY,
  makeChild,
  makeStaff,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

const NOW = new Date('2026-12-06T10:00:00Z');

interface Figures {
  eligible: number;
  immunised: number;
  percent: number | null;
}
interface Measure {
  id: string;
  label: string;
  total: Figures;
  localities: (Figures & { code: string })[];
}
interface Cohort {
  milestone: string;
  bornFrom: string;
  bornTo: string;
  measures: Measure[];
}

const measure = (cohort: Cohort, id: string) => cohort.measures.find((m) => m.id === id)!;
const inLocality = (m: Measure, code: string) => m.localities.find((l) => l.code === code)!;

describe('immunisation coverage report', () => {
  let h: CaseWorkHarness;
  let manager: SignedIn;
  let lead: SignedIn;

  async function child(localityId: number, dateOfBirth: string, doses: [string, string[]][], status?: string) {
    const c = await makeChild(h.db, localityId, { dateOfBirth });
    const numberOf = new Map<string, number>();
    for (const [vaccine, dates] of doses) {
      for (const givenOn of dates) {
        const dose = (numberOf.get(vaccine) ?? 0) + 1;
        numberOf.set(vaccine, dose);
        await addImmunisation(h.db, c.id, { vaccine, dose, givenOn });
      }
    }
    if (status) await select(h.db, 'UPDATE children SET status = $2 WHERE id = $1 RETURNING id', [c.id, status]);
    return c;
  }

  beforeAll(async () => {
    h = await startCaseWork('api_coverage', { now: () => NOW });
    manager = await signIn(h.app, await makeStaff(h.db, 'service_manager'));
    lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
    // First birthdays in July–September 2026 (the 12-month cohort of 2026-Q3).
    await child(BIRMINGHAM, '2025-07-10', [
      ['6in1', ['2025-09-04', '2025-10-02', '2025-10-30']],
      ['pcv', ['2025-10-30']],
      ['menb', ['2025-09-04', '2025-10-02']],
      ['rotavirus', ['2025-09-04', '2025-10-02']],
    ]);
    await child(BIRMINGHAM, '2025-08-20', [
      ['6in1', ['2025-10-15', '2025-11-12']], // two of three
      ['pcv', ['2025-12-10']],
      ['menb', ['2025-10-15', '2025-11-12']],
      ['rotavirus', ['2025-10-15', '2025-11-12']],
    ]);
    await child(BIRMINGHAM, '2025-09-15', [
      ['6in1', ['2025-11-10', '2025-12-08', '2026-09-20']], // the third after the first birthday
      ['pcv', ['2026-01-05']],
    ]);
    await child(BIRMINGHAM, '2025-08-01', [['6in1', ['2025-09-26', '2025-10-24', '2025-11-21']]], 'moved_out');
    await child(BIRMINGHAM, '2025-06-30', [['6in1', ['2025-08-25', '2025-09-22', '2025-10-20']]]); // Q2's cohort
    // Two products on one day are one dose: two of three.
    await child(COVENTRY, '2025-07-05', [
      ['6in1', ['2025-08-30', '2025-09-27']],
      ['dtap-ipv-hib', ['2025-09-27']],
    ]);
    // The quarter under way (2026-Q4): one first birthday so far, one to come.
    await child(BIRMINGHAM, '2025-11-01', [['6in1', ['2025-12-27', '2026-01-24', '2026-02-21']]]);
    await child(BIRMINGHAM, '2025-12-20', [['6in1', ['2026-02-14', '2026-03-14', '2026-04-11']]]);
  });
  afterAll(() => h.close());

  test('a service manager sees, per vaccine series, how many children of the cohort had their doses by the birthday, per locality and for the region', async () => {
    const res = await manager.agent.get('/api/reports/coverage?quarter=2026-Q3&cohort=12m');
    expect(res.status).toBe(200);
    expect(res.body.quarter).toEqual({
      id: '2026-Q3',
      from: '2026-07-01',
      to: '2026-09-30',
      label: 'July to September 2026',
      complete: true,
    });
    expect(res.body.localities.map((l: { code: string }) => l.code)).toContain('coventry');
    const [cohort] = res.body.cohorts as Cohort[];
    expect(cohort).toMatchObject({ milestone: '12m', bornFrom: '2025-07-01', bornTo: '2025-09-30' });
    expect(cohort!.measures.map((m) => m.id)).toEqual(['dtap-primary:3', 'pcv:1', 'menb:2', 'rotavirus:2']);
    const dtap = measure(cohort!, 'dtap-primary:3');
    expect(inLocality(dtap, 'birmingham')).toEqual({ code: 'birmingham', eligible: 3, immunised: 1, percent: 33.3 });
    expect(inLocality(dtap, 'coventry')).toEqual({ code: 'coventry', eligible: 1, immunised: 0, percent: 0 });
    expect(inLocality(dtap, 'dudley')).toEqual({ code: 'dudley', eligible: 0, immunised: 0, percent: null });
    expect(dtap.total).toEqual({ eligible: 4, immunised: 1, percent: 25 });
    expect(inLocality(measure(cohort!, 'pcv:1'), 'birmingham')).toMatchObject({
      eligible: 3,
      immunised: 3,
      percent: 100,
    });
    expect(inLocality(measure(cohort!, 'menb:2'), 'birmingham')).toMatchObject({ immunised: 2, percent: 66.7 });
  });

  test('without a quarter it is the last complete one, with all three birthdays; the read is audited with its filter and names no child', async () => {
    const res = await manager.agent.get('/api/reports/coverage');
    expect(res.status).toBe(200);
    expect(res.body.quarter.id).toBe('2026-Q3');
    expect((res.body.cohorts as Cohort[]).map((c) => c.milestone)).toEqual(['12m', '24m', '5y']);
    const audit = (await auditRows(h.db, { actor: manager.user.username })).filter(
      (a) => a.action === 'report.coverage',
    );
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(audit.every((a) => a.childId === null)).toBe(true);
    expect(audit[audit.length - 1]!.detail).toMatchObject({ quarter: '2026-Q3', cohort: null, locality: null });
  });

  test('a quarter under way counts only the birthdays reached so far', async () => {
    const res = await manager.agent.get('/api/reports/coverage?quarter=2026-Q4&cohort=12m&locality=birmingham');
    expect(res.status).toBe(200);
    expect(res.body.quarter.complete).toBe(false);
    expect(res.body.asOf).toBe('2026-12-06');
    const dtap = measure((res.body.cohorts as Cohort[])[0]!, 'dtap-primary:3');
    expect(dtap.localities).toEqual([{ code: 'birmingham', eligible: 1, immunised: 1, percent: 100 }]);
  });

  test("a safeguarding lead sees their own localities only, and is refused another's", async () => {
    const own = await lead.agent.get('/api/reports/coverage?quarter=2026-Q3&cohort=12m');
    expect(own.status).toBe(200);
    expect(own.body.localities).toEqual([{ code: 'birmingham', name: 'Birmingham' }]);
    expect(measure((own.body.cohorts as Cohort[])[0]!, 'dtap-primary:3').total).toEqual({
      eligible: 3,
      immunised: 1,
      percent: 33.3,
    });
    const other = await lead.agent.get('/api/reports/coverage?quarter=2026-Q3&locality=coventry');
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/Coventry/);
  });

  test('caseworkers have no coverage report', async () => {
    const caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker'));
    expect((await caseworker.agent.get('/api/reports/coverage')).status).toBe(403);
  });

  test('a malformed filter is a 400, a future quarter or unknown locality a 422, each naming the field', async () => {
    const cases: [string, number, string][] = [
      ['quarter=2026-Q5', 400, 'query.quarter'],
      ['cohort=18m', 400, 'query.cohort'],
      ['quarter=2027-Q1', 422, 'query.quarter'],
      ['locality=atlantis', 422, 'query.locality'],
    ];
    for (const [qs, status, field] of cases) {
      const res = await manager.agent.get(`/api/reports/coverage?${qs}`);
      expect([qs, res.status]).toEqual([qs, status]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(res.body)).toContain(field);
      expect(JSON.stringify(res.body)).not.toContain('undefined');
    }
  });
});
