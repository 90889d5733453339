import type { ActivityType } from '../../activities/catalogue';

/**
 * What a service manager picks in the editor instead of typing a job type: a short name for
 * each catalogue activity, and the group it is listed under. Every catalogue type must have
 * one (test/deployment/element-templates.test.ts), so a new activity cannot be left unnamed.
 */
export const ACTIVITY_TITLES: Record<ActivityType, string> = {
  'child.createOrMatchRecord': 'Create or match the child record',
  'child.deriveLocality': 'Work out the responsible locality',
  'child.getRecord': "Read the child's record",
  'child.checkContactRecorded': 'Check a mandated contact is on record',
  'child.enrolReviews': 'Enrol children in the child health reviews',
  'pds.lookupPatient': 'Look the child up on PDS',
  'notify.emailGpPractice': 'Email the GP practice',
  'notify.remindFamily': 'Remind the family',
  'transfer.assessMove': 'Assess a change of address or GP',
  'transfer.request': 'Open a transfer',
  'transfer.recordInbound': 'Record a child received from another CHIS',
  'transfer.decide': 'Record the transfer decision',
  'transfer.remind': 'Remind about an overdue transfer acceptance',
  'transfer.escalate': 'Escalate an overdue transfer',
  'transfer.recordHandover': 'Record the safeguarding handover',
  'transfer.changeResponsibleLocality': 'Change the responsible locality',
  'transfer.completeOutbound': 'Complete a transfer out of the region',
  'immunisation.checkGaps': 'Check immunisation gaps',
  'immunisation.sweepOverdue': 'Sweep overdue immunisations',
  'immunisation.checkDose': 'Check a dose is still missing',
  'immunisation.recordWasNotBrought': 'Record a Was Not Brought appointment',
  'immunisation.closeFollowUp': 'Close an immunisation follow-up',
  'screening.checkOutstanding': 'Check screening results on record',
  'screening.recordFollowUp': 'Record a screening follow-up step',
  'safeguarding.assessWasNotBrought': 'Count Was Not Brought appointments and decide on escalation',
  'safeguarding.raiseConcern': 'Raise a safeguarding concern',
  'safeguarding.recordAlert': 'Record a child-protection alert',
  'safeguarding.openEscalation': 'Open a safeguarding escalation',
  'safeguarding.escalateOverdue': 'Escalate an overdue safeguarding decision',
  'safeguarding.recordDecision': 'Record the safeguarding decision',
  'humanTask.escalate': 'Escalate a user task to a lead',
};

/** Catalogue groups by the type's prefix, as the template chooser lists them. */
export const ACTIVITY_CATEGORIES: Record<string, string> = {
  child: 'Child record',
  pds: 'National services',
  notify: 'Email and reminders',
  transfer: 'Transfers between localities',
  immunisation: 'Immunisations',
  screening: 'Newborn screening',
  safeguarding: 'Safeguarding',
  humanTask: 'User tasks',
};
