/** GP practice: one or more routine immunisations of a registered child are overdue. */
import { z } from 'zod';
import { formatNhsNumber } from '../../core/nhs-number';
import { factsTable, html, layout } from './html';
import { defineTemplate, dotted, gpPracticeFields, isoDate, longDate } from './types';

export const gpImmunisationOverdue = defineTemplate({
  name: 'gp-immunisation-overdue',
  audience: 'gp-practice',
  description: 'Routine immunisations of a child registered with the practice are overdue.',
  model: z.strictObject({
    ...gpPracticeFields,
    doses: z
      .array(z.strictObject({ vaccine: z.string().min(1).max(100), dose: z.number().int().positive(), dueOn: isoDate }))
      .min(1, 'expected at least one overdue dose'),
    /** Reminders already sent to the family. */
    remindersSent: z.number().int().min(0).optional(),
  }),
  render(m) {
    const nhs = formatNhsNumber(m.nhsNumber);
    const title = 'Immunisations overdue';
    const doseLine = (d: (typeof m.doses)[number]) => `${d.vaccine} dose ${d.dose}, due ${longDate(d.dueOn)}`;
    const reminders =
      m.remindersSent === undefined
        ? ''
        : `The family has been sent ${m.remindersSent} reminder${m.remindersSent === 1 ? '' : 's'}. `;
    const text = [
      `To: ${m.practiceName} (${m.practiceCode})`,
      '',
      'The following routine immunisations of a child registered with your practice are overdue:',
      '',
      ...m.doses.map((d) => `- ${doseLine(d)}`),
      '',
      `NHS number: ${nhs}`,
      `Initials: ${dotted(m.initials)}`,
      '',
      `${reminders}Please invite the child for immunisation, or tell the CHIS if the doses were given elsewhere.`,
      '',
      '-- West Midlands Child Health Information Service (CHIS Flow)',
    ].join('\n');
    const body = html`<p>To: ${m.practiceName} (${m.practiceCode})</p>
      <p>The following routine immunisations of a child registered with your practice are overdue:</p>
      <ul>
        ${m.doses.map((d) => html`<li>${doseLine(d)}</li>`)}
      </ul>
      ${factsTable([
        ['NHS number', nhs],
        ['Initials', dotted(m.initials)],
      ])}
      <p>${reminders}Please invite the child for immunisation, or tell the CHIS if the doses were given elsewhere.</p>`;
    return { subject: 'CHIS: immunisations overdue for a child at your practice', text, html: layout(title, body) };
  },
});
