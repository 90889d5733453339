/**
 * Rules decided by appointment date rather than birth date: the infant timings of 1 July 2025
 * and the MMRV / 18-month changes of 1 January 2026.
 */
import { doseOf, dueDates, scheduleOf, statuses } from './support';

describe('appointments either side of 1 July 2025', () => {
  // UKHSA/NHSE letter Annexe A (30 April 2025): "From 1 July 2025: move 1st PCV13 to 16 weeks, move 2nd
  // MenB to 12 weeks"; UKHSA complete routine schedule from 1 July 2025: at 16 weeks "if received
  // pneumococcal at 12 weeks give MenB"; practitioners' guidance: the changes follow the appointment
  // date, and a baby who had the 12-week PCV before 1 July 2025 stays on the old timings.
  test('12-week appointment on 30 June 2025 (born 7 April): PCV at 12 weeks, MenB dose 2 at 16 weeks', () => {
    const s = scheduleOf('2025-04-07', '2025-06-01');
    expect(s.timings).toEqual({ 'infant-2025-07': 'before' });
    expect(dueDates(s, ['pcv-1', 'menb-2'])).toEqual({ 'pcv-1': '2025-06-30', 'menb-2': '2025-07-28' });
  });

  test('12-week appointment on 1 July 2025 (born 8 April): MenB dose 2 at 12 weeks, PCV at 16 weeks', () => {
    const s = scheduleOf('2025-04-08', '2025-06-01');
    expect(s.timings).toEqual({ 'infant-2025-07': 'after' });
    expect(dueDates(s, ['menb-2', 'pcv-1'])).toEqual({ 'menb-2': '2025-07-01', 'pcv-1': '2025-07-29' });
  });

  test('PCV given at 12 weeks in June 2025: the 16-week appointment in July gives MenB dose 2', () => {
    const given = [
      ['6in1', '2025-05-15'],
      ['menb', '2025-05-15'],
      ['rotavirus', '2025-05-15'],
      ['6in1', '2025-06-12'],
      ['pcv', '2025-06-12'],
      ['rotavirus', '2025-06-12'],
    ] as const;
    const s = scheduleOf('2025-03-20', '2025-07-10', given);
    expect(s.timings).toEqual({ 'infant-2025-07': 'before' });
    expect(statuses(s, ['pcv-1', 'menb-2', '6in1-3'])).toEqual({ 'pcv-1': 'given', 'menb-2': 'due', '6in1-3': 'due' });
    expect(doseOf(s, 'menb-2').dueOn).toBe('2025-07-10');
    // And the booster year still has one PCV (the booster) to go: the priming dose is done.
    expect(doseOf(s, 'pcv-2').status).toBe('upcoming');
  });

  test('12-week appointment missed in June, seen in July: the new timings apply from 1 July', () => {
    const given = [
      ['6in1', '2025-05-15'],
      ['menb', '2025-05-15'],
      ['rotavirus', '2025-05-15'],
    ] as const;
    const june = scheduleOf('2025-03-20', '2025-06-20', given);
    expect(june.timings['infant-2025-07']).toBe('before');
    expect(dueDates(june, ['pcv-1', 'menb-2'])).toEqual({ 'pcv-1': '2025-06-12', 'menb-2': '2025-07-10' });
    // Not decided yet: the answer is reviewed on 1 July, when the switch can change it.
    expect(june.nextReviewOn).toBe('2025-07-01');
    const july = scheduleOf('2025-03-20', '2025-07-02', given);
    expect(july.timings['infant-2025-07']).toBe('after');
    expect(dueDates(july, ['menb-2', 'pcv-1'])).toEqual({ 'menb-2': '2025-06-12', 'pcv-1': '2025-07-10' });
    expect(statuses(july, ['menb-2', 'pcv-1'])).toEqual({ 'menb-2': 'due', 'pcv-1': 'upcoming' });
  });

  test('children born long before 2025 keep their historic timings (MenB dose 2 at 16 weeks)', () => {
    const s = scheduleOf('2016-01-01', '2016-03-01');
    expect(s.timings['infant-2025-07']).toBe('before');
    expect(doseOf(s, 'menb-2').dueOn).toBe('2016-04-22');
  });
});

describe('appointments either side of 1 January 2026', () => {
  // UKHSA MMRV eligibility: MMRV replaces MMR from 1 January 2026; Annexe A: the 18-month appointment
  // (4th 6-in-1 and 2nd MMR) is introduced from 1 January 2026 for children born on or after 1 July 2024.
  test('first birthday 31 December 2025: MMR; first birthday 1 January 2026: MMRV', () => {
    expect(doseOf(scheduleOf('2024-12-31', '2025-12-31'), 'mmr-1')).toMatchObject({
      vaccine: 'mmr',
      dueOn: '2025-12-31',
      status: 'due',
    });
    expect(doseOf(scheduleOf('2025-01-01', '2026-01-01'), 'mmrv-1')).toMatchObject({
      vaccine: 'mmrv',
      dueOn: '2026-01-01',
      status: 'due',
    });
  });

  test('the first 18-month appointments fall on 1 January 2026; a child 18 months on 30 December 2025 has none', () => {
    const first = scheduleOf('2024-07-01', '2026-01-01');
    expect(statuses(first, ['6in1-4', 'mmrv-1'])).toEqual({ '6in1-4': 'due', 'mmrv-1': 'due' });
    const older = scheduleOf('2024-06-30', '2026-01-01');
    expect(older.doses.filter((d) => d.dueOn === '2025-12-30')).toEqual([]);
  });

  test('3 years 4 months on 31 December 2025: MMR dose 2; on 1 January 2026: MMRV', () => {
    expect(doseOf(scheduleOf('2022-08-31', '2025-12-31'), 'mmr-2')).toMatchObject({ vaccine: 'mmr', status: 'due' });
    expect(doseOf(scheduleOf('2022-09-01', '2026-01-01'), 'mmrv-1')).toMatchObject({ vaccine: 'mmrv', status: 'due' });
  });

  test('turned 1 in late December 2025 without MMR: an MMRV in January counts, and no pre-school MMRV is needed', () => {
    // UKHSA MMRV table, note 1: "if a child has not yet received a dose of MMR vaccine that they should
    // have received, for example if they turned 12 months of age in mid to late December 2025, MMRV should
    // be given and the dose of MMRV at 3 years 4 months is not required".
    const given = [
      ['mmrv', '2026-01-10'],
      ['mmrv', '2027-06-15'],
    ] as const;
    const s = scheduleOf('2024-12-15', '2027-07-01', given);
    expect(statuses(s, ['mmr-1', 'mmrv-1', 'mmrv-2'])).toEqual({
      'mmr-1': 'given',
      'mmrv-1': 'given',
      'mmrv-2': 'given',
    });
    expect(doseOf(s, 'mmrv-2').given).toEqual({ on: '2027-06-15', product: 'mmrv', ref: 'e2' });
    // Without that note the usual course is MMR, then MMRV at 18 months and again pre-school.
    const usual = scheduleOf('2024-12-15', '2027-07-01', [
      ['mmr', '2025-12-15'],
      ['mmrv', '2026-06-15'],
    ]);
    expect(statuses(usual, ['mmr-1', 'mmrv-1', 'mmrv-2'])).toEqual({
      'mmr-1': 'given',
      'mmrv-1': 'given',
      'mmrv-2': 'upcoming',
    });
  });

  test('the MMRV catch-up is offered only from 1 November 2026 to 31 March 2028', () => {
    // UKHSA MMRV table: "01/01/2020 to 31/08/2022: selective catch-up from 1 Nov 2026 to 31 Mar 2028".
    const before = scheduleOf('2021-05-01', '2026-10-31');
    expect(doseOf(before, 'mmrv-catch-up')).toMatchObject({ status: 'upcoming', dueOn: '2026-11-01' });
    expect(doseOf(scheduleOf('2021-05-01', '2026-11-01'), 'mmrv-catch-up').status).toBe('due');
    expect(doseOf(scheduleOf('2021-05-01', '2028-03-31'), 'mmrv-catch-up').status).toBe('overdue');
    expect(doseOf(scheduleOf('2021-05-01', '2028-04-01'), 'mmrv-catch-up')).toMatchObject({
      status: 'not_offered',
      notOfferedReason: 'programme_ended',
    });
    // An MMRV given during the campaign fills it; a child with two MMRs still has it offered.
    const had = scheduleOf('2021-05-01', '2027-01-01', [
      ['mmr', '2022-05-01'],
      ['mmr', '2024-09-01'],
      ['mmrv', '2026-11-20'],
    ]);
    expect(statuses(had, ['mmr-1', 'mmr-2', 'mmrv-catch-up'])).toEqual({
      'mmr-1': 'given',
      'mmr-2': 'given',
      'mmrv-catch-up': 'given',
    });
  });
});
