/**
 * Catalogue entries: email to GP practices and reminders to families. Both write an outbox
 * row (idempotent per business step, incident retries included) with its audit event and
 * return; the outbox relay delivers it (mail/outbox-relay.ts). A mail server outage never
 * holds up or fails a process.
 */
import { z } from 'zod';
import { FAMILY_REMINDERS, GP_PRACTICE_TEMPLATE_NAMES } from '../../mail/templates/names';
import { define, isoDate, odsCode, MESSAGING } from './shared';

const recordId = z.string().regex(/^\d+$/, 'a child record id is digits');

export const NOTIFY_ACTIVITIES = {
  'notify.emailGpPractice': define({
    description:
      'Email a GP practice about a child (new birth, mover in/out, overdue immunisations, NIPE examination due), naming the child by NHS number and initials only. ' +
      "gpPracticeCode defaults to the child's registered practice; details are the template's own fields " +
      '(gp-new-birth: locality; gp-mover-in/out: fromLocality, toLocality (null = outside the region), reason, effectiveOn?; ' +
      'gp-immunisation-overdue: doses [{vaccine, dose, dueOn}], remindersSent?; gp-nipe-due: dueFrom, dueBefore). ' +
      'The email is written to the outbox and delivered by the outbox relay; the step never waits for the mail server.',
    input: z.object({
      template: z.enum(GP_PRACTICE_TEMPLATE_NAMES),
      childId: recordId,
      gpPracticeCode: odsCode.optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
    output: z.object({
      notificationId: z.string(),
      messageId: z.string(),
      recipient: z.string(),
    }),
    retry: MESSAGING,
    startToCloseTimeout: '2m',
  }),
  'notify.remindFamily': define({
    description:
      "Remind the child's family (immunisation due/overdue, appointment) by the primary contact's preferred method: email through the outbox; " +
      'SMS and letter are recorded in the outbox and handed to a logging stand-in (no gateway integrated yet); a phone preference gets an SMS. ' +
      'No contact details → NoContactDetailsError (not retried). A child whose record is not active (deceased, moved out) gets nothing: ' +
      'the withholding is audited and the BPMN error CHILD_INACTIVE is raised for the process to close its follow-up. ' +
      'Like every message it goes through the outbox: the step never waits for delivery.',
    input: z.object({
      childId: recordId,
      reminder: z.enum(FAMILY_REMINDERS),
      about: z.string().min(1).max(200).optional(),
      dueOn: isoDate.optional(),
      /** Overrides the contact's preference (the contact must have the details for it). */
      preferredContact: z.enum(['email', 'sms', 'letter']).optional(),
    }),
    output: z.object({
      sentVia: z.enum(['email', 'sms', 'letter']),
      notificationId: z.string(),
    }),
    retry: MESSAGING,
    startToCloseTimeout: '2m',
  }),
};
