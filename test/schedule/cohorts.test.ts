/**
 * Which doses a child should have, by birth cohort: the boundaries the published changes draw.
 * Each expected answer is read from the source named in the test.
 */
import { codesOf, doseOf, dueDates, scheduleOf } from './support';

const AS_OF = '2026-06-01';
/** Doses every child born from 1 January 2020 has (infant 6-in-1 cohort, MenB, rotavirus, PCV 1+1, boosters, school age). */
const BASE_2020S = [
  '6in1-1',
  '6in1-2',
  '6in1-3',
  'dtap-ipv-1',
  'hpv-1',
  'menacwy-1',
  'menb-1',
  'menb-2',
  'menb-3',
  'pcv-1',
  'pcv-2',
  'rotavirus-1',
  'rotavirus-2',
  'td-ipv-1',
];
const sorted = (codes: string[]) => [...codes].sort();

describe('born 30 June vs 1 July 2024 (UKHSA/NHSE letter, Annexe A, 30 April 2025)', () => {
  // "Remove offer of Hib/MenC for children born on or after 1 July 2024"; "new 18-month appointment for
  // 4th DTaP/IPV/Hib/HepB and 2nd MMR for children born on or after 1 July 2024"; born on or before
  // 30 June 2024 keep the 2nd MMR at 3 years 4 months, which from 2026 is MMRV (UKHSA MMRV eligibility table).
  test('30 June 2024: Hib/MenC at 1 year, no 18-month appointment, MMR at 1 year and one MMRV pre-school', () => {
    const s = scheduleOf('2024-06-30', AS_OF);
    expect(codesOf(s)).toEqual(sorted([...BASE_2020S, 'hib-menc-1', 'mmr-1', 'mmrv-1']));
    expect(dueDates(s, ['hib-menc-1', 'mmr-1', 'mmrv-1', 'dtap-ipv-1'])).toEqual({
      'hib-menc-1': '2025-06-30',
      'mmr-1': '2025-06-30',
      'mmrv-1': '2027-10-30',
      'dtap-ipv-1': '2027-10-30',
    });
  });

  test('1 July 2024: no Hib/MenC; 6-in-1 dose 4 and MMRV at 18 months (1 January 2026); MMRV again pre-school', () => {
    const s = scheduleOf('2024-07-01', AS_OF);
    expect(codesOf(s)).toEqual(sorted([...BASE_2020S, '6in1-4', 'mmr-1', 'mmrv-1', 'mmrv-2']));
    expect(dueDates(s, ['mmr-1', '6in1-4', 'mmrv-1', 'mmrv-2'])).toEqual({
      'mmr-1': '2025-07-01',
      '6in1-4': '2026-01-01',
      'mmrv-1': '2026-01-01',
      'mmrv-2': '2027-11-01',
    });
  });
});

describe('born 31 December 2024 vs 1 January 2025 (UKHSA MMRV eligibility by date of birth)', () => {
  // "01/01/2025 or later: 12 months MMRV, 18 months MMRV"; "01/07/2024 to 31/12/2024: 12 months MMR,
  // 18 months MMRV, 3 years 4 months MMRV".
  test('31 December 2024: MMR at 1 year (31 December 2025), MMRV at 18 months and at 3 years 4 months', () => {
    const s = scheduleOf('2024-12-31', AS_OF);
    expect(codesOf(s)).toEqual(sorted([...BASE_2020S, '6in1-4', 'mmr-1', 'mmrv-1', 'mmrv-2']));
    // Month ends clamp: 31 December + 18 months = 30 June; + 40 months = 30 April.
    expect(dueDates(s, ['mmr-1', 'mmrv-1', 'mmrv-2'])).toEqual({
      'mmr-1': '2025-12-31',
      'mmrv-1': '2026-06-30',
      'mmrv-2': '2028-04-30',
    });
    expect(doseOf(s, 'mmr-1').vaccine).toBe('mmr');
  });

  test('1 January 2025: MMRV at 1 year (1 January 2026) and at 18 months; no MMR dose', () => {
    const s = scheduleOf('2025-01-01', AS_OF);
    expect(codesOf(s)).toEqual(sorted([...BASE_2020S, '6in1-4', 'mmrv-1', 'mmrv-2']));
    expect(dueDates(s, ['mmrv-1', 'mmrv-2'])).toEqual({ 'mmrv-1': '2026-01-01', 'mmrv-2': '2026-07-01' });
    expect(doseOf(s, 'mmrv-1').vaccine).toBe('mmrv');
  });
});

describe('born 31 August vs 1 September 2022 (UKHSA MMRV eligibility by date of birth)', () => {
  // "01/09/2022 to 30/06/2024: 1 dose of MMRV at 3 years 4 months (12 months MMR)"; "01/01/2020 to
  // 31/08/2022: 12 months MMR, 3 years 4 months MMR, selective MMRV catch-up from 1 Nov 2026 to 31 Mar 2028".
  test('31 August 2022: MMR twice (the second on 31 December 2025) and the selective MMRV catch-up offer', () => {
    const s = scheduleOf('2022-08-31', AS_OF);
    expect(codesOf(s)).toEqual(sorted([...BASE_2020S, 'hib-menc-1', 'mmr-1', 'mmr-2', 'mmrv-catch-up']));
    expect(dueDates(s, ['mmr-2', 'mmrv-catch-up'])).toEqual({ 'mmr-2': '2025-12-31', 'mmrv-catch-up': '2026-11-01' });
    expect(doseOf(s, 'mmrv-catch-up')).toMatchObject({
      offerUntil: '2028-03-31',
      followUp: false,
      status: 'upcoming',
    });
  });

  test('1 September 2022: the pre-school dose is MMRV (3 years 4 months is 1 January 2026); no catch-up', () => {
    const s = scheduleOf('2022-09-01', AS_OF);
    expect(codesOf(s)).toEqual(sorted([...BASE_2020S, 'hib-menc-1', 'mmr-1', 'mmrv-1']));
    expect(dueDates(s, ['mmrv-1'])).toEqual({ 'mmrv-1': '2026-01-01' });
  });

  test('born 31 December 2019: too old for the MMRV catch-up (the table: "31/12/2019 or before: not eligible")', () => {
    expect(codesOf(scheduleOf('2019-12-31', AS_OF))).not.toContain('mmrv-catch-up');
    expect(codesOf(scheduleOf('2020-01-01', AS_OF))).toContain('mmrv-catch-up');
  });
});

describe('earlier cohorts', () => {
  test('PCV 2+1 for babies born up to 31 December 2019, 1+1 from 1 January 2020 (UKHSA PCV guidance)', () => {
    // "infants born on or after 1 January 2020: a single dose of PCV13 at 12 weeks, then a booster at one
    // year"; "born on or before 31 December 2019: two doses at 8 and 16 weeks, then a booster at one year".
    const old = scheduleOf('2019-12-31', '2021-06-01');
    expect(old.doses.filter((d) => d.series === 'pcv').map((d) => [d.code, d.dueOn])).toEqual([
      ['pcv-1', '2020-02-25'],
      ['pcv-2', '2020-04-21'],
      ['pcv-3', '2020-12-31'],
    ]);
    const young = scheduleOf('2020-01-01', '2021-06-01');
    expect(young.doses.filter((d) => d.series === 'pcv').map((d) => [d.code, d.dueOn])).toEqual([
      ['pcv-1', '2020-03-25'],
      ['pcv-2', '2021-01-01'],
    ]);
  });

  test('5-in-1 for babies born up to 31 July 2017, 6-in-1 (with hepatitis B) from 1 August 2017 (hexavalent guidance)', () => {
    expect(codesOf(scheduleOf('2017-07-31', '2018-06-01')).filter((c) => /in1/.test(c))).toEqual([
      '5in1-1',
      '5in1-2',
      '5in1-3',
    ]);
    expect(codesOf(scheduleOf('2017-08-01', '2018-06-01')).filter((c) => /in1/.test(c))).toEqual([
      '6in1-1',
      '6in1-2',
      '6in1-3',
    ]);
  });

  test('MenB from 1 September 2015 for babies born from 1 May 2015 (PHE, June 2015)', () => {
    expect(codesOf(scheduleOf('2015-04-30', '2016-06-01')).filter((c) => c.startsWith('menb'))).toEqual([]);
    const catchUp = scheduleOf('2015-05-01', '2016-06-01');
    // The catch-up cohort could not be offered MenB before the programme started on 1 September 2015.
    expect(dueDates(catchUp, ['menb-1', 'menb-2', 'menb-3'])).toEqual({
      'menb-1': '2015-09-01',
      'menb-2': '2015-09-01',
      'menb-3': '2016-05-01',
    });
  });

  test('rotavirus from 1 July 2013, first dose before 15 weeks (PHE June 2013 schedule; UKHSA uncertain-status footnote)', () => {
    // Born 18 March 2013: 15 weeks on 1 July 2013, too old on the programme's first day. Born 19 March: one day left.
    expect(codesOf(scheduleOf('2013-03-18', '2013-08-01')).filter((c) => c.startsWith('rota'))).toEqual([]);
    const last = scheduleOf('2013-03-19', '2013-07-01');
    expect(doseOf(last, 'rotavirus-1')).toMatchObject({ dueOn: '2013-07-01', offerUntil: '2013-07-01', status: 'due' });
  });

  test('infant MenC: 3 and 4 months until May 2013, 3 months until June 2016, none after (PHE 2013; NHS 2016)', () => {
    expect(codesOf(scheduleOf('2012-12-01', '2013-02-01')).filter((c) => c.startsWith('menc'))).toEqual([
      'menc-1',
      'menc-2',
    ]);
    // Born 1 March 2013: the 4-month dose (1 July 2013) fell after it was withdrawn on 1 June 2013.
    expect(codesOf(scheduleOf('2013-03-01', '2013-04-01')).filter((c) => c.startsWith('menc'))).toEqual(['menc-1']);
    // Born 1 April 2016: 12 weeks is 24 June 2016, the last week of the infant dose; born 8 April: none.
    expect(codesOf(scheduleOf('2016-04-01', '2016-05-01')).filter((c) => c.startsWith('menc'))).toEqual(['menc-1']);
    expect(codesOf(scheduleOf('2016-04-08', '2016-05-01')).filter((c) => c.startsWith('menc'))).toEqual([]);
  });

  test('HPV: girls from 2008; boys too from year 8 in September 2019, i.e. born from 1 September 2006 (PHE 2019 letter)', () => {
    expect(codesOf(scheduleOf('2006-08-31', '2020-06-01', [], 'male'))).not.toContain('hpv-1');
    expect(codesOf(scheduleOf('2006-08-31', '2020-06-01', [], 'female'))).toContain('hpv-1');
    expect(codesOf(scheduleOf('2006-09-01', '2020-06-01', [], 'male'))).toContain('hpv-1');
  });
});
