/**
 * COVER-style coverage measures: which cohort a quarter's report is about, and what each
 * child of it should have had by the birthday, read from the versioned schedule.
 */
import {
  cohortBirthDates,
  coverMeasures,
  coverQuarter,
  coverSegments,
  previousQuarter,
  quarterOf,
  seriesProducts,
} from '../../schedule/cover';

const ids = (dateOfBirth: string, milestone: '12m' | '24m' | '5y') =>
  coverMeasures(dateOfBirth, milestone).map((m) => m.id);

describe('quarters and cohorts', () => {
  test('a quarter is three calendar months; the one before Q1 is Q4 of the year before', () => {
    expect(coverQuarter('2026-Q3')).toEqual({
      id: '2026-Q3',
      from: '2026-07-01',
      to: '2026-09-30',
      label: 'July to September 2026',
    });
    expect(quarterOf('2026-12-06').id).toBe('2026-Q4');
    expect(previousQuarter(coverQuarter('2026-Q1')).id).toBe('2025-Q4');
    expect(() => coverQuarter('2026-Q5')).toThrow(/YYYY-Qn/);
  });

  test('the cohort of a quarter is the children whose birthday falls in it', () => {
    expect(cohortBirthDates(coverQuarter('2026-Q3'), '12m')).toEqual({ from: '2025-07-01', to: '2025-09-30' });
    expect(cohortBirthDates(coverQuarter('2026-Q1'), '24m')).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(cohortBirthDates(coverQuarter('2026-Q4'), '5y')).toEqual({ from: '2021-10-01', to: '2021-12-31' });
  });
});

describe('what counts by each birthday', () => {
  test('by 12 months: the infant primary course (doses due at exactly one year count at 24 months)', () => {
    expect(ids('2025-08-15', '12m')).toEqual(['dtap-primary:3', 'pcv:1', 'menb:2', 'rotavirus:2']);
    // The 2+1 PCV schedule of children born before 2020 had two priming doses.
    expect(ids('2019-06-01', '12m')).toEqual(['dtap-primary:3', 'pcv:2', 'menb:2', 'rotavirus:2']);
  });

  test('by 24 months: born on or before 30 June 2024 the Hib/MenC booster, after it the 18-month 6-in-1 and MMRV', () => {
    expect(ids('2024-06-30', '24m')).toEqual([
      'dtap-primary:3',
      'hib-booster:1',
      'pcv:2',
      'menb:3',
      'rotavirus:2',
      'mmr:1',
    ]);
    expect(ids('2024-07-01', '24m')).toEqual(['dtap-primary:4', 'pcv:2', 'menb:3', 'rotavirus:2', 'mmr:1', 'mmrv:1']);
    // Born from 2025: MMRV at 1 year and 18 months instead of MMR.
    expect(ids('2025-01-10', '24m')).toEqual(['dtap-primary:4', 'pcv:2', 'menb:3', 'rotavirus:2', 'mmrv:2']);
  });

  test('by 5 years: the pre-school booster and the second MMR; the MMRV catch-up campaign is not routine coverage', () => {
    expect(ids('2021-10-15', '5y')).toEqual([
      'dtap-primary:3',
      'hib-booster:1',
      'pcv:2',
      'menb:3',
      'rotavirus:2',
      'mmr:2',
      'preschool-booster:1',
    ]);
    expect(ids('2021-10-15', '5y')).not.toContain('varicella-catch-up:1');
  });

  test('children born before MenB and rotavirus were offered are not measured on them', () => {
    expect(ids('2013-03-01', '12m')).toEqual(['dtap-primary:3', 'menc-infant:1', 'pcv:2']);
  });

  test('measures are named for people: the series and how many doses', () => {
    expect(coverMeasures('2025-08-15', '12m')[0]!.label).toBe('DTaP/IPV/Hib(/HepB) (5-in-1 / 6-in-1): 3 doses');
  });
});

describe('segments', () => {
  test('a cohort is cut where the schedule changes what is measured, and nowhere else', () => {
    const segments = coverSegments({ from: '2024-06-01', to: '2024-07-31' }, '24m');
    expect(segments.map((s) => [s.bornFrom, s.bornTo])).toEqual([
      ['2024-06-01', '2024-06-30'],
      ['2024-07-01', '2024-07-31'],
    ]);
    expect(coverSegments(cohortBirthDates(coverQuarter('2026-Q3'), '12m'), '12m')).toHaveLength(1);
  });

  test('products that count for a series include their equivalences (MMRV counts for MMR)', () => {
    const mmr = seriesProducts()
      .filter((p) => p.series === 'mmr')
      .map((p) => p.product);
    expect(mmr.sort()).toEqual(['mmr', 'mmrv']);
  });
});
