/**
 * Pure engine: embedded sub-process variables, call activities, multi-instance, the
 * Operate view and user task completion checks.
 */
import { GraphBuilder, feel, map } from './graph-builder';
import { Driver } from './driver';
import { instanceView, userTaskCompletionProblems } from '../../workflows/engine';

describe('embedded sub-process', () => {
  it('keeps input-mapped variables local and sends outputs to the process', () => {
    const g = new GraphBuilder('sub');
    g.start('start')
      .sub(
        'visit',
        (s) => {
          s.start('ss').service('book', 'book').script('mark', 'slot + " booked"', 'note').end('se');
          s.chain('ss', 'book', 'mark', 'se');
        },
        { inputs: [map('slot', '"09:00"')], outputs: [map('visitNote', 'note')] },
      )
      .end('end');
    g.chain('start', 'visit', 'end');
    const d = new Driver(g.build());
    const sub = Object.values(d.state.instances).find((i) => i.elementId === 'visit')!;
    expect(sub.variables).toEqual({ slot: '09:00' });
    expect(d.commandsOf('runJob')[0].input).toEqual({ slot: '09:00' });
    d.completeJob('book', { booked: true });
    expect(d.status).toBe('completed');
    expect(d.variables).toEqual({ booked: true, note: '09:00 booked', visitNote: '09:00 booked' });
    expect(d.path).toEqual(['start', 'ss', 'book', 'mark', 'se', 'visit', 'end', 'sub']);
  });

  it('a variable that exists in the sub-process scope is updated there, not on the process', () => {
    const g = new GraphBuilder('sub2');
    g.start('start')
      .sub(
        's',
        (s) => {
          s.start('ss').script('inc', 'counter + 1', 'counter').end('se');
          s.chain('ss', 'inc', 'se');
        },
        { inputs: [map('counter', '10')] },
      )
      .end('end');
    g.chain('start', 's', 'end');
    const d = new Driver(g.build(), { counter: 0 });
    expect(d.variables.counter).toBe(0);
  });
});

describe('call activity', () => {
  it('starts a child with the parent variables and takes its result', () => {
    const g = new GraphBuilder('parent');
    g.start('start')
      .call('screen', 'hearingScreen', { version: { binding: 'versionTag', versionTag: 'v2' } })
      .end('end');
    g.chain('start', 'screen', 'end');
    const d = new Driver(g.build(), { nhsNumber: '1' });
    const [start] = d.commandsOf('startChild');
    expect(start).toMatchObject({
      processId: 'hearingScreen',
      version: { binding: 'versionTag', versionTag: 'v2' },
      variables: { nhsNumber: '1' },
    });
    d.send({ type: 'childCompleted', callId: start.callId, variables: { outcome: 'pass' } });
    expect(d.variables).toEqual({ nhsNumber: '1', outcome: 'pass' });
    expect(d.status).toBe('completed');
  });

  it('with propagation off passes only mapped variables each way', () => {
    const g = new GraphBuilder('parent');
    g.start('start')
      .call('screen', 'hearingScreen', {
        propagateAllParentVariables: false,
        propagateAllChildVariables: false,
        inputs: [map('child', 'nhsNumber')],
      })
      .end('end');
    g.chain('start', 'screen', 'end');
    const d = new Driver(g.build(), { nhsNumber: '1', secret: 'x' });
    const [start] = d.commandsOf('startChild');
    expect(start.variables).toEqual({ child: '1' });
    d.send({ type: 'childCompleted', callId: start.callId, variables: { outcome: 'pass' } });
    expect(d.variables).toEqual({ nhsNumber: '1', secret: 'x' });
  });

  it('a child that fails with an error code is an error at the call activity; other failures are incidents', () => {
    const g = new GraphBuilder('parent');
    g.start('start')
      .call('screen', 'child')
      .boundary('failed', 'screen', { type: 'error', errorCode: 'REFERRED' })
      .end('end')
      .end('referred');
    g.chain('start', 'screen', 'end').chain('failed', 'referred');
    const d = new Driver(g.build());
    d.send({
      type: 'childFailed',
      callId: d.commandsOf('startChild')[0].callId,
      message: 'x',
      bpmnError: { code: 'REFERRED' },
    });
    expect(d.path).toEqual(['start', 'failed', 'referred', 'parent']);

    const d2 = new Driver(g.build());
    d2.send({ type: 'childFailed', callId: d2.commandsOf('startChild')[0].callId, message: 'child terminated' });
    const [incident] = Object.values(d2.state.incidents);
    expect(incident).toMatchObject({ kind: 'childFailed', elementId: 'screen' });
    d2.send({ type: 'incidentRetried', incidentId: incident.id });
    expect(d2.commandsOf('startChild')).toHaveLength(2);
  });
});

describe('multi-instance', () => {
  const build = (sequential: boolean, completionCondition?: string) => {
    const g = new GraphBuilder('mi');
    g.start('start')
      .service('invite', 'sendInvite', {
        multiInstance: {
          sequential,
          inputCollection: feel('contacts'),
          inputElement: 'contact',
          outputCollection: 'results',
          outputElement: feel('{to: contact, ok: sent}'),
          ...(completionCondition ? { completionCondition: feel(completionCondition) } : {}),
        },
      })
      .end('end');
    g.chain('start', 'invite', 'end');
    return g.build();
  };

  it('parallel: one job per item at once, outputs collected in input order', () => {
    const d = new Driver(build(false), { contacts: ['mum', 'dad', 'gp'] });
    const jobs = d.commandsOf('runJob');
    expect(jobs.map((j) => [j.input.contact, j.input.loopCounter])).toEqual([
      ['mum', 1],
      ['dad', 2],
      ['gp', 3],
    ]);
    for (const j of [jobs[2], jobs[0], jobs[1]])
      d.send({ type: 'jobCompleted', jobId: j.jobId, variables: { sent: j.input.contact !== 'dad' } });
    expect(d.status).toBe('completed');
    expect(d.variables.results).toEqual([
      { to: 'mum', ok: true },
      { to: 'dad', ok: false },
      { to: 'gp', ok: true },
    ]);
    expect(d.path.filter((p) => p === 'invite')).toHaveLength(4); // three instances and the body
  });

  it('sequential: the next item starts when the previous one completed', () => {
    const d = new Driver(build(true), { contacts: ['mum', 'dad'] });
    expect(d.jobs()).toHaveLength(1);
    expect(d.commandsOf('runJob')[0].input.contact).toBe('mum');
    d.completeJob('sendInvite', { sent: true });
    expect(d.commandsOf('runJob')[1].input.contact).toBe('dad');
    d.completeJob('sendInvite', { sent: true });
    expect(d.variables.results).toEqual([
      { to: 'mum', ok: true },
      { to: 'dad', ok: true },
    ]);
  });

  it('the completion condition stops the remaining instances', () => {
    const d = new Driver(build(false, 'numberOfCompletedInstances >= 2'), { contacts: ['a', 'b', 'c'] });
    const jobs = d.commandsOf('runJob');
    d.send({ type: 'jobCompleted', jobId: jobs[0].jobId, variables: { sent: true } });
    const cmds = d.send({ type: 'jobCompleted', jobId: jobs[2].jobId, variables: { sent: true } });
    expect(cmds).toContainEqual({ type: 'cancelJob', jobId: jobs[1].jobId });
    expect(d.status).toBe('completed');
    expect(d.variables.results).toEqual([{ to: 'a', ok: true }, null, { to: 'c', ok: true }]);
  });

  it('an empty collection completes at once; a non-list is an incident', () => {
    const d = new Driver(build(false), { contacts: [] });
    expect(d.status).toBe('completed');
    expect(d.variables.results).toEqual([]);
    const bad = new Driver(build(false), { contacts: 'mum' });
    expect(Object.values(bad.state.incidents)[0]).toMatchObject({ elementId: 'invite', kind: 'expression' });
  });

  it('a multi-instance sub-process runs its scope per item, with a boundary timer on the body', () => {
    const g = new GraphBuilder('miSub');
    g.start('start')
      .sub(
        'perChild',
        (s) => {
          s.start('ss').user('review').end('se');
          s.chain('ss', 'review', 'se');
        },
        { multiInstance: { sequential: false, inputCollection: feel('children'), inputElement: 'child' } },
      )
      .timerBoundary('tooLong', 'perChild', 'duration', 'P2D')
      .end('end')
      .end('late');
    g.chain('start', 'perChild', 'end').chain('tooLong', 'late');
    const d = new Driver(g.build(), { children: ['x', 'y'] });
    expect(d.tasks()).toHaveLength(2);
    expect(d.timers()).toHaveLength(1);
    d.completeTask('review');
    d.fireNextTimer();
    expect(d.status).toBe('completed');
    expect(d.path.slice(-3)).toEqual(['tooLong', 'late', 'miSub']);
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
  });
});

describe('Operate view', () => {
  it('lists active and completed elements with times, variables, incidents and open tasks', () => {
    const g = new GraphBuilder('view');
    g.start('start').and('fork').user('task', {}, { name: 'Check record' }).service('job', 'job').end('e1').end('e2');
    g.chain('start', 'fork').chain('fork', 'task', 'e1').chain('fork', 'job', 'e2');
    const d = new Driver(g.build(), { a: 1 });
    d.now += 1000;
    d.send({ type: 'jobFailed', jobId: d.jobs()[0].id, message: 'down' });
    const view = instanceView(d.state);
    expect(view.status).toBe('running');
    expect(view.variables).toEqual({ a: 1 });
    expect(view.active.map((a) => [a.elementId, a.state])).toEqual([
      ['view', 'active'],
      ['task', 'active'],
      ['job', 'incident'],
    ]);
    expect(view.completed.map((c) => c.elementId)).toEqual(['start', 'fork']);
    expect(view.completed[0]).toMatchObject({
      startedAt: d.state.startedAt,
      endedAt: d.state.startedAt,
      state: 'completed',
    });
    expect(view.incidents).toHaveLength(1);
    expect(view.openUserTasks).toEqual([
      {
        taskId: d.tasks()[0].id,
        elementId: 'task',
        elementInstanceId: expect.any(String),
        name: 'Check record',
        createdAt: d.state.startedAt,
      },
    ]);
  });
});

describe('user task completion checks', () => {
  const g = new GraphBuilder('form');
  g.start('start')
    .user('assess', {
      form: {
        source: 'embedded',
        key: 'assess',
        fields: [
          { key: 'decision', type: 'select', required: true, options: ['close', 'monitor', 'refer'] },
          { key: 'visits', type: 'number', required: false },
          { key: 'seenOn', type: 'date', required: false },
          { key: 'flags', type: 'checklist', required: false, options: ['cp', 'lac'] },
          { key: 'notes', type: 'textarea', required: false },
          { key: 'urgent', type: 'boolean', required: false },
        ],
      },
    })
    .end('end');
  g.chain('start', 'assess', 'end');
  const d = new Driver(g.build());
  const taskId = d.tasks()[0].id;

  it('accepts valid data', () => {
    expect(
      userTaskCompletionProblems(d.state, taskId, {
        decision: 'refer',
        visits: 2,
        seenOn: '2026-01-02',
        flags: ['cp'],
        notes: 'ok',
        urgent: false,
      }),
    ).toEqual([]);
  });

  it('names each missing or mistyped field', () => {
    expect(
      userTaskCompletionProblems(d.state, taskId, { visits: 'two', seenOn: '02/01/2026', flags: ['x'], urgent: 'yes' }),
    ).toEqual([
      'field "decision" is required',
      'field "visits" should be a number',
      'field "seenOn" should be a date (YYYY-MM-DD)',
      'field "flags" may only hold cp, lac',
      'field "urgent" should be true or false',
    ]);
    expect(userTaskCompletionProblems(d.state, taskId, { decision: 'ignore' })).toEqual([
      'field "decision" should be one of close, monitor, refer',
    ]);
  });

  it('refuses unknown tasks and non-object data', () => {
    expect(userTaskCompletionProblems(d.state, '00000000-0000-4000-8000-000000000000', {})).toEqual([
      'user task 00000000-0000-4000-8000-000000000000 is not open in this process instance',
    ]);
    expect(userTaskCompletionProblems(d.state, taskId, [1])).toEqual([
      'the task data should be an object of field values',
    ]);
  });
});

describe('scope completion order', () => {
  it('a sub-process that completes while its parent looked empty sends the token on instead of ending the process', () => {
    // Regression: the boundary path ends in the same step as the sub-process; the process
    // scope was checked after the sub-process left it, before the queued token arrived.
    const g = new GraphBuilder('order');
    g.start('start')
      .sub('sub', (s) => {
        s.start('ss').throwEvent('raise', { type: 'escalation', escalationCode: 'LATE' }).end('se');
        s.chain('ss', 'raise', 'se');
      })
      .boundary('caught', 'sub', { type: 'escalation', escalationCode: 'LATE' }, { interrupting: false })
      .end('caughtEnd')
      .user('next')
      .end('end');
    g.chain('start', 'sub', 'next', 'end').chain('caught', 'caughtEnd');
    const d = new Driver(g.build());
    expect(d.status).toBe('running');
    expect(d.tasks().map((t) => t.nodeId)).toEqual(['next']);
    d.completeTask('next');
    expect(d.status).toBe('completed');
  });
});
