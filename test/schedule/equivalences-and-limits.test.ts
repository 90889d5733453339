/**
 * Equivalences (which products count for a dose), minimum ages and intervals, and upper age
 * limits, each from the source named in the test.
 */
import { addAge } from '../../schedule';
import { doseOf, scheduleOf, statuses } from './support';

const PRIMARY_2023 = [
  ['6in1', '2023-04-28'],
  ['6in1', '2023-05-26'],
  ['6in1', '2023-06-23'],
] as const;

describe('equivalences', () => {
  test('a 6-in-1 on or after the first birthday counts for the Hib/MenC dose (born on or before 30 June 2024)', () => {
    // UKHSA complete routine schedule from 1 July 2025, one year old, born before 1 July 2024: "Hib/MenC
    // (if Hib/MenC exhausted give DTaP/IPV/Hib/HepB)"; Vaccine update 359: once Menitorix supplies deplete,
    // children previously eligible for it are offered a dose of hexavalent vaccine.
    const s = scheduleOf('2023-03-03', '2024-06-01', [...PRIMARY_2023, ['6in1', '2024-03-05']]);
    expect(doseOf(s, 'hib-menc-1')).toMatchObject({ status: 'given', given: { on: '2024-03-05', product: '6in1' } });
    expect(s.unmatched).toEqual([]);
  });

  test('…but not when given before the first birthday ("on or after the child’s first birthday")', () => {
    const s = scheduleOf('2023-03-03', '2024-06-01', [...PRIMARY_2023, ['6in1', '2024-03-01']]);
    expect(doseOf(s, 'hib-menc-1').status).toBe('overdue');
    expect(s.unmatched.map((e) => e.givenOn)).toEqual(['2024-03-01']);
  });

  test('Hib/MenC itself counts, and a child born 30 June 2024 without it has a Hib-containing gap at 1 year', () => {
    const given = scheduleOf('2024-06-30', '2025-09-01', [['hib-menc', '2025-07-02']]);
    expect(doseOf(given, 'hib-menc-1').status).toBe('given');
    const missing = scheduleOf('2024-06-30', '2025-09-01');
    expect(doseOf(missing, 'hib-menc-1')).toMatchObject({ status: 'overdue', vaccine: 'hib-menc' });
  });

  test('a late 6-in-1 after the first birthday is both the missing primary dose and the Hib dose over one year', () => {
    // UKHSA uncertain status (from 1 July 2025): "All children require a dose of Hib over one year."
    const s = scheduleOf('2023-03-03', '2024-06-01', [
      ['6in1', '2023-04-28'],
      ['6in1', '2023-05-26'],
      ['6in1', '2024-03-10'],
    ]);
    expect(statuses(s, ['6in1-3', 'hib-menc-1'])).toEqual({ '6in1-3': 'given', 'hib-menc-1': 'given' });
  });

  test('MMRV counts as an MMR dose; MMR does not count as MMRV (no varicella)', () => {
    // UKHSA MMRV programme: MMRV replaces MMR (measles, mumps, rubella and varicella).
    const mmrv = scheduleOf('2023-05-01', '2024-08-01', [['mmrv', '2024-05-02']]);
    expect(doseOf(mmrv, 'mmr-1')).toMatchObject({ status: 'given', given: { product: 'mmrv' } });
    const mmr = scheduleOf('2025-02-01', '2026-04-01', [['mmr', '2026-02-02']]);
    expect(doseOf(mmr, 'mmrv-1').status).toBe('overdue');
  });

  test('a 6-in-1 counts for the 5-in-1 primary course; a 5-in-1 does not count for the 6-in-1 course (no hepatitis B)', () => {
    // Hexavalent guidance: babies born on or after 1 August 2017 have the 6-in-1, which adds hepatitis B.
    const older = scheduleOf('2016-05-01', '2016-08-01', [['6in1', '2016-06-26']]);
    expect(doseOf(older, '5in1-1').status).toBe('given');
    const younger = scheduleOf('2018-05-01', '2018-08-01', [['dtap-ipv-hib', '2018-06-26']]);
    expect(doseOf(younger, '6in1-1').status).toBe('overdue');
    expect(younger.unmatched).toHaveLength(1);
  });

  test('selective and seasonal products are recorded but fill no routine dose', () => {
    const s = scheduleOf('2022-02-01', '2024-11-01', [
      ['bcg', '2022-02-10'],
      ['flu', '2024-10-01'],
    ]);
    expect(s.unmatched.map((e) => e.product)).toEqual(['bcg', 'flu']);
    // Only routine products are evidence of a history: this child has none.
    expect(s.treatedAsUnimmunised).toBe(true);
  });
});

describe('minimum ages and intervals', () => {
  test('MMR before the first birthday does not count (the schedule: "on or after the child’s first birthday")', () => {
    const s = scheduleOf('2023-05-01', '2024-08-01', [['mmr', '2024-04-20']]);
    expect(doseOf(s, 'mmr-1').status).toBe('overdue');
    expect(s.unmatched).toHaveLength(1);
  });

  test('primary doses less than 4 weeks apart: the second does not count (UKHSA uncertain status: 4-week gaps)', () => {
    const s = scheduleOf('2023-03-03', '2023-07-01', [
      ['6in1', '2023-04-28'],
      ['6in1', '2023-05-19'],
    ]);
    expect(statuses(s, ['6in1-1', '6in1-2'])).toEqual({ '6in1-1': 'given', '6in1-2': 'overdue' });
    expect(doseOf(s, '6in1-2').earliestOn).toBe('2023-07-01');
  });

  test('the pre-school booster counts from 3 years and a year after the last primary dose', () => {
    // UKHSA uncertain status (from 1 July 2025): "dTaP/IPV vaccine should be offered from 3 years (and at
    // least one year after last dose of DTaP/IPV/Hib/HepB vaccine)".
    const lateCourse = [
      ['6in1', '2023-09-01'],
      ['6in1', '2023-10-01'],
      ['6in1', '2023-11-01'],
    ] as const;
    const tooSoon = scheduleOf('2020-06-01', '2024-06-01', [...lateCourse, ['dtap-ipv', '2024-05-01']]);
    expect(doseOf(tooSoon, 'dtap-ipv-1')).toMatchObject({ status: 'overdue', earliestOn: '2024-11-01' });
    const inTime = scheduleOf('2020-06-01', '2025-01-01', [...lateCourse, ['dtap-ipv', '2024-11-01']]);
    expect(doseOf(inTime, 'dtap-ipv-1').status).toBe('given');
  });
});

describe('upper age limits', () => {
  // UKHSA uncertain status, footnote: first dose of rotavirus vaccine only under 15 weeks; second dose only
  // under 24 weeks.
  const born = '2026-01-05';
  test('rotavirus dose 1 can be given up to 14 weeks 6 days; from 15 weeks neither dose is offered', () => {
    const lastDay = addAge(born, { weeks: 15, days: -1 });
    expect(doseOf(scheduleOf(born, lastDay), 'rotavirus-1')).toMatchObject({ status: 'overdue', offerUntil: lastDay });
    const tooOld = scheduleOf(born, addAge(born, { weeks: 15 }));
    expect(statuses(tooOld, ['rotavirus-1', 'rotavirus-2'])).toEqual({
      'rotavirus-1': 'not_offered',
      'rotavirus-2': 'not_offered',
    });
    expect(doseOf(tooOld, 'rotavirus-2').notOfferedReason).toBe('course_not_started');
  });

  test('rotavirus given at 15 weeks does not count; dose 2 at 23 weeks 6 days counts, at 24 weeks not', () => {
    const late = scheduleOf(born, '2026-08-01', [['rotavirus', addAge(born, { weeks: 15 })]]);
    expect(doseOf(late, 'rotavirus-1').status).toBe('not_offered');
    expect(late.unmatched).toHaveLength(1);
    const d1 = addAge(born, { weeks: 14 });
    const inTime = scheduleOf(born, '2026-08-01', [
      ['rotavirus', d1],
      ['rotavirus', addAge(born, { weeks: 24, days: -1 })],
    ]);
    expect(doseOf(inTime, 'rotavirus-2').status).toBe('given');
    const tooLate = scheduleOf(born, '2026-08-01', [
      ['rotavirus', d1],
      ['rotavirus', addAge(born, { weeks: 24 })],
    ]);
    expect(doseOf(tooLate, 'rotavirus-2')).toMatchObject({
      status: 'not_offered',
      notOfferedReason: 'upper_age_limit',
    });
  });

  test('PCV and MenB are not offered from the second birthday; priming doses not from the first', () => {
    // UKHSA uncertain status: PCV13 and MenB appear only in the plans up to the second birthday; infants'
    // priming doses are in the plan "from 8 weeks up to first birthday".
    const s = scheduleOf('2023-03-03', '2025-03-03');
    expect(statuses(s, ['pcv-1', 'pcv-2', 'menb-1', 'menb-2', 'menb-3'])).toEqual({
      'pcv-1': 'not_offered',
      'pcv-2': 'not_offered',
      'menb-1': 'not_offered',
      'menb-2': 'not_offered',
      'menb-3': 'not_offered',
    });
    // A PCV at 13 months is the booster (given "regardless of the number of doses under one year").
    const booster = scheduleOf('2023-03-03', '2024-05-01', [['pcv', '2024-04-03']]);
    expect(statuses(booster, ['pcv-1', 'pcv-2'])).toEqual({ 'pcv-1': 'not_offered', 'pcv-2': 'given' });
    // MenB started at 13 months: one dose and the booster (dose 2 of infancy is no longer offered).
    const menb = scheduleOf('2023-03-03', '2024-08-01', [
      ['menb', '2024-04-03'],
      ['menb', '2024-06-03'],
    ]);
    expect(statuses(menb, ['menb-1', 'menb-2', 'menb-3'])).toEqual({
      'menb-1': 'given',
      'menb-2': 'not_offered',
      'menb-3': 'given',
    });
  });
});
