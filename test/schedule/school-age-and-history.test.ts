/**
 * School-age doses (by school year), the no-reliable-history rule with its catch-up plan, and a
 * child of each era with the history it really had.
 */
import { planCatchUp } from '../../schedule';
import { GRACE_DAYS, codesOf, doseOf, dueDates, scheduleOf, statuses } from './support';

describe('school-age doses follow the school year', () => {
  // UKHSA complete routine schedule: HPV at 12 to 13 years (school year 8); Td/IPV and MenACWY at 14 years
  // (school year 9). A child born 1 September is the oldest of a year group, one born 31 August the youngest.
  test('born 31 August 2010 is in year 8 from September 2022; born 1 September 2010 from September 2023', () => {
    expect(doseOf(scheduleOf('2010-08-31', '2022-06-01'), 'hpv-1').dueOn).toBe('2022-09-01');
    expect(doseOf(scheduleOf('2010-09-01', '2022-06-01'), 'hpv-1').dueOn).toBe('2023-09-01');
  });

  test('offered through the school year: overdue only after it ends (plus the grace period)', () => {
    const s = scheduleOf('2012-03-15', '2025-07-01');
    expect(dueDates(s, ['hpv-1', 'td-ipv-1', 'menacwy-1'])).toEqual({
      'hpv-1': '2024-09-01',
      'td-ipv-1': '2025-09-01',
      'menacwy-1': '2025-09-01',
    });
    // Year 8 ends on 31 August 2025; with 28 days' grace the dose is overdue from 28 September.
    expect(doseOf(s, 'hpv-1')).toMatchObject({ status: 'due', overdueOn: '2025-09-28' });
    expect(doseOf(scheduleOf('2012-03-15', '2025-09-28'), 'hpv-1').status).toBe('overdue');
  });

  test('HPV: the second dose was due 6 months after the first until 31 August 2023; from then one dose is complete', () => {
    // HPV programme changes from September 2023 (UKHSA letter): one dose; "eligible individuals who ...
    // have already received one dose of the vaccine by September 2023 will be considered fully vaccinated".
    const given = [['hpv', '2021-10-10']] as const;
    const before = scheduleOf('2008-09-01', '2023-06-01', given);
    expect(doseOf(before, 'hpv-2')).toMatchObject({ dueOn: '2022-04-10', status: 'overdue' });
    const after = scheduleOf('2008-09-01', '2023-09-01', given);
    expect(doseOf(after, 'hpv-2')).toMatchObject({ status: 'not_offered', notOfferedReason: 'programme_ended' });
    // A child in year 8 from September 2023 never had a second dose in its schedule.
    expect(codesOf(scheduleOf('2011-01-01', '2024-06-01'))).not.toContain('hpv-2');
  });

  test('HPV and MenACWY to the 25th birthday; Td/IPV has no upper limit', () => {
    const s = scheduleOf('2006-09-01', '2031-09-01', [], 'female');
    expect(statuses(s, ['hpv-1', 'menacwy-1', 'td-ipv-1'])).toEqual({
      'hpv-1': 'not_offered',
      'menacwy-1': 'not_offered',
      'td-ipv-1': 'overdue',
    });
  });
});

describe('no reliable history: treated as unimmunised, the course resumed with visits 4 weeks apart', () => {
  // UKHSA uncertain status (from 1 July 2025): "Unless there is a documented or reliable verbal vaccine
  // history, individuals should be assumed to be unimmunised"; "If the primary course has been started but
  // not completed, resume the course – no need to repeat doses or restart course"; "Leave a 4-week gap
  // between visits". Children from the second up to the 10th birthday: visit 1 DTaP/IPV/Hib/HepB and MMR.
  test('a 2-year-old with no history: 6-in-1 (also the Hib dose over one year) and MMR at once, then 6-in-1 twice', () => {
    const plan = planCatchUp({ dateOfBirth: '2024-01-10' }, [], { asOf: '2026-01-12', graceDays: GRACE_DAYS });
    expect(plan.treatedAsUnimmunised).toBe(true);
    expect(plan.gaps.map((g) => [g.code, g.catchUpOn])).toEqual([
      ['6in1-1', '2026-01-12'],
      ['6in1-2', '2026-02-09'],
      ['6in1-3', '2026-03-09'],
      ['hib-menc-1', '2026-01-12'],
      ['mmr-1', '2026-01-12'],
    ]);
    // Too old now for rotavirus, PCV and MenB: not in the plan.
    expect(plan.gaps.some((g) => /^(rotavirus|pcv|menb)/.test(g.code))).toBe(false);
  });

  test('a course started abroad is resumed, not restarted', () => {
    const plan = planCatchUp({ dateOfBirth: '2025-09-01' }, [{ product: '6in1', givenOn: '2025-11-01' }], {
      asOf: '2026-02-01',
      graceDays: GRACE_DAYS,
    });
    expect(plan.treatedAsUnimmunised).toBe(false);
    expect(plan.gaps.map((g) => [g.code, g.catchUpOn])).toEqual([
      ['menb-1', '2026-02-01'],
      ['6in1-2', '2026-02-01'],
      ['menb-2', '2026-03-01'],
      ['6in1-3', '2026-03-01'],
      ['pcv-1', '2026-02-01'],
    ]);
  });
});

describe('children of each era have the schedule they really had', () => {
  test('born 2008: 5-in-1, MenC at 3 and 4 months, PCV 2+1, Hib/MenC, MMR twice, pre-school booster, HPV (a boy in year 8 in 2020: two doses); no MenB or rotavirus', () => {
    const s = scheduleOf('2008-02-01', '2026-01-01', [], 'male');
    expect(codesOf(s)).toEqual(
      [
        '5in1-1',
        '5in1-2',
        '5in1-3',
        'menc-1',
        'menc-2',
        'pcv-1',
        'pcv-2',
        'pcv-3',
        'hib-menc-1',
        'mmr-1',
        'mmr-2',
        'dtap-ipv-1',
        'hpv-1',
        'hpv-2',
        'td-ipv-1',
        'menacwy-1',
      ].sort(),
    );
  });

  test('born 2014: rotavirus and one infant MenC joined; still no MenB', () => {
    const codes = codesOf(scheduleOf('2014-02-01', '2026-01-01'));
    expect(codes).toEqual(expect.arrayContaining(['rotavirus-1', 'rotavirus-2', 'menc-1', 'pcv-3', 'hpv-1']));
    expect(codes).not.toContain('menc-2');
    expect(codes.some((c) => c.startsWith('menb'))).toBe(false);
  });

  test('a fully immunised child born 2016 is up to date as of 2026 (year 5: school-age doses still to come)', () => {
    const s = scheduleOf('2016-02-01', '2026-01-01', [
      ['dtap-ipv-hib', '2016-03-28'],
      ['pcv', '2016-03-28'],
      ['menb', '2016-03-28'],
      ['rotavirus', '2016-03-28'],
      ['dtap-ipv-hib', '2016-04-25'],
      ['menc', '2016-04-25'],
      ['rotavirus', '2016-04-25'],
      ['dtap-ipv-hib', '2016-05-23'],
      ['pcv', '2016-05-23'],
      ['menb', '2016-05-23'],
      ['hib-menc', '2017-02-01'],
      ['pcv', '2017-02-01'],
      ['mmr', '2017-02-01'],
      ['menb', '2017-02-01'],
      ['dtap-ipv', '2019-06-10'],
      ['mmr', '2019-06-10'],
    ]);
    expect(s.doses.filter((d) => d.status !== 'given' && d.status !== 'upcoming')).toEqual([]);
    expect(s.unmatched).toEqual([]);
    expect(s.doses.filter((d) => d.status === 'upcoming').map((d) => d.code)).toEqual([
      'hpv-1',
      'menacwy-1',
      'td-ipv-1',
    ]);
  });
});
