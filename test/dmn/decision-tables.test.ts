/** DMN decision tables and literal expressions: compile problems, hit policies, Camunda's result shapes. */
import { compileDmn } from '../../dmn/compile';
import { evaluateDecision } from '../../dmn/evaluate';
import type { CompiledDrd } from '../../dmn/decision';

const NS = 'https://www.omg.org/spec/DMN/20191111/MODEL/';

function table(
  hitPolicy: string,
  rules: string[][],
  opts: { aggregation?: string; outputs?: string[]; values?: string } = {},
) {
  const outputs = opts.outputs ?? ['result'];
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${NS}" id="drd" name="Test" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="d" name="Decide">
    <decisionTable id="t" hitPolicy="${hitPolicy}"${opts.aggregation ? ` aggregation="${opts.aggregation}"` : ''}>
      <input id="in_age" label="Age"><inputExpression id="ie_age" typeRef="number"><text>age</text></inputExpression></input>
      <input id="in_season" label="Season"><inputExpression id="ie_s" typeRef="string"><text>season</text></inputExpression></input>
      ${outputs.map((o, i) => `<output id="out_${i}" name="${o}" typeRef="string">${i === 0 && opts.values ? `<outputValues><text>${opts.values}</text></outputValues>` : ''}</output>`).join('')}
      ${rules
        .map(
          (r, i) =>
            `<rule id="r${i + 1}">${r
              .slice(0, 2)
              .map((e, j) => `<inputEntry id="r${i + 1}_i${j}"><text>${e}</text></inputEntry>`)
              .join('')}${r
              .slice(2)
              .map((e, j) => `<outputEntry id="r${i + 1}_o${j}"><text>${e}</text></outputEntry>`)
              .join('')}</rule>`,
        )
        .join('\n      ')}
    </decisionTable>
  </decision>
</definitions>`;
}

async function drd(xml: string): Promise<CompiledDrd> {
  const out = await compileDmn(xml);
  if (!out.ok) throw new Error(out.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  return out.drd;
}

const RULES = [
  ['&lt; 18', '-', '"child"'],
  ['[18..65]', '"Winter","Autumn"', '"adult-cold"'],
  ['[18..65]', '-', '"adult"'],
  ['&gt; 65', 'not("Summer")', '"senior"'],
];

test('UNIQUE: one rule gives its output; none gives null; two are an error naming them', async () => {
  const d = await drd(table('UNIQUE', [RULES[0], RULES[3]]));
  expect(evaluateDecision(d, 'd', { age: 10, season: 'Summer' })).toMatchObject({ ok: true, output: 'child' });
  expect(evaluateDecision(d, 'd', { age: 40, season: 'Summer' })).toMatchObject({ ok: true, output: null });
  const both = await drd(table('UNIQUE', [RULES[1], RULES[2]]));
  const clash = evaluateDecision(both, 'd', { age: 40, season: 'Winter' });
  expect(clash).toMatchObject({ ok: false, decisionId: 'd' });
  expect(!clash.ok && clash.error).toMatch(/UNIQUE.*2 rules matched \(r1, r2\)/);
});

test('FIRST, ANY, PRIORITY', async () => {
  expect(evaluateDecision(await drd(table('FIRST', RULES)), 'd', { age: 40, season: 'Winter' })).toMatchObject({
    output: 'adult-cold',
    evaluated: [{ matchedRules: [{ ruleId: 'r2', ruleIndex: 2 }] }],
  });
  const any = await drd(table('ANY', [RULES[2], ['&gt;= 18', '-', '"adult"']]));
  expect(evaluateDecision(any, 'd', { age: 40, season: 'Spring' })).toMatchObject({ ok: true, output: 'adult' });
  const priority = await drd(table('PRIORITY', RULES, { values: '"senior","adult","adult-cold","child"' }));
  expect(evaluateDecision(priority, 'd', { age: 40, season: 'Winter' })).toMatchObject({ output: 'adult' });
});

test('multiple hits: lists in rule or output order; COLLECT aggregations', async () => {
  expect(evaluateDecision(await drd(table('RULE ORDER', RULES)), 'd', { age: 40, season: 'Winter' })).toMatchObject({
    output: ['adult-cold', 'adult'],
  });
  const byOutput = await drd(table('OUTPUT ORDER', RULES, { values: '"adult","adult-cold"' }));
  expect(evaluateDecision(byOutput, 'd', { age: 40, season: 'Winter' })).toMatchObject({
    output: ['adult', 'adult-cold'],
  });
  expect(evaluateDecision(await drd(table('COLLECT', RULES)), 'd', { age: 10, season: 'x' })).toMatchObject({
    output: ['child'],
  });
  expect(evaluateDecision(await drd(table('COLLECT', RULES)), 'd', { age: 100, season: 'Summer' })).toMatchObject({
    output: [],
  });
  const numbers = [
    ['-', '-', '10'],
    ['&gt; 18', '-', '5'],
    ['&gt; 60', '-', '1'],
  ];
  const agg = async (aggregation: string, age: number) =>
    evaluateDecision(await drd(table('COLLECT', numbers, { aggregation })), 'd', { age, season: '' });
  expect((await agg('SUM', 70)) as object).toMatchObject({ output: 16 });
  expect((await agg('MIN', 70)) as object).toMatchObject({ output: 1 });
  expect((await agg('MAX', 30)) as object).toMatchObject({ output: 10 });
  expect((await agg('COUNT', 30)) as object).toMatchObject({ output: 2 });
});

test('several outputs give a context; required decisions and literal expressions', async () => {
  const two = await drd(table('FIRST', [['-', '-', '"a"', '1']], { outputs: ['letter', 'number'] }));
  expect(evaluateDecision(two, 'd', { age: 1, season: '' })).toMatchObject({ output: { letter: 'a', number: 1 } });
  const chained = await drd(`<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="chain" name="Chain" namespace="x">
  <decision id="dish" name="Dish">
    <informationRequirement><requiredDecision href="#season" /></informationRequirement>
    <decisionTable id="t2">
      <input id="i"><inputExpression id="ie" typeRef="string"><text>season</text></inputExpression></input>
      <output id="o" name="dish" typeRef="string" />
      <rule id="w"><inputEntry id="we"><text>"Winter"</text></inputEntry><outputEntry id="wo"><text>"Stew"</text></outputEntry></rule>
      <rule id="s"><inputEntry id="se"><text>"Summer"</text></inputEntry><outputEntry id="so"><text>"Salad"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="season" name="Season"><variable id="v" name="season" /><literalExpression id="le"><text>if month &lt; 4 then "Winter" else "Summer"</text></literalExpression></decision>
</definitions>`);
  expect(evaluateDecision(chained, 'dish', { month: 7 })).toMatchObject({
    ok: true,
    output: 'Salad',
    evaluated: [
      { decisionId: 'season', output: 'Summer' },
      { decisionId: 'dish', output: 'Salad' },
    ],
  });
});

test('compile problems name the element; evaluation errors never throw', async () => {
  const bad = await compileDmn(
    table('UNIQUE', [
      ['&gt;', '-', '"x"'],
      ['-', '-', '1 +'],
    ]),
  );
  expect(bad.ok).toBe(false);
  expect(!bad.ok && bad.problems.map((p) => p.elementId)).toEqual(['r1', 'r2']);
  expect(await compileDmn('<not-dmn/>')).toMatchObject({ ok: false });
  expect(await compileDmn('')).toMatchObject({ ok: false, problems: [{ message: 'The DMN file is empty.' }] });
  const d = await drd(table('UNIQUE', [['-', '-', 'assert(1, false, "no")']]));
  expect(evaluateDecision(d, 'd', {})).toMatchObject({ ok: false, error: expect.stringContaining('no') });
  expect(evaluateDecision(d, 'missing', {})).toMatchObject({ ok: false, decisionId: 'missing' });
});
