/**
 * The mandated contacts of the Healthy Child Programme a CHIS tracks besides immunisations: the
 * NIPE infant physical examination at 6–8 weeks (by the GP practice) and the health visitor
 * reviews. Their windows are not here: they are settings in the child-health-reviews diagram,
 * where a service manager changes them. These codes name the contacts on appointment outcomes.
 */
export interface MandatedContact {
  readonly code: string;
  readonly label: string;
  /** The appointment kind an outcome for it is reported as. */
  readonly kind: 'health_visit' | 'nipe';
  /**
   * The BPMN message an attended appointment for it is published as (keyed by NHS number). One
   * name per contact: an instance hands a message to one waiting event only, and the reviews
   * process waits for several contacts at once.
   */
  readonly recordedMessage: string;
}

export const MANDATED_CONTACTS = [
  {
    code: 'hv-new-birth',
    label: 'Health visitor new birth visit (10–14 days)',
    kind: 'health_visit',
    recordedMessage: 'newBirthVisitRecorded',
  },
  {
    code: 'nipe-6-8-week',
    label: 'NIPE infant physical examination (6–8 weeks, GP practice)',
    kind: 'nipe',
    recordedMessage: 'nipeInfantExaminationRecorded',
  },
  {
    code: 'hv-6-8-week',
    label: 'Health visitor 6–8 week review',
    kind: 'health_visit',
    recordedMessage: 'sixToEightWeekReviewRecorded',
  },
  {
    code: 'hv-9-12-month',
    label: 'Health visitor 9–12 month review',
    kind: 'health_visit',
    recordedMessage: 'oneYearReviewRecorded',
  },
  {
    code: 'hv-2-year',
    label: 'Health visitor 2–2½ year review',
    kind: 'health_visit',
    recordedMessage: 'twoYearReviewRecorded',
  },
] as const satisfies readonly MandatedContact[];

export type MandatedContactCode = (typeof MANDATED_CONTACTS)[number]['code'];
export const MANDATED_CONTACT_CODES = MANDATED_CONTACTS.map((c) => c.code) as [
  MandatedContactCode,
  ...MandatedContactCode[],
];

/** The message an appointment outcome is published as: a mandated contact attended has its own. */
export function appointmentMessageName(outcome: 'attended' | 'was_not_brought', contact?: string): string {
  if (outcome === 'was_not_brought') return 'appointmentWasNotBrought';
  return (contact !== undefined ? mandatedContact(contact)?.recordedMessage : undefined) ?? 'appointmentAttended';
}

export function mandatedContact(code: string): MandatedContact | undefined {
  return MANDATED_CONTACTS.find((c) => c.code === code);
}
