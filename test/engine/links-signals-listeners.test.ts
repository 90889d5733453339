/**
 * Camunda 8 elements the engine runs since issue 16's second part, compiled from BPMN as a
 * deployment compiles them and driven through the pure engine:
 * - link events: a link throw event's token goes on at the link catch event of the same name in
 *   its scope (a jump, no flow between them);
 * - signals: catch, boundary (interrupting or not), event sub-process and event-based gateway
 *   subscriptions, each triggered by every broadcast of its name; throw and end events broadcast
 *   with their input-mapped variables; a signal start event starts the process;
 * - execution listeners: jobs run before an element's behaviour (start) and before it leaves
 *   (end), one after another, on the process itself too; a failed listener job is an incident
 *   whose retry runs that listener again;
 * - task listeners on `creating`: a job before the user task opens, whose corrections the task
 *   opens with;
 * - compensation: a throw or end event runs the handlers of the completed activities of its
 *   scope (or of one named activity) and waits for them;
 * - ad-hoc sub-processes: inner elements activated by name, by an expression or by a job worker's
 *   result, collecting their outputs, completing when none is active or when told.
 */
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn/compile';
import type { CompiledGraph } from '../../bpmn/runtime';
import { Driver, T0 } from './driver';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';

async function compile(body: string, roots = ''): Promise<CompiledGraph> {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="P" isExecutable="true">${body}</bpmn:process>${roots}</bpmn:definitions>`;
  const out = await compileDefinition(xml, { activityTypes: ACTIVITY_TYPES, candidateGroups: new Set() });
  if (!out.ok) throw new Error(out.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  return out.graph;
}

const flow = (id: string, from: string, to: string, condition?: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}">${condition ? `<bpmn:conditionExpression>${condition}</bpmn:conditionExpression>` : ''}</bpmn:sequenceFlow>`;
const job = (id: string, type: string, extra = '') =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" />${extra}</bpmn:extensionElements></bpmn:serviceTask>`;
const SIGNAL = (name: string) => `<bpmn:signal id="Sig_${name}" name="${name}" />`;
const signalDef = (name: string) => `<bpmn:signalEventDefinition signalRef="Sig_${name}" />`;

describe('link events', () => {
  it('a link throw event continues at the link catch event of its name, here back to a loop start', async () => {
    const g = await compile(`
      <bpmn:startEvent id="S" />${flow('f1', 'S', 'J')}
      <bpmn:exclusiveGateway id="J" />${flow('f2', 'J', 'Work')}
      ${job('Work', 'count-up')}${flow('f3', 'Work', 'G')}
      <bpmn:exclusiveGateway id="G" default="f5" />${flow('f4', 'G', 'Again', '=count &lt; 3')}${flow('f5', 'G', 'E')}
      <bpmn:intermediateThrowEvent id="Again"><bpmn:linkEventDefinition name="retry" /></bpmn:intermediateThrowEvent>
      <bpmn:intermediateCatchEvent id="Back"><bpmn:linkEventDefinition name="retry" /></bpmn:intermediateCatchEvent>${flow('f6', 'Back', 'J')}
      <bpmn:endEvent id="E" />`);
    const d = new Driver(g, { count: 0 });
    for (let i = 1; i <= 3; i++) d.completeJob('count-up', { count: i });
    expect(d.status).toBe('completed');
    expect(d.path.filter((e) => e === 'Again' || e === 'Back')).toEqual(['Again', 'Back', 'Again', 'Back']);
    expect(d.path.filter((e) => e === 'Work')).toHaveLength(3);
  });

  it('is refused at deploy when no link catch event of that name is in the scope', async () => {
    await expect(
      compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'T')}
        <bpmn:intermediateThrowEvent id="T"><bpmn:linkEventDefinition name="nowhere" /></bpmn:intermediateThrowEvent>`),
    ).rejects.toThrow(/T: The link throw event "nowhere" has no link catch event of that name in its scope/);
  });
});

describe('signals', () => {
  const waiting = async () =>
    compile(
      `<bpmn:startEvent id="S" />${flow('f1', 'S', 'Split')}<bpmn:parallelGateway id="Split" />
       ${flow('f2', 'Split', 'Catch')}${flow('f3', 'Split', 'Task')}
       <bpmn:intermediateCatchEvent id="Catch">${signalDef('go')}</bpmn:intermediateCatchEvent>${flow('f4', 'Catch', 'E1')}<bpmn:endEvent id="E1" />
       ${job('Task', 'slow-work')}${flow('f5', 'Task', 'E2')}<bpmn:endEvent id="E2" />
       <bpmn:boundaryEvent id="Watch" attachedToRef="Task" cancelActivity="false">${signalDef('go')}</bpmn:boundaryEvent>${flow('f6', 'Watch', 'E3')}<bpmn:endEvent id="E3" />
       <bpmn:boundaryEvent id="Stop" attachedToRef="Task">${signalDef('stop')}</bpmn:boundaryEvent>${flow('f7', 'Stop', 'E4')}<bpmn:endEvent id="E4" />`,
      SIGNAL('go') + SIGNAL('stop'),
    );

  it('opens a subscription per waiting catch and boundary event, and a broadcast triggers every one of its name', async () => {
    const d = new Driver(await waiting());
    expect(d.commandsOf('openSubscription').map((c) => [c.kind, c.name, c.elementId])).toEqual([
      ['signal', 'go', 'Catch'],
      ['signal', 'go', 'Watch'],
      ['signal', 'stop', 'Stop'],
    ]);
    expect(d.send({ type: 'signalReceived', name: 'other' })).toEqual([]);
    d.send({ type: 'signalReceived', name: 'go', variables: { reason: 'drill' } });
    expect(d.path).toEqual(expect.arrayContaining(['Catch', 'E1', 'Watch', 'E3']));
    expect(d.variables.reason).toBe('drill');
    // The non-interrupting boundary event listens again; the task still runs.
    expect(d.active).toEqual(expect.arrayContaining(['Task']));
    expect(
      Object.values(d.state.waits)
        .filter((w) => w.type === 'signal')
        .map((w) => w.nodeId),
    ).toEqual(['Stop', 'Watch']);
  });

  it("an interrupting signal boundary event cancels its task and closes the task's subscriptions", async () => {
    const d = new Driver(await waiting());
    d.send({ type: 'signalReceived', name: 'go' });
    d.send({ type: 'signalReceived', name: 'stop' });
    expect(d.status).toBe('completed');
    expect(d.path).toContain('E4');
    expect(d.path).not.toContain('E2');
    expect(d.commandsOf('cancelJob')).toHaveLength(1);
    const opened = d.commandsOf('openSubscription').map((c) => c.waitId);
    expect(
      d
        .commandsOf('closeSubscription')
        .map((c) => c.waitId)
        .sort(),
    ).toEqual([...opened].sort());
  });

  it('throw and end events broadcast with their input-mapped variables, then go on', async () => {
    const g = await compile(
      `<bpmn:startEvent id="S" />${flow('f1', 'S', 'Shout')}
       <bpmn:intermediateThrowEvent id="Shout"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=region" target="where" /></zeebe:ioMapping></bpmn:extensionElements>${signalDef('alert')}</bpmn:intermediateThrowEvent>
       ${flow('f2', 'Shout', 'E')}<bpmn:endEvent id="E">${signalDef('done')}</bpmn:endEvent>`,
      SIGNAL('alert') + SIGNAL('done'),
    );
    const d = new Driver(g, { region: 'west', secret: 'x' });
    expect(d.status).toBe('completed');
    expect(d.commandsOf('broadcastSignal')).toEqual([
      { type: 'broadcastSignal', name: 'alert', variables: { where: 'west' } },
      { type: 'broadcastSignal', name: 'done', variables: {} },
    ]);
  });

  it('a signal event sub-process starts on a broadcast; an event-based gateway races a signal against a timer', async () => {
    const g = await compile(
      `<bpmn:startEvent id="S" />${flow('f1', 'S', 'Gate')}<bpmn:eventBasedGateway id="Gate" />
       ${flow('f2', 'Gate', 'Sig')}${flow('f3', 'Gate', 'Late')}
       <bpmn:intermediateCatchEvent id="Sig">${signalDef('go')}</bpmn:intermediateCatchEvent>${flow('f4', 'Sig', 'E')}
       <bpmn:intermediateCatchEvent id="Late"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>${flow('f5', 'Late', 'E')}
       <bpmn:endEvent id="E" />
       <bpmn:subProcess id="OnNote" triggeredByEvent="true"><bpmn:startEvent id="NoteStart" isInterrupting="false">${signalDef('note')}</bpmn:startEvent>${flow('g1', 'NoteStart', 'NoteEnd')}<bpmn:endEvent id="NoteEnd" /></bpmn:subProcess>`,
      SIGNAL('go') + SIGNAL('note'),
    );
    expect(g.signalNames).toEqual(['go', 'note']);
    const d = new Driver(g);
    d.send({ type: 'signalReceived', name: 'note' });
    d.send({ type: 'signalReceived', name: 'note' });
    expect(d.path.filter((e) => e === 'NoteEnd')).toHaveLength(2);
    d.send({ type: 'signalReceived', name: 'go' });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(expect.arrayContaining(['Sig', 'E']));
    expect(d.commandsOf('cancelTimer')).toHaveLength(1);
  });

  it('a signal start event is a start the process names in signalStartNames', async () => {
    const g = await compile(
      `<bpmn:startEvent id="OnSignal">${signalDef('test-signal')}</bpmn:startEvent>${flow('f1', 'OnSignal', 'E')}<bpmn:endEvent id="E" />`,
      SIGNAL('test-signal'),
    );
    expect(g.signalStartNames).toEqual(['test-signal']);
    const d = new Driver(g, { from: 'broadcast' }, { signalName: 'test-signal' });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['OnSignal', 'E', 'P']);
  });
});

describe('execution listeners', () => {
  const listeners = (...l: Array<[string, string]>) =>
    `<zeebe:executionListeners>${l.map(([e, t]) => `<zeebe:executionListener eventType="${e}" type="${t}" />`).join('')}</zeebe:executionListeners>`;

  it("run as jobs: the process start listener first, each element's start listeners before it and end listeners after it, in order", async () => {
    const g = await compile(
      `<bpmn:extensionElements>${listeners(['start', 'process-start'], ['end', 'process-end'])}</bpmn:extensionElements>
       <bpmn:startEvent id="S" />${flow('f1', 'S', 'Work')}
       ${job('Work', 'work', `<zeebe:ioMapping><zeebe:output source="=done" target="workDone" /></zeebe:ioMapping>${listeners(['start', 'before-1'], ['start', 'before-2'], ['end', 'after'])}`)}
       ${flow('f2', 'Work', 'E')}<bpmn:endEvent id="E" />`,
    );
    const d = new Driver(g);
    const order: string[] = [];
    const next = () => {
      const [j] = d.jobs();
      order.push(j.activityType);
      return j;
    };
    d.completeJob(next().activityType, { fromProcessListener: 1 });
    d.completeJob(next().activityType, { localToWork: 'a' });
    d.completeJob(next().activityType);
    // The element's own job sees what its start listeners set.
    expect(d.commandsOf('runJob').find((c) => c.activityType === 'work')!.input).toMatchObject({
      fromProcessListener: 1,
      localToWork: 'a',
    });
    d.completeJob(next().activityType, { done: true });
    expect(d.variables.workDone).toBe(true);
    d.completeJob(next().activityType, { auditRef: 'r1' });
    expect(d.status).toBe('running');
    d.completeJob(next().activityType);
    expect(order).toEqual(['process-start', 'before-1', 'before-2', 'work', 'after', 'process-end']);
    expect(d.status).toBe('completed');
    expect(d.variables).toMatchObject({ fromProcessListener: 1, workDone: true, auditRef: 'r1' });
    expect(d.variables).not.toHaveProperty('localToWork');
    expect(
      d
        .commandsOf('runJob')
        .filter((c) => c.listener)
        .map((c) => c.listener),
    ).toEqual([
      { kind: 'execution', eventType: 'start', index: 0 },
      { kind: 'execution', eventType: 'start', index: 0 },
      { kind: 'execution', eventType: 'start', index: 1 },
      { kind: 'execution', eventType: 'end', index: 0 },
      { kind: 'execution', eventType: 'end', index: 0 },
    ]);
  });

  it('a listener job that fails is an incident on its element; the retry runs that listener again', async () => {
    const g = await compile(
      `<bpmn:startEvent id="S"><bpmn:extensionElements>${listeners(['end', 'ack'])}</bpmn:extensionElements></bpmn:startEvent>${flow('f1', 'S', 'E')}<bpmn:endEvent id="E" />`,
    );
    const d = new Driver(g);
    const [ack] = d.jobs('ack');
    d.send({ type: 'jobFailed', jobId: ack.id, message: 'no ack service', bpmnError: { code: 'NOPE' } });
    const [incident] = Object.values(d.state.incidents);
    expect(incident).toMatchObject({ elementId: 'S', kind: 'jobFailed', resume: 'job' });
    expect(incident.message).toMatch(/listener threw the BPMN error "NOPE"/);
    d.send({ type: 'incidentRetried', incidentId: incident.id });
    d.completeJob('ack');
    expect(d.status).toBe('completed');
  });
});

describe('task listeners', () => {
  it('a creating listener runs before the user task opens; the task opens with its corrections', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
      <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="clerks" />
        <zeebe:taskListeners><zeebe:taskListener eventType="creating" type="assign_new_task" /></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
      ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(g);
    expect(d.commandsOf('openUserTask')).toEqual([]);
    const [listenerJob] = d.jobs('assign_new_task');
    expect(listenerJob.listener).toEqual({ kind: 'task', eventType: 'creating', index: 0 });
    d.send({
      type: 'jobCompleted',
      jobId: listenerJob.id,
      corrections: { assignee: 'cw.birmingham.hv', dueDate: '2026-01-09T17:00:00Z', priority: 80 },
    });
    const [opened] = d.commandsOf('openUserTask');
    expect(opened).toMatchObject({
      elementId: 'Review',
      assignee: 'cw.birmingham.hv',
      candidateGroups: ['clerks'],
      dueAt: Date.UTC(2026, 0, 9, 17),
      priority: 80,
    });
    expect(d.now).toBe(T0);
    d.completeTask('Review');
    expect(d.status).toBe('completed');
  });
});

describe('task listeners of a task about to open', () => {
  const review = `<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
    <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:assignmentDefinition assignee="cw.walsall" candidateGroups="clerks" />
      <zeebe:taskSchedule dueDate="2026-01-09T17:00:00Z" /><zeebe:priorityDefinition priority="65" />
      <zeebe:taskListeners><zeebe:taskListener eventType="creating" type="on_create" />
        <zeebe:taskListener eventType="assigning" type="on_assign" /></zeebe:taskListeners>
    </bpmn:extensionElements></bpmn:userTask>${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />`;
  const headersOf = (d: Driver, type: string) =>
    d.commandsOf('runJob').find((c) => c.activityType === type)?.headers ?? {};

  it('see the task as it will open in their job headers (Camunda 8.8): creating ones without an action', async () => {
    const d = new Driver(await compile(review), {}, { newTaskListenerHeaders: true });
    const attributes = {
      'io.camunda.zeebe:assignee': 'cw.walsall',
      'io.camunda.zeebe:candidateGroups': '["clerks"]',
      'io.camunda.zeebe:candidateUsers': '[]',
      'io.camunda.zeebe:dueDate': '2026-01-09T17:00:00.000Z',
      'io.camunda.zeebe:priority': '65',
    };
    expect(headersOf(d, 'on_create')).toEqual(attributes);
    d.completeJob('on_create');
    // The process's assignee: its assigning listeners run before the task opens, seeing the rest too.
    expect(headersOf(d, 'on_assign')).toEqual({
      ...attributes,
      'io.camunda.zeebe:action': 'assign',
      'io.camunda.zeebe:changedAttributes': '["assignee"]',
    });
  });

  it('of instances started before (patch new-task-listener-headers) see only what they saw then', async () => {
    const d = new Driver(await compile(review));
    expect(headersOf(d, 'on_create')).toEqual({});
    d.completeJob('on_create');
    expect(headersOf(d, 'on_assign')).toEqual({
      'io.camunda.zeebe:action': 'assign',
      'io.camunda.zeebe:assignee': 'cw.walsall',
      'io.camunda.zeebe:changedAttributes': '["assignee"]',
    });
  });
});

describe('compensation', () => {
  const undoable = (id: string, type: string) =>
    `${job(id, type)}<bpmn:boundaryEvent id="${id}_Comp" attachedToRef="${id}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
     ${job(`Undo_${id}`, `undo-${type}`).replace('<bpmn:serviceTask ', '<bpmn:serviceTask isForCompensation="true" ')}
     <bpmn:association id="A_${id}" sourceRef="${id}_Comp" targetRef="Undo_${id}" />`;

  it('a compensation throw event runs the handlers of the completed activities, most recent first, and waits for them', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Book')}
      ${undoable('Book', 'book')}${flow('f2', 'Book', 'Charge')}${undoable('Charge', 'charge')}${flow('f3', 'Charge', 'Revert')}
      <bpmn:intermediateThrowEvent id="Revert"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>${flow('f4', 'Revert', 'Again')}
      <bpmn:intermediateThrowEvent id="Again"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>${flow('f5', 'Again', 'E')}
      <bpmn:endEvent id="E" />`);
    expect(g.nodes.Book).toMatchObject({ compensationHandlerId: 'Undo_Book', boundaryEventIds: [] });
    const d = new Driver(g);
    d.completeJob('book', { booking: 'B1' });
    d.completeJob('charge');
    expect(d.jobs().map((j) => j.activityType)).toEqual(['undo-charge', 'undo-book']);
    expect(d.active).toContain('Revert');
    d.completeJob('undo-charge');
    expect(d.active).toContain('Revert');
    d.completeJob('undo-book', { booking: null });
    // Compensated activities are not compensated twice: the second throw finds nothing to undo.
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['S', 'Book', 'Charge', 'Undo_Charge', 'Undo_Book', 'Revert', 'Again', 'E', 'P']);
    expect(d.variables.booking).toBeNull();
  });

  it('a throw event can name one activity of its scope; activities of a completed sub-process are compensated from outside', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Sub')}
      <bpmn:subProcess id="Sub"><bpmn:startEvent id="SS" />${flow('g1', 'SS', 'Book')}${undoable('Book', 'book')}${flow('g2', 'Book', 'SE')}<bpmn:endEvent id="SE" /></bpmn:subProcess>
      ${flow('f2', 'Sub', 'Ship')}${undoable('Ship', 'ship')}${flow('f3', 'Ship', 'UndoShip')}
      <bpmn:intermediateThrowEvent id="UndoShip"><bpmn:compensateEventDefinition activityRef="Ship" /></bpmn:intermediateThrowEvent>${flow('f4', 'UndoShip', 'E')}
      <bpmn:endEvent id="E"><bpmn:compensateEventDefinition /></bpmn:endEvent>`);
    const d = new Driver(g);
    d.completeJob('book');
    d.completeJob('ship');
    expect(d.jobs().map((j) => j.activityType)).toEqual(['undo-ship']);
    d.completeJob('undo-ship');
    expect(d.jobs().map((j) => j.activityType)).toEqual(['undo-book']);
    d.completeJob('undo-book');
    expect(d.status).toBe('completed');
  });

  it('a compensation boundary event without an associated handler is refused at deploy', async () => {
    await expect(
      compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Book')}${job('Book', 'book')}
        <bpmn:boundaryEvent id="Comp" attachedToRef="Book"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>${flow('f2', 'Book', 'E')}<bpmn:endEvent id="E" />`),
    ).rejects.toThrow(/Comp: The compensation boundary event must be associated with one compensation handler/);
  });
});

describe('ad-hoc sub-processes', () => {
  const tools = `${job('Lookup', 'lookup')}${job('Notify', 'notify')}${flow('a1', 'Notify', 'Log')}${job('Log', 'log')}`;

  it('the engine activates the elements activeElementsCollection names; it completes when none is active', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Pick')}
      <bpmn:adHocSubProcess id="Pick"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=chosen" outputCollection="done" outputElement="=step" /></bpmn:extensionElements>${tools}</bpmn:adHocSubProcess>
      ${flow('f2', 'Pick', 'E')}<bpmn:endEvent id="E" />`);
    expect(g.nodes.Pick).toMatchObject({ kind: 'adHocSubProcess', activatableIds: ['Lookup', 'Notify'] });
    const d = new Driver(g, { chosen: ['Notify', 'Lookup'] });
    expect(
      d
        .jobs()
        .map((j) => j.activityType)
        .sort(),
    ).toEqual(['lookup', 'notify']);
    d.completeJob('notify', { step: 'n' });
    // A flow inside goes on as usual: Log follows Notify.
    expect(
      d
        .jobs()
        .map((j) => j.activityType)
        .sort(),
    ).toEqual(['log', 'lookup']);
    d.completeJob('lookup', { step: 'l' });
    d.completeJob('log', { step: 'g' });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(expect.arrayContaining(['Notify', 'Lookup', 'Log', 'Pick', 'E']));
  });

  it('a completion condition ends it early and cancels what is still active', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Pick')}
      <bpmn:adHocSubProcess id="Pick"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[&quot;Lookup&quot;, &quot;Notify&quot;]" /></bpmn:extensionElements>${tools}
        <bpmn:completionCondition>=found = true</bpmn:completionCondition></bpmn:adHocSubProcess>
      ${flow('f2', 'Pick', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(g);
    d.completeJob('lookup', { found: true });
    expect(d.status).toBe('completed');
    expect(d.commandsOf('cancelJob')).toHaveLength(1);
  });

  it('a job worker (an AI agent) activates tools with their variables, gets a new job with their outputs, and says when it is done', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Agent')}
      <bpmn:adHocSubProcess id="Agent"><bpmn:extensionElements><zeebe:taskDefinition type="agent" />
        <zeebe:adHoc outputCollection="toolCallResults" outputElement="={id: toolCall.id, content: toolCallResult}" />
        <zeebe:ioMapping><zeebe:output source="=agent" target="agent" /></zeebe:ioMapping></bpmn:extensionElements>${tools}</bpmn:adHocSubProcess>
      ${flow('f2', 'Agent', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(g);
    const [first] = d.jobs('agent');
    expect(d.commandsOf('runJob')[0].input.adHocSubProcessElements).toEqual([
      { elementId: 'Lookup', elementName: 'Lookup' },
      { elementId: 'Notify', elementName: 'Notify' },
    ]);
    d.send({
      type: 'jobCompleted',
      jobId: first.id,
      variables: { agent: { turn: 1 } },
      adHoc: { activateElements: [{ elementId: 'Lookup', variables: { toolCall: { id: 'c1' } } }] },
    });
    d.completeJob('lookup', { toolCallResult: 'found it' });
    const second = d.commandsOf('runJob').filter((c) => c.activityType === 'agent')[1];
    expect(second.input.toolCallResults).toEqual([{ id: 'c1', content: 'found it' }]);
    d.send({
      type: 'jobCompleted',
      jobId: second.jobId,
      variables: { agent: { turn: 2, answer: 'done' } },
      adHoc: { completionConditionFulfilled: true },
    });
    expect(d.status).toBe('completed');
    expect(d.variables.agent).toEqual({ turn: 2, answer: 'done' });
  });

  it('is refused at deploy with a start event inside', async () => {
    await expect(
      compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Pick')}
        <bpmn:adHocSubProcess id="Pick"><bpmn:startEvent id="Inner" />${flow('a1', 'Inner', 'Lookup')}${job('Lookup', 'lookup')}</bpmn:adHocSubProcess>
        ${flow('f2', 'Pick', 'E')}<bpmn:endEvent id="E" />`),
    ).rejects.toThrow(/Pick: An ad-hoc sub-process has no start or end events/);
  });
});
