import { renderTemplate, TemplateModelError, MAIL_TEMPLATES, GP_PRACTICE_TEMPLATES } from '../../mail/templates';
import { initialsOf } from '../../mail/outbox';

const identity = { nhsNumber: '9434765919', initials: 'AF', practiceName: 'Larkspur Surgery', practiceCode: 'M85001' };
const MODELS: Record<string, unknown> = {
  'gp-new-birth': { ...identity, locality: 'Coventry' },
  'gp-mover-in': {
    ...identity,
    fromLocality: 'Dudley',
    toLocality: 'Coventry',
    reason: 'address-change',
    effectiveOn: '2026-03-04',
  },
  'gp-mover-out': { ...identity, fromLocality: 'Coventry', toLocality: null, reason: 'outbound-transfer' },
  'gp-immunisation-overdue': {
    ...identity,
    doses: [
      { vaccine: '6-in-1', dose: 1, dueOn: '2026-03-02' },
      { vaccine: 'MenB', dose: 1, dueOn: '2026-03-02' },
    ],
    remindersSent: 3,
  },
  'gp-nipe-due': { ...identity, dueFrom: '2026-03-16', dueBefore: '2026-03-31' },
  'family-reminder': {
    initials: 'AF',
    reminder: 'immunisation-overdue',
    about: '6-in-1 and MenB (8 weeks)',
    dueOn: '2026-03-02',
  },
};

describe('mail templates', () => {
  test.each(Object.keys(MAIL_TEMPLATES))('%s renders a subject, a plain-text part and an HTML part', (name) => {
    const mail = renderTemplate(name, MODELS[name]);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.text).toContain('A.F.');
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.html).toContain('A.F.');
    if (name.startsWith('gp-')) {
      expect(mail.text).toContain('NHS number: 943 476 5919');
      expect(mail.html).toMatch(/<th align="left">NHS number<\/th>\s*<td>943 476 5919<\/td>/);
      // Identifiers stay out of the subject line.
      expect(mail.subject).not.toMatch(/943|A\.F\./);
    }
  });

  test('the NIPE email gives the 6–8 week window with its dates written out', () => {
    const mail = renderTemplate('gp-nipe-due', MODELS['gp-nipe-due']);
    expect(mail.text).toContain('Due: from 16 March 2026 and before 31 March 2026');
    expect(() => renderTemplate('gp-nipe-due', { ...identity, dueFrom: 'soon', dueBefore: '2026-03-31' })).toThrow(
      /dueFrom/,
    );
  });

  test('every GP practice template is registered', () => {
    for (const name of GP_PRACTICE_TEMPLATES) expect(MAIL_TEMPLATES[name].audience).toBe('gp-practice');
  });

  test('the overdue email lists each dose with its due date written out', () => {
    const mail = renderTemplate('gp-immunisation-overdue', MODELS['gp-immunisation-overdue']);
    expect(mail.text).toContain('- 6-in-1 dose 1, due 2 March 2026');
    expect(mail.text).toContain('- MenB dose 1, due 2 March 2026');
    expect(mail.text).toContain('sent 3 reminders');
  });

  test('a model carrying a full name, an address or a date of birth is refused (strict models)', () => {
    for (const extra of [
      { givenName: 'Amelia' },
      { familyName: 'Featherstonehaugh' },
      { address: '17 Larkspur Crescent' },
      { postcode: 'CV1 2AB' },
      { dateOfBirth: '2026-01-05' },
    ]) {
      expect(() => renderTemplate('gp-new-birth', { ...(MODELS['gp-new-birth'] as object), ...extra })).toThrow(
        new RegExp(`unrecognized key.*${Object.keys(extra)[0]}|${Object.keys(extra)[0]}`, 'i'),
      );
    }
  });

  test('initials must be initials: a name in their place is refused', () => {
    expect(() => renderTemplate('gp-new-birth', { ...identity, initials: 'Amelia', locality: 'Coventry' })).toThrow(
      TemplateModelError,
    );
    expect(() => renderTemplate('gp-new-birth', { ...identity, initials: 'A F', locality: 'Coventry' })).toThrow(
      /initials/,
    );
  });

  test('bad input names the template and the field', () => {
    expect(() =>
      renderTemplate('gp-new-birth', { ...identity, nhsNumber: '9434765918', locality: 'Coventry' }),
    ).toThrow('mail template "gp-new-birth": nhsNumber: expected a valid 10-digit NHS number');
    expect(() => renderTemplate('gp-immunisation-overdue', { ...identity, doses: [] })).toThrow(
      /doses: expected at least one overdue dose/,
    );
    expect(() => renderTemplate('gp-nonsense', {})).toThrow(/unknown mail template "gp-nonsense"/);
  });

  test('HTML parts escape every value', () => {
    const mail = renderTemplate('gp-new-birth', {
      ...identity,
      practiceName: 'Smith & <b>Jones</b> "Surgery"',
      locality: "Stoke <script>alert('x')</script>",
    });
    expect(mail.html).toContain('Smith &amp; &lt;b&gt;Jones&lt;/b&gt; &quot;Surgery&quot;');
    expect(mail.html).toContain('Stoke &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>Jones');
  });

  test('initials come from the first given name and the family name', () => {
    expect(initialsOf('Amelia Rose', "O'Brien-Smith")).toBe('AO');
    expect(initialsOf('émile', 'zola')).toBe('ÉZ');
    expect(initialsOf('Łucja', 'Nowak')).toBe('ŁN');
    expect(initialsOf('-', '')).toBe('X');
  });
});
