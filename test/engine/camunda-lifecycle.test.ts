/**
 * Camunda 8 behaviour finished in issue 16's last part, compiled from BPMN as a deployment
 * compiles it and driven through the pure engine:
 * - user task due and follow-up dates written with a zone id deploy (and run, see
 *   cron-and-zone-timers.test.ts);
 * - a compensation throw event with waitForCompletion="false" goes on at once while its handlers
 *   run; its scope completes only once they have;
 * - a compensation event sub-process: when a completed sub-process that has one is compensated, it
 *   runs in the sub-process's scope as it was (its local variables, its compensable activities)
 *   instead of the inner activities' handlers;
 * - task listeners on assigning, updating, completing and canceling: each transition takes effect
 *   once its listeners' jobs have completed, with their corrections; a denial leaves the task as
 *   it was; canceling listeners run once an interrupted task has ended, and the process waits.
 */
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn/compile';
import type { CompiledGraph } from '../../bpmn/runtime';
import { handleEvent } from '../../workflows/engine';
import { Driver } from './driver';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"';

async function compile(body: string, roots = ''): Promise<CompiledGraph> {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="D" targetNamespace="http://bpmn.io/schema/bpmn"><bpmn:process id="P" isExecutable="true">${body}</bpmn:process>${roots}</bpmn:definitions>`;
  const out = await compileDefinition(xml, { activityTypes: ACTIVITY_TYPES, candidateGroups: new Set() });
  if (!out.ok) throw new Error(out.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  return out.graph;
}

const flow = (id: string, from: string, to: string) =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`;

const job = (id: string, type: string, extra = '') =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" />${extra}</bpmn:extensionElements></bpmn:serviceTask>`;
/** A service task `id` of job type `type` with a compensation boundary event and its handler `Undo_<id>` (job `undo-<type>`). */
const undoable = (id: string, type: string) =>
  `${job(id, type)}<bpmn:boundaryEvent id="${id}_Comp" attachedToRef="${id}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
   ${job(`Undo_${id}`, `undo-${type}`).replace('<bpmn:serviceTask ', '<bpmn:serviceTask isForCompensation="true" ')}
   <bpmn:association id="A_${id}" sourceRef="${id}_Comp" targetRef="Undo_${id}" />`;

describe('user task dates with a zone id', () => {
  const withSchedule = (dueDate: string) =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
      <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
        <zeebe:taskSchedule dueDate="${dueDate}" followUpDate="2026-07-01T09:00:00[Europe/London]" /></bpmn:extensionElements></bpmn:userTask>
      ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />`);

  it('deploy as written in zeebe:taskSchedule and open the task at that local time', async () => {
    const d = new Driver(await withSchedule('2026-07-01T17:00:00[Europe/London]'), {}, { zonedTaskDates: true });
    const [task] = d.commandsOf('openUserTask');
    expect(new Date(task.dueAt!).toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(new Date(task.followUpAt!).toISOString()).toBe('2026-07-01T08:00:00.000Z');
  });

  it('an unknown zone id is refused at deploy, naming it', async () => {
    await expect(withSchedule('2026-07-01T17:00:00[Mars/Olympus]')).rejects.toThrow(
      /Review: .*"Mars\/Olympus" is not a known zone id/,
    );
  });
});

describe('a compensation throw event that does not wait for its handlers', () => {
  const diagram = (wait: string) =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Book')}${undoable('Book', 'book')}${flow('f2', 'Book', 'Undo')}
      <bpmn:intermediateThrowEvent id="Undo"><bpmn:compensateEventDefinition ${wait} /></bpmn:intermediateThrowEvent>${flow('f3', 'Undo', 'Tell')}
      ${job('Tell', 'tell-family')}${flow('f4', 'Tell', 'E')}<bpmn:endEvent id="E" />`);

  it('goes on at once: the next task runs beside the handler, and the process ends once both have', async () => {
    const d = new Driver(await diagram('waitForCompletion="false"'));
    d.completeJob('book');
    expect(d.jobs().map((j) => j.activityType)).toEqual(['undo-book', 'tell-family']);
    expect(d.path).toContain('Undo');
    d.completeJob('tell-family');
    expect(d.status).toBe('running');
    expect(d.active).toEqual(['Undo_Book']);
    d.completeJob('undo-book');
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['S', 'Book', 'Undo', 'Tell', 'E', 'Undo_Book', 'P']);
  });

  it('waits for the handler when waitForCompletion is true or absent, as before', async () => {
    for (const wait of ['', 'waitForCompletion="true"']) {
      const d = new Driver(await diagram(wait));
      d.completeJob('book');
      expect(d.jobs().map((j) => j.activityType)).toEqual(['undo-book']);
      d.completeJob('undo-book');
      d.completeJob('tell-family');
      expect(d.path).toEqual(['S', 'Book', 'Undo_Book', 'Undo', 'Tell', 'E', 'P']);
    }
  });
});

describe('a compensation event sub-process', () => {
  /** Sub (Book with handler, local variable `ref`; compensation event sub-process: Notify, then compensate all) → Fail → throw. */
  const diagram = (espBody: string) =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Sub')}
      <bpmn:subProcess id="Sub">
        <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=&quot;R-1&quot;" target="ref" /></zeebe:ioMapping></bpmn:extensionElements>
        <bpmn:startEvent id="SS" />${flow('g1', 'SS', 'Book')}${undoable('Book', 'book')}${flow('g2', 'Book', 'SE')}<bpmn:endEvent id="SE" />
        <bpmn:subProcess id="OnUndo" triggeredByEvent="true">
          <bpmn:startEvent id="US"><bpmn:compensateEventDefinition /></bpmn:startEvent>${espBody}
        </bpmn:subProcess>
      </bpmn:subProcess>
      ${flow('f2', 'Sub', 'Check')}${job('Check', 'check')}${flow('f3', 'Check', 'Revert')}
      <bpmn:intermediateThrowEvent id="Revert"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>${flow('f4', 'Revert', 'E')}
      <bpmn:endEvent id="E" />`);

  it("runs instead of the inner handlers, in the sub-process's scope as it was; the throw waits for it", async () => {
    const g = await diagram(
      `${flow('u1', 'US', 'Notify')}${job('Notify', 'notify-undo')}${flow('u2', 'Notify', 'UE')}<bpmn:endEvent id="UE" />`,
    );
    expect(g.nodes.Sub).toMatchObject({ compensationEventSubProcessId: 'OnUndo' });
    const d = new Driver(g);
    d.completeJob('book');
    d.completeJob('check');
    // Not the inner handler (undo-book): the event sub-process, seeing the sub-process's local `ref`.
    const [notify] = d.jobs();
    expect(notify.activityType).toBe('notify-undo');
    expect(d.commandsOf('runJob').find((c) => c.jobId === notify.id)?.input).toMatchObject({ ref: 'R-1' });
    expect(d.active).toEqual(expect.arrayContaining(['Revert', 'Sub', 'OnUndo', 'Notify']));
    d.completeJob('notify-undo');
    expect(d.status).toBe('completed');
    expect(d.path).toEqual([
      ...['S', 'SS', 'Book', 'SE', 'Sub', 'Check'],
      ...['US', 'Notify', 'UE', 'OnUndo', 'Sub'], // the sub-process brought back, ending with its event sub-process
      ...['Revert', 'E', 'P'],
    ]);
  });

  it('a compensation throw inside it compensates the activities the sub-process completed', async () => {
    const g = await diagram(`${flow('u1', 'US', 'UndoAll')}
      <bpmn:intermediateThrowEvent id="UndoAll"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>${flow('u2', 'UndoAll', 'UE')}<bpmn:endEvent id="UE" />`);
    const d = new Driver(g);
    d.completeJob('book');
    d.completeJob('check');
    expect(d.jobs().map((j) => j.activityType)).toEqual(['undo-book']);
    d.completeJob('undo-book');
    expect(d.status).toBe('completed');
    expect(d.path).toEqual([
      ...['S', 'SS', 'Book', 'SE', 'Sub', 'Check'],
      ...['US', 'Undo_Book', 'UndoAll', 'UE', 'OnUndo', 'Sub'],
      ...['Revert', 'E', 'P'],
    ]);
  });

  it('is refused at deploy outside a sub-process, where nothing could compensate it', async () => {
    await expect(
      compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'E')}<bpmn:endEvent id="E" />
        <bpmn:subProcess id="OnUndo" triggeredByEvent="true"><bpmn:startEvent id="US"><bpmn:compensateEventDefinition /></bpmn:startEvent>${flow('u1', 'US', 'UE')}<bpmn:endEvent id="UE" /></bpmn:subProcess>`),
    ).rejects.toThrow(/US: .*event sub-process start event outside a sub-process is not supported yet/);
  });
});

describe('task listeners on assigning, updating, completing and canceling', () => {
  /** Review (user task with the given listeners and extra settings) → E; a timer boundary `Late` (PT1H) → Escalate job. */
  const review = (listeners: string, extra = '') =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
      <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />${extra}
        <zeebe:taskListeners>${listeners}</zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
      ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />
      <bpmn:boundaryEvent id="Late" attachedToRef="Review"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      ${flow('f3', 'Late', 'Escalate')}${job('Escalate', 'escalate')}${flow('f4', 'Escalate', 'E2')}<bpmn:endEvent id="E2" />`);
  const listener = (eventType: string, type: string) =>
    `<zeebe:taskListener eventType="${eventType}" type="${type}" />`;
  const ended = (d: Driver) => d.commandsOf('userTaskTransitionEnded');

  it('completing: the task stays open until the listeners have run; the process goes on with the completion data', async () => {
    const d = new Driver(await review(listener('completing', 'check-a') + listener('completing', 'check-b')));
    d.completeTask('Review', { decision: 'accept' });
    expect(d.tasks('Review')).toHaveLength(1);
    expect(d.jobs('check-a')[0].listener).toEqual({ kind: 'task', eventType: 'completing', index: 0 });
    // A second completion meanwhile is not taken.
    expect(d.send({ type: 'userTaskCompleted', taskId: d.tasks('Review')[0].id, data: {} })).toEqual([]);
    d.completeJob('check-a');
    expect(d.status).toBe('running');
    d.completeJob('check-b');
    expect(ended(d)).toEqual([expect.objectContaining({ eventType: 'completing', outcome: 'done' })]);
    expect(d.status).toBe('completed');
    expect(d.variables.decision).toBe('accept');
  });

  it('completing: a listener that denies leaves the task open and drops the corrections before it; a later completion is taken', async () => {
    const d = new Driver(await review(listener('completing', 'check-a') + listener('completing', 'check-b')));
    const taskId = d.tasks('Review')[0].id;
    d.completeTask('Review', { decision: 'accept' });
    d.send({ type: 'jobCompleted', jobId: d.jobs('check-a')[0].id, corrections: { priority: 90 } });
    d.send({
      type: 'jobCompleted',
      jobId: d.jobs('check-b')[0].id,
      denied: true,
      deniedReason: 'no evidence attached',
    });
    expect(ended(d)).toEqual([
      {
        type: 'userTaskTransitionEnded',
        taskId,
        eventType: 'completing',
        outcome: 'denied',
        reason: 'no evidence attached',
      },
    ]);
    expect(d.tasks('Review').map((t) => t.id)).toEqual([taskId]);
    expect(d.variables.decision).toBeUndefined();
    d.completeTask('Review', { decision: 'refer' });
    d.completeJob('check-a');
    d.completeJob('check-b');
    expect(d.status).toBe('completed');
    expect(d.variables.decision).toBe('refer');
  });

  it('assigning: an assignment takes effect with the corrected assignee; one denied changes nothing', async () => {
    const d = new Driver(await review(listener('assigning', 'route')));
    const taskId = d.tasks('Review')[0].id;
    d.send({ type: 'userTaskChangeRequested', taskId, eventType: 'assigning', changes: { assignee: 'amy' } });
    expect(ended(d)).toEqual([]);
    // The listener's job is told what is changing, in Camunda's reserved headers.
    const routeJob = d.commandsOf('runJob').find((c) => c.activityType === 'route');
    expect(routeJob?.headers).toEqual({
      'io.camunda.zeebe:action': 'assign',
      'io.camunda.zeebe:assignee': 'amy',
      'io.camunda.zeebe:changedAttributes': '["assignee"]',
    });
    d.send({ type: 'jobCompleted', jobId: d.jobs('route')[0].id, corrections: { assignee: 'bob', priority: 80 } });
    expect(ended(d)).toEqual([
      expect.objectContaining({ eventType: 'assigning', outcome: 'done', changes: { assignee: 'bob', priority: 80 } }),
    ]);
    d.send({ type: 'userTaskChangeRequested', taskId, eventType: 'assigning', changes: { assignee: 'cat' } });
    d.send({ type: 'jobCompleted', jobId: d.jobs('route')[0].id, denied: true });
    expect(ended(d)[1]).toMatchObject({ eventType: 'assigning', outcome: 'denied' });
  });

  it("assigning: the process's own assignee passes the listeners before the task opens", async () => {
    const d = new Driver(
      await review(
        listener('assigning', 'route'),
        '<zeebe:assignmentDefinition assignee="amy" candidateGroups="clerks" />',
      ),
    );
    expect(d.commandsOf('openUserTask')).toEqual([]);
    d.send({ type: 'jobCompleted', jobId: d.jobs('route')[0].id, corrections: { assignee: 'bob' } });
    expect(d.commandsOf('openUserTask')).toEqual([
      expect.objectContaining({ assignee: 'bob', candidateGroups: ['clerks'] }),
    ]);
  });

  it('updating: an update without listeners is done at once; with them it waits and may be denied', async () => {
    const plain = new Driver(await review(listener('completing', 'check')));
    plain.send({
      type: 'userTaskChangeRequested',
      taskId: plain.tasks()[0].id,
      eventType: 'updating',
      changes: { priority: 10 },
    });
    expect(ended(plain)).toEqual([expect.objectContaining({ outcome: 'done', changes: { priority: 10 } })]);

    const d = new Driver(await review(listener('updating', 'vet')));
    d.send({
      type: 'userTaskChangeRequested',
      taskId: d.tasks()[0].id,
      eventType: 'updating',
      changes: { dueDate: '2026-02-01T17:00:00Z' },
    });
    expect(d.jobs('vet')[0].listener).toMatchObject({ eventType: 'updating' });
    d.send({ type: 'jobCompleted', jobId: d.jobs('vet')[0].id, corrections: { dueDate: 'tomorrow' } });
    // A correction that is not a date-time is an incident on the listener; the retry runs it again.
    const [incident] = Object.values(d.state.incidents);
    expect(incident.message).toMatch(/corrected dueDate to "tomorrow"/);
    d.send({ type: 'incidentRetried', incidentId: incident.id });
    d.send({ type: 'jobCompleted', jobId: d.jobs('vet')[0].id, denied: true });
    expect(ended(d)).toEqual([expect.objectContaining({ eventType: 'updating', outcome: 'denied' })]);
  });

  it('canceling: a task interrupted by a boundary event runs its canceling listeners; the process completes once they have', async () => {
    const d = new Driver(await review(listener('canceling', 'tidy-up') + listener('completing', 'check')));
    d.completeTask('Review', {});
    expect(d.jobs('check')).toHaveLength(1);
    d.fireNextTimer();
    // The held completion ends as cancelled; the task is cancelled; the boundary path runs.
    expect(ended(d)).toEqual([expect.objectContaining({ eventType: 'completing', outcome: 'cancelled' })]);
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
    expect(
      d
        .jobs()
        .map((j) => j.activityType)
        .sort(),
    ).toEqual(['escalate', 'tidy-up']);
    expect(d.jobs('tidy-up')[0].listener).toEqual({ kind: 'task', eventType: 'canceling', index: 0 });
    d.completeJob('escalate');
    expect(d.status).toBe('running');
    d.completeJob('tidy-up');
    expect(d.status).toBe('completed');
  });

  it('canceling: a task that completes runs none', async () => {
    const d = new Driver(await review(listener('canceling', 'tidy-up')));
    d.completeTask('Review', {});
    expect(d.status).toBe('completed');
    expect(d.jobs()).toEqual([]);
  });

  it('canceling: a terminate end event on a parallel path cancels the task; the process completes once its canceling listener has', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Split')}<bpmn:parallelGateway id="Split" />
      ${flow('f2', 'Split', 'Review')}${flow('f3', 'Split', 'Stop')}
      <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
        <zeebe:taskListeners>${listener('canceling', 'tidy-up')}</zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
      ${flow('f4', 'Review', 'E')}<bpmn:endEvent id="E" />
      ${job('Stop', 'decide')}${flow('f5', 'Stop', 'Kill')}<bpmn:endEvent id="Kill"><bpmn:terminateEventDefinition /></bpmn:endEvent>`);
    const d = new Driver(g);
    d.completeJob('decide');
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
    expect(d.status).toBe('running');
    d.completeJob('tidy-up');
    expect(d.status).toBe('completed');
  });

  it('canceling: a cancelled process instance runs none (its tasks end with it)', async () => {
    const d = new Driver(await review(listener('canceling', 'tidy-up')));
    d.send({ type: 'cancelRequested' });
    expect(d.status).toBe('cancelled');
    expect(d.jobs()).toEqual([]);
  });
});

describe('canceling listeners hold what terminated their task (Camunda 8.8; instances started since the patch)', () => {
  const HOLD = { cancelingListenersHold: true };
  const listener = (eventType: string, type: string) =>
    `<zeebe:taskListener eventType="${eventType}" type="${type}" />`;
  const userTask = (id: string, listeners: string) =>
    `<bpmn:userTask id="${id}"><bpmn:extensionElements><zeebe:userTask />
      <zeebe:taskListeners>${listeners}</zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>`;
  /** Review (canceling listener tidy-up) → E; an interrupting timer boundary Late (PT1H) → Escalate → E2. */
  const review = () =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}${userTask('Review', listener('canceling', 'tidy-up'))}
      ${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />
      <bpmn:boundaryEvent id="Late" attachedToRef="Review"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      ${flow('f3', 'Late', 'Escalate')}${job('Escalate', 'escalate')}${flow('f4', 'Escalate', 'E2')}<bpmn:endEvent id="E2" />`);
  const jobTypes = (d: Driver) =>
    d
      .jobs()
      .map((j) => j.activityType)
      .sort();

  it("an interrupting boundary event's path starts only once the task's canceling listeners have completed", async () => {
    const d = new Driver(await review(), {}, HOLD);
    d.fireNextTimer();
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
    // The task is still terminating: its listener runs, the boundary event has not been reached.
    expect(jobTypes(d)).toEqual(['tidy-up']);
    expect(d.active).toEqual(['Review']);
    expect(d.path).not.toContain('Late');
    d.completeJob('tidy-up');
    expect(jobTypes(d)).toEqual(['escalate']);
    expect(d.path).toContain('Late');
    d.completeJob('escalate');
    expect(d.status).toBe('completed');
  });

  it('an instance started before the patch runs them beside the path, as it did', async () => {
    const d = new Driver(await review());
    d.fireNextTimer();
    expect(jobTypes(d)).toEqual(['escalate', 'tidy-up']);
  });

  it('an interrupting event sub-process starts once the canceling listeners of every task it ended have run', async () => {
    const g = await compile(
      `<bpmn:startEvent id="S" />${flow('f1', 'S', 'Split')}<bpmn:parallelGateway id="Split" />
      ${flow('f2', 'Split', 'A')}${flow('f3', 'Split', 'B')}
      ${userTask('A', listener('canceling', 'tidy-a'))}${userTask('B', listener('canceling', 'tidy-b') + listener('canceling', 'tidy-b2'))}
      ${flow('f4', 'A', 'EA')}<bpmn:endEvent id="EA" />${flow('f5', 'B', 'EB')}<bpmn:endEvent id="EB" />
      <bpmn:subProcess id="Withdrawn" triggeredByEvent="true">
        <bpmn:startEvent id="WS"><bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent>
        ${flow('w1', 'WS', 'Close')}${job('Close', 'close-case')}${flow('w2', 'Close', 'WE')}<bpmn:endEvent id="WE" />
      </bpmn:subProcess>`,
      `<bpmn:message id="M" name="withdrawn"><bpmn:extensionElements><zeebe:subscription correlationKey="=&quot;k&quot;" /></bpmn:extensionElements></bpmn:message>`,
    );
    const d = new Driver(g, {}, HOLD);
    d.message('withdrawn', 'k', { reason: 'moved away' });
    expect(d.commandsOf('cancelUserTask')).toHaveLength(2);
    expect(jobTypes(d)).toEqual(['tidy-a', 'tidy-b']);
    d.completeJob('tidy-b');
    expect(jobTypes(d)).toEqual(['tidy-a', 'tidy-b2']);
    d.completeJob('tidy-a');
    expect(jobTypes(d)).toEqual(['tidy-b2']);
    d.completeJob('tidy-b2');
    expect(jobTypes(d)).toEqual(['close-case']);
    d.completeJob('close-case');
    expect(d.status).toBe('completed');
    expect(d.variables.reason).toBe('moved away');
  });

  it('a terminate end event in a sub-process: the sub-process completes once the canceling listeners have run', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Sub')}
      <bpmn:subProcess id="Sub"><bpmn:startEvent id="SS" />${flow('s1', 'SS', 'Split')}<bpmn:parallelGateway id="Split" />
        ${flow('s2', 'Split', 'Review')}${flow('s3', 'Split', 'Stop')}${userTask('Review', listener('canceling', 'tidy-up'))}
        ${flow('s4', 'Review', 'SE')}<bpmn:endEvent id="SE" />
        ${job('Stop', 'decide')}${flow('s5', 'Stop', 'Kill')}<bpmn:endEvent id="Kill"><bpmn:terminateEventDefinition /></bpmn:endEvent>
      </bpmn:subProcess>${flow('f2', 'Sub', 'After')}${job('After', 'after')}${flow('f3', 'After', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(g, {}, HOLD);
    d.completeJob('decide');
    expect(jobTypes(d)).toEqual(['tidy-up']);
    d.completeJob('tidy-up');
    expect(jobTypes(d)).toEqual(['after']);
  });

  it("cancelling the instance runs its open tasks' canceling listeners and ends as cancelled once they have", async () => {
    const d = new Driver(await review(), {}, HOLD);
    expect(d.send({ type: 'cancelRequested' })).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'cancelUserTask' })]),
    );
    expect(d.status).toBe('running');
    expect(d.timers()).toEqual([]);
    expect(jobTypes(d)).toEqual(['tidy-up']);
    // A second request meanwhile is not taken; the first goes on.
    expect(handleEvent(d.graph, d.state, { type: 'cancelRequested' }, d.now).accepted).toBe(false);
    d.completeJob('tidy-up');
    expect(d.status).toBe('cancelled');
    expect(d.commandsOf('terminate')).toEqual([expect.objectContaining({ reason: 'cancelled' })]);
  });

  it('a canceling listener that fails during the cancellation is an incident; resolved, it runs again and the cancellation ends', async () => {
    const d = new Driver(await review(), {}, HOLD);
    d.send({ type: 'cancelRequested' });
    d.send({ type: 'jobFailed', jobId: d.jobs('tidy-up')[0].id, message: 'the archive is down' });
    const [incident] = Object.values(d.state.incidents);
    expect(incident).toMatchObject({ elementId: 'Review', message: 'the archive is down' });
    expect(d.status).toBe('running');
    d.send({ type: 'incidentRetried', incidentId: incident.id });
    d.completeJob('tidy-up');
    expect(d.status).toBe('cancelled');
  });

  it('without canceling listeners, or when Temporal cancels the workflow (force), the cancellation ends at once', async () => {
    const plain = new Driver(
      await compile(
        `<bpmn:startEvent id="S" />${flow('f1', 'S', 'R')}<bpmn:userTask id="R" />${flow('f2', 'R', 'E')}<bpmn:endEvent id="E" />`,
      ),
      {},
      HOLD,
    );
    plain.send({ type: 'cancelRequested' });
    expect(plain.status).toBe('cancelled');
    const forced = new Driver(await review(), {}, HOLD);
    forced.send({ type: 'cancelRequested', force: true });
    expect(forced.status).toBe('cancelled');
    expect(forced.jobs()).toEqual([]);
  });
});

describe('canceling listeners hold a completion condition that cuts user tasks short (Camunda 8.8; instances started since the patch)', () => {
  const HOLD = { cancelingListenersHold: true, cancelingListenersHoldCompletion: true };
  const listener = (eventType: string, type: string) =>
    `<zeebe:taskListener eventType="${eventType}" type="${type}" />`;
  const userTask = (id: string, listeners: string, extra = '') =>
    `<bpmn:userTask id="${id}">${extra}<bpmn:extensionElements><zeebe:userTask />
      <zeebe:taskListeners>${listeners}</zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>`;
  const loop = (sequential: boolean) =>
    `<bpmn:multiInstanceLoopCharacteristics isSequential="${sequential}"><bpmn:extensionElements>
      <zeebe:loopCharacteristics inputCollection="=voters" inputElement="voter" outputCollection="votes" outputElement="=vote" />
      </bpmn:extensionElements><bpmn:completionCondition>=numberOfCompletedInstances &gt;= 1</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>`;
  /** Vote: a parallel multi-instance user task over `voters` (canceling listener tidy-up), done after one vote → After job → E. */
  const votes = (sequential = false) =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Vote')}
      ${userTask('Vote', listener('canceling', 'tidy-up'), '').replace('</bpmn:userTask>', `${loop(sequential)}</bpmn:userTask>`)}
      ${flow('f2', 'Vote', 'After')}${job('After', 'after')}${flow('f3', 'After', 'E')}<bpmn:endEvent id="E" />`);
  const jobTypes = (d: Driver) =>
    d
      .jobs()
      .map((j) => j.activityType)
      .sort();
  const voters = { voters: ['ann', 'bob', 'cat'] };

  it('a parallel multi-instance user task completes only once the canceling listeners of the remaining tasks have run', async () => {
    const d = new Driver(await votes(), voters, HOLD);
    expect(d.tasks('Vote')).toHaveLength(3);
    d.completeTask('Vote', { vote: 'yes' });
    // The other two tasks are cancelled; their listeners run and the body has not completed.
    expect(d.commandsOf('cancelUserTask')).toHaveLength(2);
    expect(jobTypes(d)).toEqual(['tidy-up', 'tidy-up']);
    expect(d.path).not.toContain('After');
    const [first, second] = d.jobs('tidy-up');
    d.send({ type: 'jobCompleted', jobId: first.id, variables: {} });
    expect(jobTypes(d)).toEqual(['tidy-up']);
    d.send({ type: 'jobCompleted', jobId: second.id, variables: {} });
    expect(jobTypes(d)).toEqual(['after']);
    expect(d.variables.votes).toEqual(['yes', null, null]);
    d.completeJob('after');
    expect(d.status).toBe('completed');
  });

  it('an instance started before the patch completes the body at once and runs them beside, as it did', async () => {
    const d = new Driver(await votes(), voters, { cancelingListenersHold: true });
    d.completeTask('Vote', { vote: 'yes' });
    expect(jobTypes(d)).toEqual(['after', 'tidy-up', 'tidy-up']);
  });

  it('a failing canceling listener is an incident that holds the body; resolved, it runs again and the body completes', async () => {
    const d = new Driver(await votes(), { voters: ['ann', 'bob'] }, HOLD);
    d.completeTask('Vote', { vote: 'no' });
    d.send({ type: 'jobFailed', jobId: d.jobs('tidy-up')[0].id, message: 'the archive is down' });
    const [incident] = Object.values(d.state.incidents);
    expect(incident).toMatchObject({ elementId: 'Vote', message: 'the archive is down' });
    expect(jobTypes(d)).toEqual([]);
    d.send({ type: 'incidentRetried', incidentId: incident.id });
    expect(jobTypes(d)).toEqual(['tidy-up']);
    d.completeJob('tidy-up');
    expect(jobTypes(d)).toEqual(['after']);
  });

  it('a sequential one has no remaining task to cancel: it completes at once', async () => {
    const d = new Driver(await votes(true), voters, HOLD);
    expect(d.tasks('Vote')).toHaveLength(1);
    d.completeTask('Vote', { vote: 'yes' });
    expect(jobTypes(d)).toEqual(['after']);
  });

  it('a parallel multi-instance sub-process: the body waits for the canceling listeners of the tasks inside the instances it ends', async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Visit')}
      <bpmn:subProcess id="Visit">${loop(false)}<bpmn:startEvent id="VS" />${flow('v1', 'VS', 'Book')}
        ${userTask('Book', listener('canceling', 'unbook') + listener('canceling', 'notify'))}${flow('v2', 'Book', 'VE')}<bpmn:endEvent id="VE" />
      </bpmn:subProcess>${flow('f2', 'Visit', 'After')}${job('After', 'after')}${flow('f3', 'After', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(g, { voters: ['ann', 'bob'] }, HOLD);
    d.completeTask('Book', { vote: 'ok' });
    expect(jobTypes(d)).toEqual(['unbook']);
    d.completeJob('unbook');
    // Canceling listeners of one task run one after another; the body still waits.
    expect(jobTypes(d)).toEqual(['notify']);
    d.completeJob('notify');
    expect(jobTypes(d)).toEqual(['after']);
    expect(d.variables.votes).toEqual(['ok', null]);
  });

  it('an ad-hoc sub-process whose completion condition cancels the rest completes once their canceling listeners have run', async () => {
    const adHoc = (listeners: string) =>
      compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Pick')}
      <bpmn:adHocSubProcess id="Pick"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[&quot;Lookup&quot;, &quot;Ask&quot;]" /></bpmn:extensionElements>
        ${job('Lookup', 'lookup')}${userTask('Ask', listeners)}
        <bpmn:completionCondition>=found = true</bpmn:completionCondition></bpmn:adHocSubProcess>
      ${flow('f2', 'Pick', 'After')}${job('After', 'after')}${flow('f3', 'After', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(await adHoc(listener('canceling', 'tidy-up')), {}, HOLD);
    d.completeJob('lookup', { found: true });
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
    expect(jobTypes(d)).toEqual(['tidy-up']);
    expect(d.path).not.toContain('Pick');
    d.completeJob('tidy-up');
    expect(jobTypes(d)).toEqual(['after']);
    expect(d.path).toContain('Pick');
    // Before the patch it completed at once, the listener beside.
    const before = new Driver(await adHoc(listener('canceling', 'tidy-up')), {}, { cancelingListenersHold: true });
    before.completeJob('lookup', { found: true });
    expect(jobTypes(before)).toEqual(['after', 'tidy-up']);
  });

  it("an ad-hoc sub-process's job worker saying it is done and to cancel the rest: it completes once their canceling listeners have run", async () => {
    const g = await compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Agent')}
      <bpmn:adHocSubProcess id="Agent"><bpmn:extensionElements><zeebe:taskDefinition type="agent" /></bpmn:extensionElements>
        ${job('Lookup', 'lookup')}${userTask('Ask', listener('canceling', 'tidy-up'))}</bpmn:adHocSubProcess>
      ${flow('f2', 'Agent', 'After')}${job('After', 'after')}${flow('f3', 'After', 'E')}<bpmn:endEvent id="E" />`);
    const d = new Driver(g, {}, HOLD);
    d.send({
      type: 'jobCompleted',
      jobId: d.jobs('agent')[0].id,
      variables: {},
      adHoc: { activateElements: [{ elementId: 'Ask' }, { elementId: 'Lookup' }] },
    });
    expect(d.tasks('Ask')).toHaveLength(1);
    d.completeJob('lookup');
    d.send({
      type: 'jobCompleted',
      jobId: d.jobs('agent')[0].id,
      variables: {},
      adHoc: { completionConditionFulfilled: true, cancelRemainingInstances: true },
    });
    expect(jobTypes(d)).toEqual(['tidy-up']);
    d.completeJob('tidy-up');
    expect(jobTypes(d)).toEqual(['after']);
  });
});

describe("canceling listeners' corrections (Camunda 8.8; instances started since the patch)", () => {
  const FLAGS = { cancelingListenersHold: true, cancelingListenerCorrections: true };
  /** Review (canceling listeners tidy-a then tidy-b); an interrupting timer boundary Late (PT1H) → E2. */
  const review = () =>
    compile(`<bpmn:startEvent id="S" />${flow('f1', 'S', 'Review')}
      <bpmn:userTask id="Review"><bpmn:extensionElements><zeebe:userTask />
        <zeebe:taskListeners><zeebe:taskListener eventType="canceling" type="tidy-a" /><zeebe:taskListener eventType="canceling" type="tidy-b" /></zeebe:taskListeners>
      </bpmn:extensionElements></bpmn:userTask>${flow('f2', 'Review', 'E')}<bpmn:endEvent id="E" />
      <bpmn:boundaryEvent id="Late" attachedToRef="Review"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      ${flow('f3', 'Late', 'E2')}<bpmn:endEvent id="E2" />`);
  const headersOf = (d: Driver, type: string) => d.commandsOf('runJob').find((c) => c.activityType === type)!.headers;
  const finish = (d: Driver, type: string, corrections: Record<string, unknown>) =>
    d.send({ type: 'jobCompleted', jobId: d.jobs(type)[0].id, variables: {}, corrections });

  it('the next canceling listener sees them, and the cancelled task keeps them', async () => {
    const d = new Driver(await review(), {}, FLAGS);
    const taskId = d.tasks('Review')[0].id;
    d.fireNextTimer();
    expect(headersOf(d, 'tidy-a')).toMatchObject({ 'io.camunda.zeebe:action': 'cancel' });
    expect(headersOf(d, 'tidy-a')['io.camunda.zeebe:changedAttributes']).toBeUndefined();
    finish(d, 'tidy-a', { priority: 10, candidateGroups: ['archive'] });
    expect(headersOf(d, 'tidy-b')).toMatchObject({
      'io.camunda.zeebe:action': 'cancel',
      'io.camunda.zeebe:priority': '10',
      'io.camunda.zeebe:candidateGroups': '["archive"]',
      'io.camunda.zeebe:changedAttributes': '["candidateGroups","priority"]',
    });
    expect(d.commandsOf('correctCancelledUserTask')).toEqual([]);
    finish(d, 'tidy-b', { priority: 5, assignee: '' });
    expect(d.commandsOf('correctCancelledUserTask')).toEqual([
      {
        type: 'correctCancelledUserTask',
        taskId,
        changes: { candidateGroups: ['archive'], priority: 5, assignee: null },
      },
    ]);
    expect(d.status).toBe('completed');
  });

  it('an invalid one is an incident on the listener, as for the other events; resolved, the listener runs again', async () => {
    const d = new Driver(await review(), {}, FLAGS);
    d.fireNextTimer();
    finish(d, 'tidy-a', { priority: 400 });
    const [incident] = Object.values(d.state.incidents);
    expect(incident.message).toMatch(/priority to 400/);
    d.send({ type: 'incidentRetried', incidentId: incident.id });
    finish(d, 'tidy-a', {});
    d.completeJob('tidy-b');
    expect(d.commandsOf('correctCancelledUserTask')).toEqual([]);
    expect(d.status).toBe('completed');
  });

  it('an instance started before the patch ignores them, as it did', async () => {
    const d = new Driver(await review(), {}, { cancelingListenersHold: true });
    d.fireNextTimer();
    finish(d, 'tidy-a', { priority: 400 });
    expect(headersOf(d, 'tidy-b')['io.camunda.zeebe:priority']).toBeUndefined();
    finish(d, 'tidy-b', { priority: 5 });
    expect(d.commandsOf('correctCancelledUserTask')).toEqual([]);
    expect(d.status).toBe('completed');
  });
});
