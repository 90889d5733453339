/**
 * The rule data holds together: every product, source, series and switch a rule names exists;
 * one child never has two rules with the same code; the documented table is current.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PRODUCTS,
  SOURCES,
  UK_ROUTINE,
  addDays,
  evaluateSchedule,
  productByCode,
  productBySnomed,
} from '../../schedule';
import { rulesTableMarkdown } from '../../schedule/rules-table';

test('every product, source, series and switch a rule names exists; rule ids are unique', () => {
  const problems: string[] = [];
  const series = new Set(UK_ROUTINE.rules.map((r) => r.series));
  const ids = new Set<string>();
  for (const r of UK_ROUTINE.rules) {
    if (ids.has(r.id)) problems.push(`${r.id}: id used twice`);
    ids.add(r.id);
    for (const p of [r.vaccine, ...r.accepts]) if (!productByCode(p)) problems.push(`${r.id}: no product ${p}`);
    if (!r.accepts.includes(r.vaccine)) problems.push(`${r.id}: does not accept its own vaccine ${r.vaccine}`);
    for (const s of r.sources) if (!(s in SOURCES)) problems.push(`${r.id}: no source ${s}`);
    if (r.after && !series.has(r.after.series)) problems.push(`${r.id}: no series ${r.after.series}`);
    if ('switch' in r.due && !UK_ROUTINE.switches.some((s) => s.id === (r.due as { switch: string }).switch))
      problems.push(`${r.id}: no switch`);
    if (r.sources.length === 0) problems.push(`${r.id}: no source`);
  }
  for (const p of PRODUCTS) for (const s of p.sources) if (!(s in SOURCES)) problems.push(`${p.code}: no source ${s}`);
  expect(problems).toEqual([]);
});

test('SNOMED CT codes are unique and map back to their product', () => {
  const codes = PRODUCTS.flatMap((p) => p.snomed.map((s) => s.code));
  expect(new Set(codes).size).toBe(codes.length);
  expect(productBySnomed('38598009')?.product.code).toBe('mmr');
  expect(productBySnomed('433733003')).toMatchObject({ product: { code: 'mmrv' }, snomed: { dose: 2 } });
  expect(productBySnomed('33493111000001108')?.product.code).toBe('hpv');
});

test('no child, whatever the birth date (2004–2027) or sex, has two doses with the same code', () => {
  // Every cohort boundary the rules draw (± 2 days), and every 5th day between.
  const dates = new Set<string>();
  for (let dob = '2004-09-01'; dob <= '2027-12-31'; dob = addDays(dob, 5)) dates.add(dob);
  for (const r of UK_ROUTINE.rules) {
    for (const edge of [r.born?.from, r.born?.to, r.offered?.from, r.offered?.to]) {
      if (edge) for (let d = -2; d <= 2; d++) dates.add(addDays(edge, d));
    }
  }
  const clashes: string[] = [];
  for (const dob of dates) {
    for (const sex of ['female', 'male'] as const) {
      const s = evaluateSchedule({ dateOfBirth: dob, sex }, [], { asOf: '2045-01-01', graceDays: 28 });
      const codes = s.doses.map((d) => d.code);
      if (new Set(codes).size !== codes.length) clashes.push(`${dob} ${sex}: ${codes.join(',')}`);
    }
  }
  expect(clashes).toEqual([]);
});

test('docs/immunisation-schedule.md is the table written from the data (npm run docs:schedule)', () => {
  // The generator writes Prettier-stable Markdown (npm run lint checks the file's formatting).
  const path = join(__dirname, '..', '..', 'docs', 'immunisation-schedule.md');
  expect(readFileSync(path, 'utf8')).toBe(rulesTableMarkdown(UK_ROUTINE));
});
