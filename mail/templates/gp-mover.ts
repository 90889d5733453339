/** GP practice: a child has moved into, or out of, the practice's locality (or the region). */
import { z } from 'zod';
import { formatNhsNumber } from '../../core/nhs-number';
import { factsTable, html, layout } from './html';
import { defineTemplate, dotted, gpPracticeFields, isoDate, longDate } from './types';

const moverModel = z.strictObject({
  ...gpPracticeFields,
  /** Locality names; null means outside the West Midlands region. */
  fromLocality: z.string().min(1).max(100).nullable(),
  toLocality: z.string().min(1).max(100).nullable(),
  reason: z.enum(['address-change', 'gp-change', 'inbound-transfer', 'outbound-transfer']),
  effectiveOn: isoDate.optional(),
});
type MoverModel = z.infer<typeof moverModel>;

const REASONS: Record<MoverModel['reason'], string> = {
  'address-change': 'a change of address',
  'gp-change': 'a change of GP registration',
  'inbound-transfer': 'a record transferred in from another CHIS',
  'outbound-transfer': 'a record transferred out to another CHIS',
};

const place = (locality: string | null) =>
  locality === null ? 'outside the West Midlands region' : `${locality} locality`;

function renderMover(direction: 'in' | 'out', m: MoverModel) {
  const nhs = formatNhsNumber(m.nhsNumber);
  const title = direction === 'in' ? 'Child moved into your area' : 'Child moved out of your area';
  const summary =
    direction === 'in'
      ? `A child has moved into ${place(m.toLocality)} and is registered with, or now the responsibility of, your practice.`
      : `A child registered with your practice has moved out of ${place(m.fromLocality)} to ${place(m.toLocality)}.`;
  const lines: [string, string][] = [
    ['NHS number', nhs],
    ['Initials', dotted(m.initials)],
    ['Moved from', place(m.fromLocality)],
    ['Moved to', place(m.toLocality)],
    ['Because of', REASONS[m.reason]],
  ];
  if (m.effectiveOn) lines.push(['Effective', longDate(m.effectiveOn)]);
  const text = [
    `To: ${m.practiceName} (${m.practiceCode})`,
    '',
    summary,
    '',
    ...lines.map(([k, v]) => `${k}: ${v}`),
    '',
    'Please update your records. Look the child up by NHS number in your clinical system.',
    '',
    '-- West Midlands Child Health Information Service (CHIS Flow)',
  ].join('\n');
  const body = html`<p>To: ${m.practiceName} (${m.practiceCode})</p>
    <p>${summary}</p>
    ${factsTable(lines)}
    <p>Please update your records. Look the child up by NHS number in your clinical system.</p>`;
  const subject =
    direction === 'in' ? 'CHIS: a child has moved into your area' : 'CHIS: a child has moved out of your area';
  return { subject, text, html: layout(title, body) };
}

export const gpMoverIn = defineTemplate({
  name: 'gp-mover-in',
  audience: 'gp-practice',
  description: "A child moved into the practice's locality (or into the region), or registered with the practice.",
  model: moverModel,
  render: (m) => renderMover('in', m),
});

export const gpMoverOut = defineTemplate({
  name: 'gp-mover-out',
  audience: 'gp-practice',
  description: "A child registered with the practice moved out of the practice's locality (or out of the region).",
  model: moverModel,
  render: (m) => renderMover('out', m),
});
