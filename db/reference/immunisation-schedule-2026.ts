/**
 * The UK routine childhood schedule from 1 January 2026, as data. Ages are PostgreSQL
 * intervals measured from the date of birth; birth-date bounds encode the MMRV transition.
 */
export interface ScheduleDoseReference {
  code: string;
  vaccine: string;
  dose: number;
  dueAge: string;
  maxAge?: string;
  bornOnOrAfter?: string;
  bornOnOrBefore?: string;
}

export const SCHEDULE_2026 = { name: 'UK routine childhood', version: 1, effectiveFrom: '2026-01-01' } as const;

export const SCHEDULE_2026_DOSES: readonly ScheduleDoseReference[] = [
  { code: '6in1-1', vaccine: '6in1', dose: 1, dueAge: '8 weeks' },
  { code: 'menb-1', vaccine: 'menb', dose: 1, dueAge: '8 weeks' },
  // Rotavirus has upper age limits: first dose before 15 weeks, second before 24 weeks.
  { code: 'rotavirus-1', vaccine: 'rotavirus', dose: 1, dueAge: '8 weeks', maxAge: '15 weeks' },
  { code: '6in1-2', vaccine: '6in1', dose: 2, dueAge: '12 weeks' },
  { code: 'menb-2', vaccine: 'menb', dose: 2, dueAge: '12 weeks' },
  { code: 'rotavirus-2', vaccine: 'rotavirus', dose: 2, dueAge: '12 weeks', maxAge: '24 weeks' },
  { code: '6in1-3', vaccine: '6in1', dose: 3, dueAge: '16 weeks' },
  { code: 'pcv-1', vaccine: 'pcv', dose: 1, dueAge: '16 weeks' },
  { code: 'pcv-2', vaccine: 'pcv', dose: 2, dueAge: '1 year' },
  { code: 'mmrv-1', vaccine: 'mmrv', dose: 1, dueAge: '1 year' },
  { code: 'menb-3', vaccine: 'menb', dose: 3, dueAge: '1 year' },
  { code: '6in1-4', vaccine: '6in1', dose: 4, dueAge: '18 months', bornOnOrAfter: '2024-07-01' },
  { code: 'mmrv-2', vaccine: 'mmrv', dose: 2, dueAge: '18 months', bornOnOrAfter: '2024-07-01' },
  { code: 'dtap-ipv-1', vaccine: 'dtap-ipv', dose: 1, dueAge: '3 years 4 months' },
  { code: 'mmrv-2-preschool', vaccine: 'mmrv', dose: 2, dueAge: '3 years 4 months', bornOnOrBefore: '2024-06-30' },
  // Born 1 July – 31 December 2024: MMRV at 18 months and again pre-school.
  {
    code: 'mmrv-3-preschool',
    vaccine: 'mmrv',
    dose: 3,
    dueAge: '3 years 4 months',
    bornOnOrAfter: '2024-07-01',
    bornOnOrBefore: '2024-12-31',
  },
  { code: 'hpv-1', vaccine: 'hpv', dose: 1, dueAge: '12 years' },
  { code: 'td-ipv-1', vaccine: 'td-ipv', dose: 1, dueAge: '14 years' },
  { code: 'menacwy-1', vaccine: 'menacwy', dose: 1, dueAge: '14 years' },
];
