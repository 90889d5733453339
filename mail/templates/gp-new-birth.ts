/** GP practice: a birth has been registered for a child registered with the practice. */
import { z } from 'zod';
import { formatNhsNumber } from '../../core/nhs-number';
import { factsTable, html, layout } from './html';
import { defineTemplate, dotted, gpPracticeFields } from './types';

export const gpNewBirth = defineTemplate({
  name: 'gp-new-birth',
  audience: 'gp-practice',
  description: 'A new birth has been registered with the CHIS for a child registered with the practice.',
  model: z.strictObject({
    ...gpPracticeFields,
    /** Name of the responsible CHIS locality (e.g. "Coventry"). */
    locality: z.string().min(1).max(100),
  }),
  render(m) {
    const nhs = formatNhsNumber(m.nhsNumber);
    const title = 'New birth registered';
    const text = [
      `To: ${m.practiceName} (${m.practiceCode})`,
      '',
      'The Child Health Information Service has registered a new birth for a child registered with your practice.',
      '',
      `NHS number: ${nhs}`,
      `Initials: ${dotted(m.initials)}`,
      `Responsible CHIS locality: ${m.locality}`,
      '',
      'The immunisation schedule has been started. Please look the child up by NHS number in your clinical system.',
      '',
      '-- West Midlands Child Health Information Service (CHIS Flow)',
    ].join('\n');
    const body = html`<p>To: ${m.practiceName} (${m.practiceCode})</p>
      <p>The Child Health Information Service has registered a new birth for a child registered with your practice.</p>
      ${factsTable([
        ['NHS number', nhs],
        ['Initials', dotted(m.initials)],
        ['Responsible CHIS locality', m.locality],
      ])}
      <p>
        The immunisation schedule has been started. Please look the child up by NHS number in your clinical system.
      </p>`;
    return { subject: 'CHIS: new birth registered at your practice', text, html: layout(title, body) };
  },
});
