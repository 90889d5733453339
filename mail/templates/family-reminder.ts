/**
 * Family: a reminder to the child's parent or carer (email; the same text goes into SMS and
 * letter outbox rows). Names the child by initials only, like every message we send.
 */
import { z } from 'zod';
import { html, layout } from './html';
import { FAMILY_REMINDERS } from './names';
import { childIdentity, defineTemplate, dotted, isoDate, longDate } from './types';

const reminderModel = z.strictObject({
  initials: childIdentity.initials,
  reminder: z.enum(FAMILY_REMINDERS),
  /** What the reminder is about, e.g. "6-in-1, MenB and rotavirus (8 weeks)". */
  about: z.string().min(1).max(200).optional(),
  dueOn: isoDate.optional(),
  /** The practice or clinic to contact. */
  contact: z.string().min(1).max(200).optional(),
});
type ReminderModel = z.infer<typeof reminderModel>;

/** The short text of a reminder, also used for SMS. */
export function reminderText(m: ReminderModel): string {
  const what = m.about ? ` (${m.about})` : '';
  const date = m.dueOn ? longDate(m.dueOn) : undefined;
  const child = `Your child ${dotted(m.initials)}`;
  const line =
    m.reminder === 'immunisation-due'
      ? `${child} is due immunisations${what}${date ? ` on ${date}` : ''}.`
      : m.reminder === 'immunisation-overdue'
        ? `${child} has missed immunisations${what}${date ? ` that were due on ${date}` : ''}.`
        : `${child} has an appointment${what}${date ? ` on ${date}` : ''}.`;
  return `${line} Please contact ${m.contact ?? 'your GP practice'} to book or change a time.`;
}

export const familyReminder = defineTemplate({
  name: 'family-reminder',
  audience: 'family',
  description: "A reminder to the child's parent or carer, by their preferred contact method.",
  model: reminderModel,
  render(m) {
    const title = m.reminder === 'appointment' ? 'Appointment reminder' : 'Immunisation reminder';
    const line = reminderText(m);
    const text = ['Dear parent or carer,', '', line, '', '-- West Midlands Child Health Information Service'].join(
      '\n',
    );
    const body = html`<p>Dear parent or carer,</p>
      <p>${line}</p>`;
    return { subject: `NHS: ${title.toLowerCase()} for your child`, text, html: layout(title, body) };
  },
});
