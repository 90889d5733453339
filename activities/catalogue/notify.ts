/** Catalogue entries: Email to GP practices and reminders to families. */
import { z } from 'zod';
import { define, odsCode, MESSAGING } from './shared';

export const NOTIFY_ACTIVITIES = {
  'notify.emailGpPractice': define({
    description: "Email the child's GP practice (birth, mover, overdue immunisations).",
    input: z.object({ gpPracticeCode: odsCode, template: z.string(), childId: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
    output: z.object({ messageId: z.string() }),
    retry: MESSAGING,
    startToCloseTimeout: '1m',
  }),
  'notify.remindFamily': define({
    description: "Remind the family (immunisation due/overdue, appointment) by their preferred contact method.",
    input: z.object({ childId: z.string(), reminder: z.string(), preferredContact: z.enum(['email', 'sms', 'letter']).optional() }),
    output: z.object({ sentVia: z.enum(['email', 'sms', 'letter']) }),
    retry: MESSAGING,
    startToCloseTimeout: '1m',
  }),
};
