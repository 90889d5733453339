/** Refusals: every problem at once, by element id; bad XML refused cleanly; warnings do not block. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileDefinition, DEFAULT_MAX_BPMN_BYTES, formatProblem, type Problem } from '../../bpmn';
import { CONTEXT, readFixture } from './support/fixtures';

async function refused(xml: string, context = CONTEXT): Promise<Problem[]> {
  const result = await compileDefinition(xml, context);
  if (result.ok) throw new Error('expected the diagram to be refused');
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) expect(p.message.length).toBeGreaterThan(10);
  return result.problems;
}

const pairs = (problems: Problem[]) => problems.map((p) => `${p.elementId ?? '-'} ${p.rule}`);

test('lists every problem of a diagram at once, from our rules and bpmnlint recommended', async () => {
  const problems = await refused(readFixture('compile', 'many-problems.bpmn'));
  expect(pairs(problems)).toEqual(
    expect.arrayContaining([
      'Task_Unknown chis/known-activity-type',
      'Gw_1 chis/gateway-default-flow',
      'Flow_Bad chis/feel-syntax',
      'User_1 chis/known-candidate-group',
      'Catch_BadTimer chis/iso8601-values',
      'Join_Bad chis/parallel-join-can-fire',
      'Task_Island chis/reachable-from-start',
      'Start_1 no-bpmndi',
      'Task_Island no-disconnected',
    ]),
  );
  // Only what Camunda 8 would also refuse is an error: bad FEEL and a bad timer value here.
  const severity = (p: Problem) => `${p.elementId ?? '-'} ${p.rule} ${p.severity}`;
  expect(problems.map(severity)).toEqual(
    expect.arrayContaining([
      'Flow_Bad chis/feel-syntax error',
      'Catch_BadTimer chis/iso8601-values error',
      'Task_Unknown chis/known-activity-type warning',
      'Gw_1 chis/gateway-default-flow warning',
      'User_1 chis/known-candidate-group warning',
      'Join_Bad chis/parallel-join-can-fire warning',
      'Task_Island chis/reachable-from-start warning',
      'Start_1 no-bpmndi warning',
      'Task_Island no-disconnected warning',
    ]),
  );
  expect(problems.filter((p) => p.severity === 'error').map((p) => p.elementId)).toEqual([
    'Catch_BadTimer',
    'Flow_Bad',
  ]);
  // errors come first, so a caller showing the top of the list shows what blocks
  const firstWarning = problems.findIndex((p) => p.severity === 'warning');
  if (firstWarning >= 0) expect(problems.slice(firstWarning).every((p) => p.severity === 'warning')).toBe(true);
  expect(formatProblem(problems[0])).toMatch(/^error \S+: .+ \[.+\]$/);
});

test('the sample definition in definitions/ compiles', async () => {
  const xml = readFileSync(join(__dirname, '..', '..', 'definitions', 'example-hello.bpmn'), 'utf8');
  const result = await compileDefinition(xml, CONTEXT);
  expect(result.ok && result.warnings).toEqual([]);
  expect(result.ok && result.graph.nodes.Script_Greet).toMatchObject({
    kind: 'scriptTask',
    resultVariable: 'greeting',
  });
});

test('the checksum is sha256 of the XML with line endings normalised', async () => {
  const xml = readFixture('compile', 'camunda-modeler.bpmn');
  const lf = await compileDefinition(xml, CONTEXT);
  const crlf = await compileDefinition(xml.replace(/\n/g, '\r\n'), CONTEXT);
  const changed = await compileDefinition(xml.replace('Create or match record', 'Create or match the record'), CONTEXT);
  if (!lf.ok || !crlf.ok || !changed.ok) throw new Error('fixture should compile');
  expect(lf.checksum).toBe(createHash('sha256').update(xml).digest('hex'));
  expect(crlf.checksum).toBe(lf.checksum);
  expect(changed.checksum).not.toBe(lf.checksum);
});

test('warnings do not block a deployment; the compile context decides what is known', async () => {
  const xml = readFixture('compile', 'camunda-modeler.bpmn');
  const unassigned = await compileDefinition(
    xml.replace('<zeebe:assignmentDefinition candidateGroups="health-visitors, birmingham-hv" />', ''),
    CONTEXT,
  );
  expect(unassigned.ok).toBe(true);
  expect(unassigned.ok && pairs(unassigned.warnings)).toEqual(['Task_Visit chis/user-task-assignment']);

  // An unknown candidate group or job type is deployed with a warning, as Camunda 8 deploys it.
  const unknownGroup = await compileDefinition(xml, { ...CONTEXT, candidateGroups: new Set(['health-visitors']) });
  expect(unknownGroup.ok && pairs(unknownGroup.warnings)).toEqual(['Task_Visit chis/known-candidate-group']);
  const noCatalogue = await compileDefinition(xml, { ...CONTEXT, activityTypes: new Set(['child.deriveLocality']) });
  expect(noCatalogue.ok && pairs(noCatalogue.warnings)).toEqual(
    expect.arrayContaining(['Task_CreateRecord chis/known-activity-type', 'End_OutOfRegion chis/known-activity-type']),
  );
  // ... and such a type runs as an external job, a catalogue type as a built-in activity.
  expect(noCatalogue.ok && noCatalogue.graph.nodes.Task_CreateRecord).toMatchObject({
    activity: { activityType: 'child.createOrMatchRecord', external: true },
  });
  expect(unknownGroup.ok && unknownGroup.graph.nodes.Task_CreateRecord).not.toHaveProperty('activity.external');
});

describe('oversized and malformed XML', () => {
  const hello = readFileSync(join(__dirname, '..', '..', 'definitions', 'example-hello.bpmn'), 'utf8');

  test('refuses a diagram over the size limit without parsing it', async () => {
    const problems = await refused(hello, { ...CONTEXT, maxBytes: 1000 });
    expect(problems).toEqual([
      { rule: 'xml', severity: 'error', message: expect.stringMatching(/is \d+ bytes, more than the 1000 allowed/) },
    ]);
    const huge = hello.replace(
      '</bpmn:definitions>',
      `<!-- ${'x'.repeat(DEFAULT_MAX_BPMN_BYTES)} --></bpmn:definitions>`,
    );
    expect((await refused(huge))[0].message).toContain(`more than the ${DEFAULT_MAX_BPMN_BYTES} allowed`);
  });

  test.each([
    ['empty', '', /empty/],
    ['not XML', 'hello world', /cannot be read as BPMN/],
    ['truncated', hello.slice(0, hello.length / 2), /cannot be read as BPMN/],
    ['not BPMN', '<?xml version="1.0"?><html><body/></html>', /cannot be read as BPMN|not a BPMN 2.0/],
    [
      'DOCTYPE (entity expansion)',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>',
      /DOCTYPE/,
    ],
    [
      'dangling reference',
      hello.replace('targetRef="End_Hello"', 'targetRef="Nowhere"'),
      /unresolved reference <Nowhere>/,
    ],
    [
      'unknown BPMN element',
      hello.replace('<bpmn:endEvent id="End_Hello"', '<bpmn:notAThing id="X" /><bpmn:endEvent id="End_Hello"'),
      /unparsable content/,
    ],
  ])('refuses %s', async (_name, xml, pattern) => {
    const problems = await refused(xml);
    expect(problems.every((p) => p.rule === 'xml' && p.severity === 'error')).toBe(true);
    expect(problems.map((p) => p.message).join('\n')).toMatch(pattern);
  });

  test('refuses input that is not text at all', async () => {
    await refused(42 as unknown as string);
    await refused(undefined as unknown as string);
  });

  test('needs an executable process', async () => {
    const none = hello.replace('isExecutable="true"', 'isExecutable="false"');
    const other = none.replace(
      '</bpmn:definitions>',
      '<bpmn:process id="other" isExecutable="false" /></bpmn:definitions>',
    );
    const problems = await refused(other);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'compile', message: expect.stringContaining('no executable process') }),
      ]),
    );
  });

  test('compiles every executable process of a file; a pool that is not executable only warns', async () => {
    const second = `<bpmn:process id="second" isExecutable="true"><bpmn:startEvent id="S2" name="Go" /><bpmn:endEvent id="E2" name="Done" /><bpmn:sequenceFlow id="F2" sourceRef="S2" targetRef="E2" /></bpmn:process><bpmn:process id="notes" isExecutable="false"><bpmn:task id="T3" name="Only drawn" /></bpmn:process></bpmn:definitions>`;
    const result = await compileDefinition(hello.replace('</bpmn:definitions>', second), CONTEXT);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.processes.map((p) => p.processId)).toEqual(['example-hello', 'second']);
    expect(result.warnings.filter((w) => w.elementId === 'notes').map((w) => w.rule)).toContain('start-event-required');
  });
});
