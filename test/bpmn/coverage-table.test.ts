/**
 * The README's BPMN coverage table is true: every row names a BPMN element Camunda 8 supports,
 * and a small diagram using it (element id `X`) is compiled as a deployment compiles it. A
 * "supported" row compiles without errors; a "refused: not supported yet" row is refused with an
 * error naming `X` and saying "not supported yet". A row without a diagram here fails the test,
 * as does a diagram without a row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn/compile';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';
const ROOTS = `<bpmn:message id="M" name="m"><bpmn:extensionElements><zeebe:subscription correlationKey="=key" /></bpmn:extensionElements></bpmn:message>
  <bpmn:signal id="Sig" name="s" /><bpmn:error id="Err" errorCode="e" /><bpmn:escalation id="Esc" escalationCode="x" />`;

const diagram = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="P" isExecutable="true">${body}</bpmn:process>${ROOTS}</bpmn:definitions>`;

/** start → X → end. */
const between = (element: string) =>
  diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="X" />${element}<bpmn:sequenceFlow id="f2" sourceRef="X" targetRef="E" /><bpmn:endEvent id="E" />`,
  );
const asStart = (definition: string) =>
  diagram(
    `<bpmn:startEvent id="X">${definition}</bpmn:startEvent><bpmn:sequenceFlow id="f" sourceRef="X" targetRef="E" /><bpmn:endEvent id="E" />`,
  );
const asEnd = (definition: string) =>
  diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f" sourceRef="S" targetRef="X" /><bpmn:endEvent id="X">${definition}</bpmn:endEvent>`,
  );
const catching = (definition: string) =>
  between(`<bpmn:intermediateCatchEvent id="X">${definition}</bpmn:intermediateCatchEvent>`);
const throwing = (definition: string) =>
  between(`<bpmn:intermediateThrowEvent id="X">${definition}</bpmn:intermediateThrowEvent>`);
const JOB = '<bpmn:extensionElements><zeebe:taskDefinition type="any-job" /></bpmn:extensionElements>';
/** start → T → end, with boundary event X on T leading to its own end. */
const boundary = (definition: string, interrupting = true) =>
  diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T" /><bpmn:serviceTask id="T">${JOB}</bpmn:serviceTask><bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E" /><bpmn:endEvent id="E" />
     <bpmn:boundaryEvent id="X" attachedToRef="T" cancelActivity="${interrupting}">${definition}</bpmn:boundaryEvent><bpmn:sequenceFlow id="f3" sourceRef="X" targetRef="E2" /><bpmn:endEvent id="E2" />`,
  );
/** start → end, with an event sub-process whose start event is X. */
const eventSubProcess = (definition: string) =>
  diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="E" /><bpmn:endEvent id="E" />
     <bpmn:subProcess id="ESP" triggeredByEvent="true"><bpmn:startEvent id="X">${definition}</bpmn:startEvent><bpmn:sequenceFlow id="g" sourceRef="X" targetRef="EE" /><bpmn:endEvent id="EE" /></bpmn:subProcess>`,
  );

const MESSAGE = '<bpmn:messageEventDefinition id="md" messageRef="M" />';
const TIMER = (text: string, kind = 'timeDuration') =>
  `<bpmn:timerEventDefinition id="td"><bpmn:${kind}>${text}</bpmn:${kind}></bpmn:timerEventDefinition>`;
const SIGNAL = '<bpmn:signalEventDefinition id="sd" signalRef="Sig" />';
const ERROR = '<bpmn:errorEventDefinition id="ed" errorRef="Err" />';
const ESCALATION = '<bpmn:escalationEventDefinition id="xd" escalationRef="Esc" />';
const LINK = '<bpmn:linkEventDefinition id="ld" name="L" />';
const COMPENSATION = '<bpmn:compensateEventDefinition id="cd" />';
const multiInstance = (sequential: boolean) =>
  between(
    `<bpmn:serviceTask id="X"><bpmn:extensionElements><zeebe:taskDefinition type="any-job" /></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`,
  );

/** A diagram for each row of the table, by the row's element text. */
const DIAGRAMS: Record<string, string> = {
  'none start event': asStart(''),
  'message start event': asStart(MESSAGE),
  'timer start event (ISO 8601 date, duration or repeating interval)': asStart(TIMER('R/P1D', 'timeCycle')),
  'timer start event with a cron cycle': asStart(TIMER('0 0 9 * * ?', 'timeCycle')),
  'timer with a date-time and a zone id': catching(TIMER('2026-12-01T09:00:00@Europe/London', 'timeDate')),
  'timer cycle starting at a date-time with a zone id': asStart(
    TIMER('R/2026-12-24T09:00:00[Europe/London]/P1D', 'timeCycle'),
  ),
  'user task due and follow-up dates with a zone id': between(
    '<bpmn:userTask id="X"><bpmn:extensionElements><zeebe:userTask /><zeebe:taskSchedule dueDate="2026-12-01T17:00:00[Europe/London]" followUpDate="=date and time(&quot;2026-11-30T09:00:00@Europe/London&quot;)" /></bpmn:extensionElements></bpmn:userTask>',
  ),
  'non-interrupting timer boundary event with a cron cycle': boundary(TIMER('0 0 9 * * MON-FRI', 'timeCycle'), false),
  'non-interrupting timer event sub-process start event with a cron cycle': eventSubProcess(
    TIMER('0 0/15 * * * *', 'timeCycle'),
  ).replace('<bpmn:startEvent id="X">', '<bpmn:startEvent id="X" isInterrupting="false">'),
  'signal start event': asStart(SIGNAL),
  'message event sub-process start event': eventSubProcess(MESSAGE),
  'timer event sub-process start event': eventSubProcess(TIMER('PT1H')),
  'error event sub-process start event': eventSubProcess(ERROR),
  'escalation event sub-process start event': eventSubProcess(ESCALATION),
  'signal event sub-process start event': eventSubProcess(SIGNAL),
  'compensation event sub-process start event (in a sub-process)': between(
    `<bpmn:subProcess id="Sub"><bpmn:startEvent id="SS" /><bpmn:sequenceFlow id="g" sourceRef="SS" targetRef="SE" /><bpmn:endEvent id="SE" />
       <bpmn:subProcess id="ESP" triggeredByEvent="true"><bpmn:startEvent id="X">${COMPENSATION}</bpmn:startEvent><bpmn:sequenceFlow id="h" sourceRef="X" targetRef="EE" /><bpmn:endEvent id="EE" /></bpmn:subProcess></bpmn:subProcess>`,
  )
    .replace('targetRef="X" />', 'targetRef="Sub" />')
    .replace('sourceRef="X" targetRef="E"', 'sourceRef="Sub" targetRef="E"'),
  'compensation event sub-process start event in a multi-instance sub-process': between(
    `<bpmn:subProcess id="Sub"><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1,2]" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
       <bpmn:startEvent id="SS" /><bpmn:sequenceFlow id="g" sourceRef="SS" targetRef="SE" /><bpmn:endEvent id="SE" />
       <bpmn:subProcess id="ESP" triggeredByEvent="true"><bpmn:startEvent id="X">${COMPENSATION}</bpmn:startEvent><bpmn:sequenceFlow id="h" sourceRef="X" targetRef="EE" /><bpmn:endEvent id="EE" /></bpmn:subProcess></bpmn:subProcess>`,
  )
    .replace('targetRef="X" />', 'targetRef="Sub" />')
    .replace('sourceRef="X" targetRef="E"', 'sourceRef="Sub" targetRef="E"'),
  'message intermediate catch event': catching(MESSAGE),
  'timer intermediate catch event': catching(TIMER('PT1H')),
  'signal intermediate catch event': catching(SIGNAL),
  // A link catch event is reached from a link throw event of its name in the same scope.
  'link intermediate catch event': diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T" /><bpmn:intermediateThrowEvent id="T">${LINK}</bpmn:intermediateThrowEvent>
     <bpmn:intermediateCatchEvent id="X">${LINK.replace('ld', 'ld2')}</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="X" targetRef="E" /><bpmn:endEvent id="E" />`,
  ),
  'none intermediate throw event': throwing(''),
  'message intermediate throw event': throwing(
    '<bpmn:messageEventDefinition id="md" messageRef="M"><bpmn:extensionElements><zeebe:taskDefinition type="any-job" /></bpmn:extensionElements></bpmn:messageEventDefinition>',
  ),
  'escalation intermediate throw event': throwing(ESCALATION),
  'signal intermediate throw event': throwing(SIGNAL),
  'link intermediate throw event': diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="X" /><bpmn:intermediateThrowEvent id="X">${LINK}</bpmn:intermediateThrowEvent>
     <bpmn:intermediateCatchEvent id="C">${LINK.replace('ld', 'ld2')}</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f2" sourceRef="C" targetRef="E" /><bpmn:endEvent id="E" />`,
  ),
  'compensation intermediate throw event': throwing(COMPENSATION),
  'compensation intermediate throw event not waiting for its handlers (waitForCompletion="false")': throwing(
    '<bpmn:compensateEventDefinition id="cd" waitForCompletion="false" />',
  ),
  'message boundary event': boundary(MESSAGE),
  'non-interrupting message boundary event': boundary(MESSAGE, false),
  'timer boundary event': boundary(TIMER('PT1H')),
  'non-interrupting timer boundary event': boundary(TIMER('PT1H'), false),
  'error boundary event': boundary(ERROR),
  'escalation boundary event': boundary(ESCALATION),
  'signal boundary event': boundary(SIGNAL),
  // A compensation boundary event leads nowhere: it is associated with its handler.
  'compensation boundary event': diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T" /><bpmn:serviceTask id="T">${JOB}</bpmn:serviceTask><bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E" /><bpmn:endEvent id="E" />
     <bpmn:boundaryEvent id="X" attachedToRef="T">${COMPENSATION}</bpmn:boundaryEvent><bpmn:serviceTask id="H" isForCompensation="true">${JOB}</bpmn:serviceTask><bpmn:association id="a" sourceRef="X" targetRef="H" />`,
  ),
  'none end event': asEnd(''),
  'message end event': asEnd(
    '<bpmn:messageEventDefinition id="md" messageRef="M"><bpmn:extensionElements><zeebe:taskDefinition type="any-job" /></bpmn:extensionElements></bpmn:messageEventDefinition>',
  ),
  'error end event': asEnd(ERROR),
  'escalation end event': asEnd(ESCALATION),
  'terminate end event': asEnd('<bpmn:terminateEventDefinition id="tt" />'),
  'signal end event': asEnd(SIGNAL),
  'compensation end event': asEnd(COMPENSATION),
  'service task': between(`<bpmn:serviceTask id="X">${JOB}</bpmn:serviceTask>`),
  'user task': between(
    '<bpmn:userTask id="X"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>',
  ),
  'send task': between(`<bpmn:sendTask id="X">${JOB}</bpmn:sendTask>`),
  'receive task': between('<bpmn:receiveTask id="X" messageRef="M" />'),
  'business rule task (DMN)': between(
    '<bpmn:businessRuleTask id="X"><bpmn:extensionElements><zeebe:calledDecision decisionId="d" resultVariable="r" /></bpmn:extensionElements></bpmn:businessRuleTask>',
  ),
  'business rule task (job worker)': between(`<bpmn:businessRuleTask id="X">${JOB}</bpmn:businessRuleTask>`),
  'script task (FEEL)': between(
    '<bpmn:scriptTask id="X"><bpmn:extensionElements><zeebe:script expression="=1 + 1" resultVariable="r" /></bpmn:extensionElements></bpmn:scriptTask>',
  ),
  'script task (job worker)': between(`<bpmn:scriptTask id="X">${JOB}</bpmn:scriptTask>`),
  'manual task': between('<bpmn:manualTask id="X" />'),
  'undefined task': between('<bpmn:task id="X" />'),
  'exclusive gateway': between('<bpmn:exclusiveGateway id="X" />'),
  'parallel gateway': between('<bpmn:parallelGateway id="X" />'),
  'inclusive gateway': between('<bpmn:inclusiveGateway id="X" />'),
  'event-based gateway': diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="X" /><bpmn:eventBasedGateway id="X" />
     <bpmn:sequenceFlow id="f2" sourceRef="X" targetRef="C1" /><bpmn:intermediateCatchEvent id="C1">${MESSAGE}</bpmn:intermediateCatchEvent>
     <bpmn:sequenceFlow id="f3" sourceRef="X" targetRef="C2" /><bpmn:intermediateCatchEvent id="C2">${TIMER('PT1H')}</bpmn:intermediateCatchEvent>
     <bpmn:sequenceFlow id="f4" sourceRef="C1" targetRef="E" /><bpmn:sequenceFlow id="f5" sourceRef="C2" targetRef="E" /><bpmn:endEvent id="E" />`,
  ),
  'embedded sub-process': between(
    '<bpmn:subProcess id="X"><bpmn:startEvent id="SS" /><bpmn:sequenceFlow id="g" sourceRef="SS" targetRef="SE" /><bpmn:endEvent id="SE" /></bpmn:subProcess>',
  ),
  'call activity': between(
    '<bpmn:callActivity id="X"><bpmn:extensionElements><zeebe:calledElement processId="P" /></bpmn:extensionElements></bpmn:callActivity>',
  ),
  'ad-hoc sub-process': between(
    '<bpmn:adHocSubProcess id="X"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[&quot;A1&quot;]" /></bpmn:extensionElements><bpmn:task id="A1" /></bpmn:adHocSubProcess>',
  ),
  'ad-hoc sub-process (job worker)': between(
    `<bpmn:adHocSubProcess id="X"><bpmn:extensionElements><zeebe:taskDefinition type="agent" /><zeebe:adHoc outputCollection="results" outputElement="=result" /></bpmn:extensionElements><bpmn:serviceTask id="Tool">${JOB}</bpmn:serviceTask></bpmn:adHocSubProcess>`,
  ),
  'parallel multi-instance': multiInstance(false),
  'sequential multi-instance': multiInstance(true),
  'compensation handler': diagram(
    `<bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T" /><bpmn:serviceTask id="T">${JOB}</bpmn:serviceTask><bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E" /><bpmn:endEvent id="E" />
     <bpmn:boundaryEvent id="B" attachedToRef="T">${COMPENSATION}</bpmn:boundaryEvent><bpmn:serviceTask id="X" isForCompensation="true">${JOB}</bpmn:serviceTask><bpmn:association id="a" sourceRef="B" targetRef="X" />`,
  ),
  'execution listener': between(
    '<bpmn:serviceTask id="X"><bpmn:extensionElements><zeebe:taskDefinition type="any-job" /><zeebe:executionListeners><zeebe:executionListener eventType="start" type="audit" /></zeebe:executionListeners></bpmn:extensionElements></bpmn:serviceTask>',
  ),
  'task listener (creating)': between(
    '<bpmn:userTask id="X"><bpmn:extensionElements><zeebe:userTask /><zeebe:taskListeners><zeebe:taskListener eventType="creating" type="assign" /></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>',
  ),
  'task listener (assigning, updating, completing, canceling)': between(
    '<bpmn:userTask id="X"><bpmn:extensionElements><zeebe:userTask /><zeebe:taskListeners><zeebe:taskListener eventType="assigning" type="route" /><zeebe:taskListener eventType="updating" type="vet" /><zeebe:taskListener eventType="completing" type="check" /><zeebe:taskListener eventType="canceling" type="tidy" /></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>',
  ),
};

/** The rows of the README's coverage table: element → status. */
function coverageRows(): Array<[string, string]> {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const table = /<!-- coverage:start -->([\s\S]*?)<!-- coverage:end -->/.exec(readme);
  if (!table) throw new Error('README.md has no coverage table between <!-- coverage:start/end --> markers');
  return table[1]
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*(element|---)/.test(line))
    .map((line) => {
      const [element, status] = line
        .split('|')
        .slice(1, 3)
        .map((c) => c.trim());
      return [element, status];
    });
}

test('the table and the diagrams name the same elements', () => {
  expect(coverageRows().map(([e]) => e)).toEqual(Object.keys(DIAGRAMS));
  for (const [, status] of coverageRows()) expect(['supported', 'refused: not supported yet']).toContain(status);
});

describe('every row is what the compiler does', () => {
  for (const [element, status] of coverageRows()) {
    test(`${element}: ${status}`, async () => {
      const xml = DIAGRAMS[element];
      expect(xml).toBeDefined();
      const out = await compileDefinition(xml, { activityTypes: ACTIVITY_TYPES, candidateGroups: new Set() });
      const errors = out.ok ? [] : out.problems.filter((p) => p.severity === 'error');
      if (status === 'supported') {
        expect(errors).toEqual([]);
        expect(out.ok).toBe(true);
      } else {
        expect(out.ok).toBe(false);
        expect(errors).toContainEqual(
          expect.objectContaining({ elementId: 'X', message: expect.stringMatching(/not supported yet/) }),
        );
      }
    });
  }
});
