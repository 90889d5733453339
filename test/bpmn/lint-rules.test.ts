import { readdirSync } from 'node:fs';
import { LOCAL_RULES, lintDefinitions, parseBpmnXml } from '../../bpmn';
import { CONTEXT, expectedIds, FIXTURES, fixtureFiles, readFixture } from './support/fixtures';

async function runRule(ruleName: string, xml: string) {
  const parsed = await parseBpmnXml(xml);
  if (!parsed.ok) throw new Error(`fixture does not parse: ${JSON.stringify(parsed.problems)}`);
  return lintDefinitions(parsed.definitions, CONTEXT, { only: [`chis/${ruleName}`] });
}

test('every local rule has a fixture folder with valid and invalid diagrams', () => {
  const folders = readdirSync(FIXTURES)
    .filter((f) => f !== 'compile' && f !== 'xml')
    .sort();
  expect(folders).toEqual(LOCAL_RULES.map((r) => r.name).sort());
  for (const rule of LOCAL_RULES) {
    const files = fixtureFiles(rule.name);
    expect(files.some((f) => f.startsWith('valid'))).toBe(true);
    expect(files.some((f) => f.startsWith('invalid'))).toBe(true);
  }
});

describe.each(LOCAL_RULES.map((r) => [r.name, r] as const))('rule %s', (name, rule) => {
  const files = fixtureFiles(name);

  test.each(files.filter((f) => f.startsWith('valid')))('passes %s', async (file) => {
    const problems = await runRule(name, readFixture(name, file));
    expect(problems).toEqual([]);
  });

  test.each(files.filter((f) => f.startsWith('invalid')))('reports every bad element in %s', async (file) => {
    const xml = readFixture(name, file);
    const problems = await runRule(name, xml);
    const ids = [...new Set(problems.map((p) => p.elementId))].sort();
    expect(ids).toEqual(expectedIds(xml));
    for (const p of problems) {
      expect(p.rule).toBe(`chis/${name}`);
      expect(p.severity).toBe(rule.severity === 'warn' ? 'warning' : 'error');
      expect(p.message.length).toBeGreaterThan(20);
    }
  });
});
