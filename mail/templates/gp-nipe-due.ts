/** GP practice: the 6–8 week NIPE infant physical examination of a registered baby is due. */
import { z } from 'zod';
import { formatNhsNumber } from '../../core/nhs-number';
import { factsTable, html, layout } from './html';
import { defineTemplate, dotted, gpPracticeFields, isoDate, longDate } from './types';

export const gpNipeDue = defineTemplate({
  name: 'gp-nipe-due',
  audience: 'gp-practice',
  description:
    'The 6–8 week NIPE infant physical examination (done by the GP practice) is due for a baby registered with the practice.',
  model: z.strictObject({
    ...gpPracticeFields,
    /** First day of the window. */
    dueFrom: isoDate,
    /** First day after the window (the examination is due before it). */
    dueBefore: isoDate,
  }),
  render(m) {
    const nhs = formatNhsNumber(m.nhsNumber);
    const title = '6–8 week NIPE examination due';
    const window = `${longDate(m.dueFrom)} and before ${longDate(m.dueBefore)}`;
    const text = [
      `To: ${m.practiceName} (${m.practiceCode})`,
      '',
      'The newborn and infant physical examination (NIPE) at 6 to 8 weeks is due for a baby registered with your practice.',
      '',
      `NHS number: ${nhs}`,
      `Initials: ${dotted(m.initials)}`,
      `Due: from ${window}`,
      '',
      'Please record the outcome so that it reaches the Child Health Information Service. If it is not on record by then, the CHIS records team will follow it up with you.',
      '',
      '-- West Midlands Child Health Information Service (CHIS Flow)',
    ].join('\n');
    const body = html`<p>To: ${m.practiceName} (${m.practiceCode})</p>
      <p>
        The newborn and infant physical examination (NIPE) at 6 to 8 weeks is due for a baby registered with your
        practice.
      </p>
      ${factsTable([
        ['NHS number', nhs],
        ['Initials', dotted(m.initials)],
        ['Due', `from ${window}`],
      ])}
      <p>
        Please record the outcome so that it reaches the Child Health Information Service. If it is not on record by
        then, the CHIS records team will follow it up with you.
      </p>`;
    return { subject: 'CHIS: 6–8 week NIPE examination due', text, html: layout(title, body) };
  },
});
