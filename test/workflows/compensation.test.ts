/**
 * Compensation through Temporal on the embedded server (Camunda 8 diagrams): a compensation throw
 * event with waitForCompletion="false" goes on at once, its handler running beside the next task;
 * a compensation event sub-process runs, when its completed sub-process is compensated, in that
 * sub-process's scope as it was, instead of the inner handlers. Every closed history replays.
 */
import { replayAllClosed, startEngineTestEnv, type EngineTestEnv } from './support';

let t: EngineTestEnv;
const calls: Array<{ type: string; input: Record<string, unknown> }> = [];
let tellRan: () => void = () => undefined;
let tellHasRun = new Promise<void>((r) => (tellRan = r));

beforeAll(async () => {
  const record = (type: string) => async (input: Record<string, unknown>) => {
    calls.push({ type, input });
    return {};
  };
  t = await startEngineTestEnv(
    {
      'test.book': record('book'),
      'test.notify': record('notify'),
      'test.undo-book': record('undo-book'),
      'test.tell': async (input: Record<string, unknown>) => {
        calls.push({ type: 'tell', input });
        tellRan();
        return {};
      },
      // Waits (up to 5 s) for the task after the throw event: it runs first only if the throw did not wait.
      // The 5 s timer is cleared once the race is decided, so it does not outlive the test file.
      'test.slow-undo': async () => {
        let timer: NodeJS.Timeout | undefined;
        const first = await Promise.race([
          tellHasRun.then(() => true),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5000))),
        ]).finally(() => clearTimeout(timer));
        calls.push({ type: 'slow-undo', input: {} });
        return { tellRanFirst: first };
      },
    },
    ['test.book', 'test.notify', 'test.undo-book', 'test.tell', 'test.slow-undo'],
  );
}, 120_000);

afterAll(() => t?.close(), 120_000);

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.31.0" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">`;
const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;
const task = (id: string, type: string, extra = '') =>
  `<bpmn:serviceTask id="${id}"${extra}><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements></bpmn:serviceTask>`;
/** Book (test.book) with a compensation boundary event whose handler runs `handlerType`. */
const undoableBook = (handlerType: string) =>
  `${task('Book', 'test.book')}<bpmn:boundaryEvent id="Book_Comp" attachedToRef="Book"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
   ${task('Undo_Book', handlerType, ' isForCompensation="true"')}<bpmn:association id="A1" sourceRef="Book_Comp" targetRef="Undo_Book" />`;

test('waitForCompletion="false": the next task runs while the handler is still running; the process ends after both', async () => {
  const key = 'wf-comp-nowait';
  await t.deploy(`${HEAD}<bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Book')}${undoableBook('test.slow-undo')}${flow('f2', 'Book', 'Revert')}
    <bpmn:intermediateThrowEvent id="Revert"><bpmn:compensateEventDefinition waitForCompletion="false" /></bpmn:intermediateThrowEvent>
    ${flow('f3', 'Revert', 'Tell')}${task('Tell', 'test.tell')}${flow('f4', 'Tell', 'E')}<bpmn:endEvent id="E" />
  </bpmn:process></bpmn:definitions>`);
  const h = await t.start(key, { variables: {} });
  const result = await t.result(h);
  expect(result).toMatchObject({ status: 'completed', variables: { tellRanFirst: true } });
  expect(calls.map((c) => c.type)).toEqual(['book', 'tell', 'slow-undo']);
});

/**
 * Sub (with `subSettings` first inside it: io mapping or a loop) books with an undo handler and has
 * the compensation event sub-process OnUndo (start US → Notify); after Sub, Revert compensates.
 */
const compensatedSubProcess = (
  key: string,
  subSettings: string,
) => `${HEAD}<bpmn:process id="${key}" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('f1', 'S', 'Sub')}
    <bpmn:subProcess id="Sub">
      ${subSettings}
      <bpmn:startEvent id="SS" />${flow('g1', 'SS', 'Book')}${undoableBook('test.undo-book')}${flow('g2', 'Book', 'SE')}<bpmn:endEvent id="SE" />
      <bpmn:subProcess id="OnUndo" triggeredByEvent="true">
        <bpmn:startEvent id="US"><bpmn:compensateEventDefinition /></bpmn:startEvent>${flow('u1', 'US', 'Notify')}
        ${task('Notify', 'test.notify')}${flow('u2', 'Notify', 'UE')}<bpmn:endEvent id="UE" />
      </bpmn:subProcess>
    </bpmn:subProcess>
    ${flow('f2', 'Sub', 'Revert')}
    <bpmn:intermediateThrowEvent id="Revert"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>${flow('f3', 'Revert', 'E')}
    <bpmn:endEvent id="E" />
  </bpmn:process></bpmn:definitions>`;

test("a compensation event sub-process runs in its sub-process's scope instead of the inner handler", async () => {
  calls.length = 0;
  tellHasRun = new Promise<void>((r) => (tellRan = r));
  const key = 'wf-comp-esp';
  await t.deploy(
    compensatedSubProcess(
      key,
      '<bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;R-1&quot;" target="ref" /></zeebe:ioMapping></bpmn:extensionElements>',
    ),
  );
  const h = await t.start(key, { variables: {} });
  expect((await t.result(h)).status).toBe('completed');
  expect(calls.map((c) => c.type)).toEqual(['book', 'notify']);
  expect(calls[1].input).toMatchObject({ ref: 'R-1' });
  await replayAllClosed(t.env);
});

test('a compensation event sub-process in a multi-instance sub-process is refused at deploy ("not supported yet"), not deployed and ignored', async () => {
  const key = 'wf-comp-esp-mi';
  const deploying = t.deploy(
    compensatedSubProcess(
      key,
      `<bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=refs" inputElement="ref" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>`,
    ),
  );
  await expect(deploying).rejects.toThrow(
    /US A compensate event as an event sub-process start event in a multi-instance sub-process is not supported yet/,
  );
});
