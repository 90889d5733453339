/**
 * The documented table of the rules (docs/immunisation-schedule.md), written from the data so
 * the document cannot drift from what the evaluator reads. `npm run docs:schedule` rewrites
 * it; a test checks the committed file is current.
 */
import { ageText, type Age } from './ages';
import { PRODUCTS } from './products';
import type { DoseRule, RuleSet } from './rules';
import { SOURCES, type SourceId } from './sources';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function dueText(r: DoseRule, ruleSet: RuleSet): string {
  const d = r.due;
  let text: string;
  if ('age' in d) text = ageText(d.age);
  else if ('schoolYear' in d) text = `start of school year ${d.schoolYear}`;
  else if ('afterPrevious' in d) text = `${ageText(d.afterPrevious)} after dose ${r.dose - 1}`;
  else {
    const sw = ruleSet.switches.find((s) => s.id === d.switch)!;
    text = `${ageText(d.before)} (appointments before ${sw.from}); ${ageText(d.after)} (from ${sw.from})`;
  }
  if (r.dueBy) text += `; overdue after the end of school year ${r.dueBy.schoolYearEnd}`;
  return text;
}

function cohortText(r: DoseRule): string {
  const parts: string[] = [];
  if (r.born?.from && r.born?.to) parts.push(`born ${r.born.from} – ${r.born.to}`);
  else if (r.born?.from) parts.push(`born on or after ${r.born.from}`);
  else if (r.born?.to) parts.push(`born on or before ${r.born.to}`);
  else parts.push('all');
  if (r.sex) parts.push(r.sex.join('/'));
  return parts.join(', ');
}

function offeredText(r: DoseRule): string {
  const o = r.offered;
  if (!o) return '';
  if (o.from && o.to) return `${o.from} – ${o.to}`;
  return o.from ? `from ${o.from}` : `until ${o.to}`;
}

function limitsText(r: DoseRule): string {
  const parts: string[] = [];
  const age = (a: Age) => ageText(a);
  if (r.minAge) parts.push(`from ${age(r.minAge)}`);
  if (r.maxAge) parts.push(`before ${age(r.maxAge)}`);
  if (r.minInterval) parts.push(`≥ ${age(r.minInterval)} after dose ${r.dose - 1}`);
  if (r.after) parts.push(`≥ ${age(r.after.interval)} after the last ${r.after.series} dose`);
  if (r.requiresPrevious) parts.push(`only after dose ${r.dose - 1}`);
  return parts.join('; ');
}

const sourceLinks = (ids: readonly SourceId[]) => ids.map((id) => `[${id}](#${id})`).join(', ');

export function rulesTableMarkdown(ruleSet: RuleSet): string {
  const lines: string[] = [];
  lines.push(`# The immunisation schedule's rules (${ruleSet.name}, version ${ruleSet.version})`);
  lines.push('');
  lines.push(
    '<!-- Written by `npm run docs:schedule` from schedule/rule-sets/; edit the data, not this file (a test checks it is current). -->',
  );
  lines.push('');
  lines.push(
    "Every routine dose a child in the region may have been offered since 2004, by birth cohort and by appointment date, as the evaluator (`schedule/evaluate.ts`) reads them. The overdue sweep, the arrival gap check, the follow-up process and the record's due/overdue view all call that one evaluator.",
  );
  lines.push('');
  lines.push('How the rules are read:');
  lines.push('');
  lines.push(
    "- A child's immunisations fill the doses of each series in date order; one immunisation fills at most one dose per series, and may fill doses of several series (an MMRV counts for MMR and MMRV doses; a 6-in-1 given after the first birthday counts for the Hib booster).",
  );
  lines.push(
    '- An immunisation counts for a dose only if its product is one the dose accepts, the child was old enough (minimum age), not too old (upper age limit, exclusive), and the minimum interval after the previous dose has passed.',
  );
  lines.push(
    "- Due date: the age (or school year) below from the date of birth, never before the first day the dose was offered. Ages add like PostgreSQL intervals (months clamp to the month end). Overdue: the end of the due window plus the locality's grace period (`localities.overdue_grace_days`, default 28 days; there is no national definition of overdue).",
  );
  lines.push(
    '- A dose whose offer window (appointment dates) misses the child\'s eligible ages is not part of that child\'s schedule; one not given by its upper age limit or by the end of its programme is "no longer offered".',
  );
  lines.push(
    '- No reliable history: a child with no immunisation on record although doses were due is treated as unimmunised: every due dose is a gap, the course is resumed (never restarted) with visits 4 weeks apart (`schedule/catch-up.ts`).',
  );
  lines.push('');
  lines.push('## Timing changes decided by appointment date');
  lines.push('');
  for (const sw of ruleSet.switches) {
    lines.push(`- **${sw.id}** (from ${sw.from}): ${sw.description} Sources: ${sourceLinks(sw.sources)}.`);
  }
  lines.push('');
  lines.push('## Doses');
  lines.push('');
  lines.push('| code | dose | cohort | offered (appointment dates) | due | counts | accepts | followed up | sources |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of ruleSet.rules) {
    lines.push(
      `| \`${r.code}\` | ${cell(r.label)}${r.note ? ` — ${cell(r.note)}` : ''} | ${cohortText(r)} | ${offeredText(r)} | ${cell(dueText(r, ruleSet))} | ${cell(limitsText(r))} | ${r.accepts.map((a) => `\`${a}\``).join(', ')} | ${r.followUp ? 'yes' : 'no'} | ${sourceLinks(r.sources)} |`,
    );
  }
  lines.push('');
  lines.push('## Products accepted on inbound immunisation events');
  lines.push('');
  lines.push(
    '`POST /api/events/immunisations` takes `vaccine` (a code below) or `snomedCode` (a SNOMED CT code below), or both when they agree. Selective and seasonal products are recorded but fill no routine dose.',
  );
  lines.push('');
  lines.push('| code | product | brands | programme | SNOMED CT codes | sources |');
  lines.push('|---|---|---|---|---|---|');
  for (const p of PRODUCTS) {
    const snomed = p.snomed
      .map((s) => `${s.code} (${s.kind}${s.dose ? `, dose ${s.dose}` : ''}: ${cell(s.description)})`)
      .join('; ');
    lines.push(
      `| \`${p.code}\` | ${cell(p.name)} | ${p.brands.join(', ')} | ${p.programme} | ${snomed || '—'} | ${sourceLinks(p.sources)} |`,
    );
  }
  lines.push('');
  lines.push('## Sources');
  lines.push('');
  for (const [id, s] of Object.entries(SOURCES)) {
    lines.push(`- <a id="${id}"></a>**${id}**: ${s.title}. ${s.publisher}. <${s.url}>`);
  }
  lines.push('');
  return lines.join('\n');
}
