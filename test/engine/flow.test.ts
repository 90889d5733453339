/**
 * Pure engine: sequences, tasks, gateways, mappings, incidents and cancellation.
 */
import { GraphBuilder, map, feel } from './graph-builder';
import { Driver } from './driver';
import { handleEvent, startInstance, instanceView } from '../../workflows/engine';

describe('sequence and tasks', () => {
  const graph = (() => {
    const g = new GraphBuilder('seq');
    g.start('start').service('fetch', 'fetchChild').script('calc', 'age + 1', 'nextAge').manual('check').end('end');
    g.chain('start', 'fetch', 'calc', 'check', 'end');
    return g.build();
  })();

  it('runs service, script and manual tasks in order and ends with the variables', () => {
    const d = new Driver(graph, { nhsNumber: '9434765919' });
    expect(d.path).toEqual(['start']);
    const [job] = d.commandsOf('runJob');
    expect(job).toMatchObject({ activityType: 'fetchChild', elementId: 'fetch', input: { nhsNumber: '9434765919' } });
    d.completeJob('fetchChild', { age: 3 });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'fetch', 'calc', 'check', 'end', 'seq']);
    expect(d.variables).toEqual({ nhsNumber: '9434765919', age: 3, nextAge: 4 });
    expect(d.commandsOf('complete')).toEqual([
      { type: 'complete', variables: { nhsNumber: '9434765919', age: 3, nextAge: 4 } },
    ]);
  });

  it('ignores a stale job completion', () => {
    const d = new Driver(graph);
    const cmds = d.send({ type: 'jobCompleted', jobId: 'job-999', variables: {} });
    expect(cmds).toEqual([]);
    expect(d.active).toEqual(['fetch']);
  });

  it('refuses a graph of an unknown format and a bad id seed', () => {
    expect(() =>
      startInstance({ ...graph, format: 'x' as never }, {}, 0, { idSeed: '0f0e0d0c-0b0a-4908-8706-' }),
    ).toThrow(/format/);
    expect(() => startInstance(graph, {}, 0, { idSeed: 'nope' })).toThrow(/idSeed/);
  });
});

describe('input and output mappings', () => {
  it('maps inputs into the task and only mapped outputs out of it', () => {
    const g = new GraphBuilder('io');
    g.start('start')
      .service('lookup', 'lookupGp', {
        inputs: [map('practice', 'child.gp'), map('address.postcode', '"B1 1AA"')],
        outputs: [map('gpEmail', 'email'), map('child.notified', 'true')],
      })
      .end('end');
    g.chain('start', 'lookup', 'end');
    const d = new Driver(g.build(), { child: { gp: 'M85001', name: 'Ada' } });
    const job = d.commandsOf('runJob')[0];
    expect(job.input).toMatchObject({ practice: 'M85001', address: { postcode: 'B1 1AA' } });
    d.completeJob('lookupGp', { email: 'gp@example.nhs.uk', noise: 1 });
    expect(d.variables).toEqual({ child: { gp: 'M85001', name: 'Ada', notified: true }, gpEmail: 'gp@example.nhs.uk' });
  });
});

describe('exclusive gateway', () => {
  const build = (withDefault: boolean) => {
    const g = new GraphBuilder('xor');
    g.start('start')
      .xor('split')
      .service('high', 'high')
      .service('low', 'low')
      .service('other', 'other')
      .xor('merge')
      .end('end');
    g.flow('start', 'split')
      .flow('split', 'high', { condition: 'score > 10' })
      .flow('split', 'low', { condition: 'score > 0' });
    if (withDefault) g.flow('split', 'other', { isDefault: true });
    g.chain('high', 'merge').chain('low', 'merge').chain('other', 'merge').chain('merge', 'end');
    return g.build();
  };

  it.each([
    [20, 'high'],
    [5, 'low'],
    [-1, 'other'],
  ])('score %p takes the first true flow in order (%s), else the default', (score, expected) => {
    const d = new Driver(build(true), { score });
    expect(d.jobs().map((j) => j.nodeId)).toEqual([expected]);
    d.completeJob(expected);
    expect(d.path).toEqual(['start', 'split', expected, 'merge', 'end', 'xor']);
  });

  it('raises an incident when no condition holds and there is no default; a retry with fixed variables resumes', () => {
    const d = new Driver(build(false), { score: -1 });
    const incident = Object.values(d.state.incidents)[0];
    expect(incident).toMatchObject({ kind: 'noOutgoingFlow', elementId: 'split', resume: 'activate' });
    expect(d.commandsOf('incidentOpened')).toHaveLength(1);
    d.send({ type: 'incidentRetried', incidentId: incident.id, variables: { score: 3 } });
    expect(d.state.incidents).toEqual({});
    expect(d.commandsOf('incidentResolved')).toEqual([{ type: 'incidentResolved', incidentId: incident.id }]);
    expect(d.jobs().map((j) => j.nodeId)).toEqual(['low']);
  });

  it('treats a null condition as false (FEEL comparison of text with a number)', () => {
    const d = new Driver(build(true), { score: 'abc' });
    expect(d.jobs().map((j) => j.nodeId)).toEqual(['other']);
  });

  it('raises an expression incident when a condition does not give true or false', () => {
    const g = new GraphBuilder('xor2');
    g.start('start').xor('split').end('a').end('b');
    g.flow('start', 'split').flow('split', 'a', { condition: 'score + 1' }).flow('split', 'b', { isDefault: true });
    const d = new Driver(g.build(), { score: 2 });
    expect(Object.values(d.state.incidents)[0]).toMatchObject({ kind: 'expression', elementId: 'split' });
    expect(Object.values(d.state.incidents)[0].message).toMatch(/should give true or false/);
    expect(d.status).toBe('running');
  });
});

describe('parallel gateway', () => {
  it('forks to every branch and joins once all arrived', () => {
    const g = new GraphBuilder('and');
    g.start('start').and('fork').service('a', 'a').service('b', 'b').script('c', '1', 'c').and('join').end('end');
    g.chain('start', 'fork')
      .chain('fork', 'a', 'join')
      .chain('fork', 'b', 'join')
      .chain('fork', 'c', 'join')
      .chain('join', 'end');
    const d = new Driver(g.build());
    expect(
      d
        .jobs()
        .map((j) => j.nodeId)
        .sort(),
    ).toEqual(['a', 'b']);
    d.completeJob('b', { fromB: true });
    expect(d.state.instances['ei-0'].joins).toEqual({ join: { 'c->join': 1, 'b->join': 1 } });
    expect(d.status).toBe('running');
    d.completeJob('a', { fromA: true });
    expect(d.status).toBe('completed');
    expect(d.path.filter((p) => p === 'join')).toHaveLength(1);
    expect(d.path.slice(-3)).toEqual(['join', 'end', 'and']);
    expect(d.variables).toEqual({ c: 1, fromA: true, fromB: true });
  });
});

describe('inclusive gateway', () => {
  const graph = (() => {
    const g = new GraphBuilder('or');
    g.start('start')
      .or('fork', 'fork->none')
      .service('hearing', 'hearing')
      .service('bloodspot', 'bloodspot')
      .manual('none')
      .or('join')
      .end('end');
    g.flow('start', 'fork')
      .flow('fork', 'hearing', { condition: 'needsHearing' })
      .flow('fork', 'bloodspot', { condition: 'needsBloodspot' })
      .flow('fork', 'none', { id: 'fork->none', isDefault: true })
      .chain('hearing', 'join')
      .chain('bloodspot', 'join')
      .chain('none', 'join')
      .chain('join', 'end');
    return g.build();
  })();

  it('activates every true branch and the join waits only for those', () => {
    const d = new Driver(graph, { needsHearing: true, needsBloodspot: true });
    expect(
      d
        .jobs()
        .map((j) => j.nodeId)
        .sort(),
    ).toEqual(['bloodspot', 'hearing']);
    d.completeJob('hearing');
    expect(d.status).toBe('running');
    d.completeJob('bloodspot');
    expect(d.status).toBe('completed');
    expect(d.path.filter((p) => p === 'join')).toHaveLength(1);
  });

  it('joins at once when only one branch was taken', () => {
    const d = new Driver(graph, { needsHearing: false, needsBloodspot: true });
    expect(d.jobs().map((j) => j.nodeId)).toEqual(['bloodspot']);
    d.completeJob('bloodspot');
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'fork', 'bloodspot', 'join', 'end', 'or']);
  });

  it('takes the default flow when no condition holds', () => {
    const d = new Driver(graph, { needsHearing: false, needsBloodspot: false });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'fork', 'none', 'join', 'end', 'or']);
  });
});

describe('job failures and incidents', () => {
  const graph = (() => {
    const g = new GraphBuilder('inc');
    g.start('start').and('fork').service('flaky', 'flaky').service('fine', 'fine').and('join').end('end');
    g.chain('start', 'fork').chain('fork', 'flaky', 'join').chain('fork', 'fine', 'join').chain('join', 'end');
    return g.build();
  })();

  it('turns a failed job into an incident while other branches go on, and a retry re-runs the job', () => {
    const d = new Driver(graph);
    const firstJob = d.jobs('flaky')[0].id;
    d.send({ type: 'jobFailed', jobId: firstJob, message: 'PDS unavailable' });
    const [incident] = Object.values(d.state.incidents);
    expect(incident).toMatchObject({
      kind: 'jobFailed',
      elementId: 'flaky',
      message: 'PDS unavailable',
      resume: 'job',
    });
    expect(instanceView(d.state).active.find((a) => a.elementId === 'flaky')?.state).toBe('incident');
    d.completeJob('fine');
    expect(d.path).toContain('fine');
    d.send({ type: 'incidentRetried', incidentId: incident.id });
    const retried = d.jobs('flaky')[0];
    expect(retried.id).not.toBe(firstJob);
    d.completeJob('flaky');
    expect(d.status).toBe('completed');
  });

  it('refuses to retry an unknown incident', () => {
    const d = new Driver(graph);
    const step = handleEvent(graph, d.state, { type: 'incidentRetried', incidentId: 'incident-42' }, d.now);
    expect(step.accepted).toBe(false);
    expect(step.commands).toEqual([]);
  });
});

describe('cancellation', () => {
  it('terminates every element and cancels what backs them', () => {
    const g = new GraphBuilder('cancel');
    g.start('start')
      .and('fork')
      .service('job', 'job')
      .user('task')
      .timerCatch('wait', 'duration', 'P1D')
      .end('e1')
      .end('e2')
      .end('e3');
    g.chain('start', 'fork').chain('fork', 'job', 'e1').chain('fork', 'task', 'e2').chain('fork', 'wait', 'e3');
    const d = new Driver(g.build());
    const cmds = d.send({ type: 'cancelRequested' });
    expect(cmds.map((c) => c.type).sort()).toEqual(['cancelJob', 'cancelTimer', 'cancelUserTask', 'terminate']);
    expect(d.status).toBe('cancelled');
    expect(d.state.waits).toEqual({});
    expect(
      d.state.log
        .filter((e) => e.state === 'terminated')
        .map((e) => e.elementId)
        .sort(),
    ).toEqual(['cancel', 'job', 'task', 'wait']);
    expect(handleEvent(d.graph, d.state, { type: 'cancelRequested' }, d.now).accepted).toBe(false);
  });
});

describe('script task', () => {
  it('sets its result variable from FEEL, dates included', () => {
    const g = new GraphBuilder('script');
    g.start('start').script('due', 'dateOfBirth + duration("P56D")', 'firstImmunisationDue').end('end');
    g.chain('start', 'due', 'end');
    const d = new Driver(g.build(), { dateOfBirth: '2026-01-01' });
    expect(d.variables.firstImmunisationDue).toBe('2026-02-26');
  });

  it('raises an incident for FEEL that fails', () => {
    const g = new GraphBuilder('script');
    g.start('start').script('bad', 'x(', 'y').end('end');
    g.chain('start', 'bad', 'end');
    const d = new Driver(g.build());
    expect(Object.values(d.state.incidents)[0]).toMatchObject({ kind: 'expression', elementId: 'bad' });
  });
});

describe('user task', () => {
  it('resolves assignment, dates, priority and form, then completes with data and outcome', () => {
    const g = new GraphBuilder('ut');
    g.start('start')
      .user(
        'review',
        {
          assignee: feel('lead'),
          candidateGroups: { type: 'literal', values: ['safeguarding', 'birmingham'] },
          candidateUsers: { type: 'feel', expression: '["amy", "bob"]' },
          dueDate: feel('dateOfBirth + duration("P14D")'),
          followUpDate: { type: 'literal', value: 'P7D' },
          priority: feel('80'),
          form: { source: 'embedded', key: 'f', fields: [{ key: 'seen', type: 'boolean', required: true }] },
        },
        { name: 'Review transfer' },
      )
      .end('end');
    g.chain('start', 'review', 'end');
    const d = new Driver(g.build(), { lead: 'sam', dateOfBirth: '2026-01-01' });
    const [open] = d.commandsOf('openUserTask');
    expect(open).toMatchObject({
      name: 'Review transfer',
      assignee: 'sam',
      candidateGroups: ['safeguarding', 'birmingham'],
      candidateUsers: ['amy', 'bob'],
      dueAt: Date.UTC(2026, 0, 15),
      followUpAt: d.now + 7 * 24 * 3600 * 1000,
      priority: 80,
    });
    expect(open.taskId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    d.completeTask('review', { seen: true }, 'accept');
    expect(d.variables).toMatchObject({ seen: true, outcome: 'accept' });
    expect(d.status).toBe('completed');
  });
});

describe('start events', () => {
  const g = new GraphBuilder('starts');
  g.start('plain')
    .start(
      'byMessage',
      { type: 'message', message: { name: { type: 'literal', value: 'birthNotified' } } },
      { outputs: [map('source', '"PDS"')] },
    )
    .start('byTimer', { type: 'timer', timer: { kind: 'cycle', value: { type: 'literal', value: 'R/P1D' } } })
    .end('e1')
    .end('e2')
    .end('e3');
  g.chain('plain', 'e1').chain('byMessage', 'e2').chain('byTimer', 'e3');
  const graph = g.build();

  it('starts at the none start event by default, at a message start by name, or at a named start event', () => {
    expect(new Driver(graph).path).toEqual(['plain', 'e1', 'starts']);
    const byMessage = new Driver(graph, { nhsNumber: '1' }, { messageName: 'birthNotified' });
    expect(byMessage.path).toEqual(['byMessage', 'e2', 'starts']);
    expect(byMessage.variables).toEqual({ nhsNumber: '1', source: 'PDS' });
    expect(new Driver(graph, {}, { startEventId: 'byTimer' }).path).toEqual(['byTimer', 'e3', 'starts']);
  });

  it('names the problem when the start event does not exist', () => {
    expect(() => new Driver(graph, {}, { messageName: 'nope' })).toThrow(
      'process "starts" has no message start event for message "nope"',
    );
    expect(() => new Driver(graph, {}, { startEventId: 'e1' })).toThrow(
      '"e1" is not a start event of process "starts"',
    );
  });
});
