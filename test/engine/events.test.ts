/**
 * Pure engine: timers, messages, event-based gateway, boundary events, errors, escalations,
 * terminate end events and event sub-processes.
 */
import { GraphBuilder, feel, lit, map } from './graph-builder';
import { DAY, Driver, T0 } from './driver';

describe('timer catch events', () => {
  it.each([
    ['duration', 'P3D', T0 + 3 * DAY],
    ['date', '2026-02-01T10:00:00Z', Date.UTC(2026, 1, 1, 10)],
    ['duration', '=duration("PT2H")', T0 + 2 * 3600 * 1000],
  ] as const)('%s %s waits until its deadline', (kind, value, due) => {
    const g = new GraphBuilder('timer');
    g.start('start').timerCatch('wait', kind, value).end('end');
    g.chain('start', 'wait', 'end');
    const d = new Driver(g.build());
    expect(d.commandsOf('startTimer')).toEqual([{ type: 'startTimer', timerId: d.timers()[0].id, fireAt: due }]);
    d.advanceTo(due - 1);
    expect(d.status).toBe('running');
    d.advanceTo(due);
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'wait', 'end', 'timer']);
  });

  it('waits until a date computed from a variable (dateOfBirth + 56 days)', () => {
    const g = new GraphBuilder('dob');
    g.start('start').timerCatch('eightWeeks', 'date', '=dateOfBirth + duration("P56D")').end('end');
    g.chain('start', 'eightWeeks', 'end');
    const d = new Driver(g.build(), { dateOfBirth: '2026-01-01' });
    expect(d.timers()[0].fireAt).toBe(Date.UTC(2026, 1, 26));
  });
});

describe('messages', () => {
  const graph = (() => {
    const g = new GraphBuilder('msg');
    g.start('start')
      .messageCatch('result', 'screeningResult', 'nhsNumber', [map('hearingOutcome', 'outcome')])
      .receive('ack', 'ack', 'nhsNumber')
      .end('end');
    g.chain('start', 'result', 'ack', 'end');
    return g.build();
  })();

  it('correlates by name and key, with output mappings, then a receive task', () => {
    const d = new Driver(graph, { nhsNumber: '9434765919' });
    expect(d.message('screeningResult', '0000000000', { outcome: 'x' })).toEqual([]);
    expect(d.message('otherMessage', '9434765919')).toEqual([]);
    expect(d.active).toEqual(['result']);
    d.message('screeningResult', '9434765919', { outcome: 'clear', extra: 1 });
    expect(d.variables).toEqual({ nhsNumber: '9434765919', hearingOutcome: 'clear' });
    expect(d.active).toEqual(['ack']);
    d.message('ack', '9434765919', { acked: true });
    expect(d.status).toBe('completed');
    expect(d.variables.acked).toBe(true);
  });

  it('keeps an early message for its time to live and delivers it when the subscription opens', () => {
    const d = new Driver(graph, { nhsNumber: '1' });
    d.message('ack', '1', { early: true }, 60_000);
    expect(d.state.bufferedMessages).toHaveLength(1);
    d.message('screeningResult', '1', { outcome: 'clear' });
    expect(d.status).toBe('completed');
    expect(d.variables.early).toBe(true);
  });

  it('drops a buffered message once it expired', () => {
    const d = new Driver(graph, { nhsNumber: '1' });
    d.message('ack', '1', { early: true }, 60_000);
    d.now += 61_000;
    d.message('screeningResult', '1', { outcome: 'clear' });
    expect(d.active).toEqual(['ack']);
    expect(d.state.bufferedMessages).toEqual([]);
  });

  it('publishes messages from throw and end events with their input-mapped payload', () => {
    const g = new GraphBuilder('pub');
    g.start('start')
      .throwEvent(
        'tell',
        { type: 'message', message: { name: lit('childMoved'), correlationKey: feel('nhsNumber') } },
        [map('to', '"Coventry"')],
      )
      .end('end', { type: 'message', message: { name: lit('done'), correlationKey: feel('nhsNumber') } });
    g.chain('start', 'tell', 'end');
    const d = new Driver(g.build(), { nhsNumber: '42' });
    expect(d.commandsOf('publishMessage')).toEqual([
      { type: 'publishMessage', name: 'childMoved', correlationKey: '42', variables: { to: 'Coventry' } },
      { type: 'publishMessage', name: 'done', correlationKey: '42', variables: {} },
    ]);
    expect(d.status).toBe('completed');
  });

  it('runs the send activity of a message end event before it ends', () => {
    const g = new GraphBuilder('send');
    g.start('start').end('end', { type: 'message', activity: { activityType: 'notifyGp', headers: {} } });
    g.chain('start', 'end');
    const d = new Driver(g.build());
    expect(d.jobs('notifyGp')).toHaveLength(1);
    d.completeJob('notifyGp', { sent: true });
    expect(d.status).toBe('completed');
    expect(d.variables).toEqual({ sent: true });
  });
});

describe('event-based gateway', () => {
  const graph = (() => {
    const g = new GraphBuilder('race');
    g.start('start')
      .eventGateway('gw')
      .messageCatch('reply', 'reply', 'key')
      .timerCatch('timeout', 'duration', 'P5D')
      .end('replied')
      .end('timedOut');
    g.chain('start', 'gw').chain('gw', 'reply', 'replied').chain('gw', 'timeout', 'timedOut');
    return g.build();
  })();

  it('the message wins and the timer is cancelled', () => {
    const d = new Driver(graph, { key: 'k' });
    const timerId = d.timers()[0].id;
    const cmds = d.message('reply', 'k', { answer: 'yes' });
    expect(cmds).toContainEqual({ type: 'cancelTimer', timerId });
    expect(d.path).toEqual(['start', 'gw', 'reply', 'replied', 'race']);
    expect(d.variables.answer).toBe('yes');
  });

  it('the timer wins and the subscription closes', () => {
    const d = new Driver(graph, { key: 'k' });
    d.fireNextTimer();
    expect(d.path).toEqual(['start', 'gw', 'timeout', 'timedOut', 'race']);
    expect(d.message('reply', 'k')).toEqual([]);
  });
});

describe('boundary timers: weekly reminders and an escalation after 28 days', () => {
  const graph = (() => {
    const g = new GraphBuilder('transfer');
    g.start('start')
      .user('accept', { candidateGroups: { type: 'literal', values: ['coventry'] } })
      .timerBoundary('weekly', 'accept', 'cycle', 'R/P7D', false)
      .service('remind', 'sendReminder')
      .end('reminded')
      .timerBoundary('overdue', 'accept', 'duration', 'P28D', true)
      .user('escalated', { candidateGroups: { type: 'literal', values: ['safeguarding'] } })
      .end('end')
      .end('accepted');
    g.chain('start', 'accept', 'accepted').chain('weekly', 'remind', 'reminded').chain('overdue', 'escalated', 'end');
    return g.build();
  })();

  it('reminds on days 7, 14 and 21, escalates on day 28 and cancels the task and the reminders', () => {
    const d = new Driver(graph);
    const taskId = d.tasks('accept')[0].id;
    for (const day of [7, 14, 21]) {
      expect(d.advanceTo(T0 + day * DAY)).toEqual(['weekly']);
      d.completeJob('sendReminder');
    }
    expect(d.path.filter((p) => p === 'remind')).toHaveLength(3);
    const fired = d.advanceTo(T0 + 28 * DAY);
    // Day 28: the reminder (armed from day 21) and the escalation are both due; the order is by timer creation.
    expect(fired.sort()).toEqual(['overdue', 'weekly'].sort());
    expect(d.commandsOf('cancelUserTask')).toEqual([{ type: 'cancelUserTask', taskId }]);
    expect(d.tasks().map((t) => t.nodeId)).toEqual(['escalated']);
    expect(d.timers()).toEqual([]);
    expect(d.state.log.find((e) => e.elementId === 'accept')?.state).toBe('terminated');
    d.completeTask('escalated', {});
    for (const job of d.jobs('sendReminder')) d.send({ type: 'jobCompleted', jobId: job.id });
    expect(d.status).toBe('completed');
  });

  it('completing the task in time cancels both timers', () => {
    const d = new Driver(graph);
    d.advanceTo(T0 + 8 * DAY);
    d.completeJob('sendReminder');
    const timers = d.timers().map((t) => t.id);
    expect(timers).toHaveLength(2);
    const cmds = d.completeTask('accept', {});
    expect(
      cmds
        .filter((c) => c.type === 'cancelTimer')
        .map((c) => (c as { timerId: string }).timerId)
        .sort(),
    ).toEqual(timers.sort());
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'weekly', 'remind', 'reminded', 'accept', 'accepted', 'transfer']);
  });

  it('a bounded cycle (R2) fires twice only', () => {
    const g = new GraphBuilder('r2');
    g.start('start').user('t').timerBoundary('tick', 't', 'cycle', 'R2/PT1H', false).end('ticked').end('end');
    g.chain('start', 't', 'end').chain('tick', 'ticked');
    const d = new Driver(g.build());
    d.advanceTo(T0 + 10 * 3600 * 1000);
    expect(d.path.filter((p) => p === 'tick')).toHaveLength(2);
    expect(d.timers()).toEqual([]);
  });
});

describe('message and escalation boundary events', () => {
  it('an interrupting message boundary cancels the host; a non-interrupting one runs alongside, repeatedly', () => {
    const g = new GraphBuilder('mb');
    g.start('start')
      .user('wait')
      .boundary('withdrawn', 'wait', {
        type: 'message',
        message: { name: lit('withdrawn'), correlationKey: feel('id') },
      })
      .boundary(
        'note',
        'wait',
        { type: 'message', message: { name: lit('note'), correlationKey: feel('id') } },
        { interrupting: false, outputs: [map('lastNote', 'text')] },
      )
      .end('noted')
      .end('stopped')
      .end('done');
    g.chain('start', 'wait', 'done').chain('withdrawn', 'stopped').chain('note', 'noted');
    const d = new Driver(g.build(), { id: 'c1' });
    d.message('note', 'c1', { text: 'first' });
    d.message('note', 'c1', { text: 'second' });
    expect(d.variables.lastNote).toBe('second');
    expect(d.active).toEqual(['wait']);
    d.message('withdrawn', 'c1');
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'note', 'noted', 'note', 'noted', 'withdrawn', 'stopped', 'mb']);
    expect(d.state.log.find((e) => e.elementId === 'wait')?.state).toBe('terminated');
  });

  it('an escalation thrown inside a sub-process reaches its boundary; non-interrupting lets the thrower go on', () => {
    const g = new GraphBuilder('esc');
    g.start('start')
      .sub('work', (s) => {
        s.start('ss')
          .throwEvent('raise', { type: 'escalation', escalationCode: 'LATE' })
          .service('goOn', 'goOn')
          .end('se');
        s.chain('ss', 'raise', 'goOn', 'se');
      })
      .boundary('lateB', 'work', { type: 'escalation', escalationCode: 'LATE' }, { interrupting: false })
      .service('tellLead', 'tellLead')
      .end('end')
      .end('endB');
    g.chain('start', 'work', 'end').chain('lateB', 'tellLead', 'endB');
    const d = new Driver(g.build());
    expect(
      d
        .jobs()
        .map((j) => j.nodeId)
        .sort(),
    ).toEqual(['goOn', 'tellLead']);
    d.completeJob('goOn');
    d.completeJob('tellLead');
    expect(d.status).toBe('completed');
  });

  it('an interrupting escalation boundary ends the sub-process; an uncaught escalation changes nothing', () => {
    const g = new GraphBuilder('esc2');
    g.start('start')
      .sub('work', (s) => {
        s.start('ss')
          .throwEvent('unknown', { type: 'escalation', escalationCode: 'OTHER' })
          .end('raise', { type: 'escalation', escalationCode: 'LATE' });
        s.chain('ss', 'unknown', 'raise');
      })
      .boundary('lateB', 'work', { type: 'escalation', escalationCode: 'LATE' })
      .end('end')
      .end('endB');
    g.chain('start', 'work', 'end').chain('lateB', 'endB');
    const d = new Driver(g.build());
    expect(d.path).toEqual(['start', 'ss', 'unknown', 'raise', 'lateB', 'endB', 'esc2']);
    expect(d.state.log.find((e) => e.elementId === 'work')?.state).toBe('terminated');
  });
});

describe('errors', () => {
  const withErrorEnd = (catchCode?: string) => {
    const g = new GraphBuilder('err');
    g.start('start').sub('check', (s) => {
      s.start('ss')
        .service('verify', 'verify')
        .xor('ok', 'ok->fine')
        .end('fine')
        .end('bad', { type: 'error', errorCode: 'NO_CONSENT' });
      s.chain('ss', 'verify', 'ok')
        .flow('ok', 'fine', { id: 'ok->fine', isDefault: true })
        .flow('ok', 'bad', { condition: 'consent = false' });
    });
    if (catchCode !== 'none')
      g.boundary('caught', 'check', { type: 'error', ...(catchCode ? { errorCode: catchCode } : {}) })
        .end('handled')
        .chain('caught', 'handled');
    g.end('end').chain('start', 'check', 'end');
    return g.build();
  };

  it('an error end event is caught by the error boundary of the enclosing sub-process', () => {
    const d = new Driver(withErrorEnd('NO_CONSENT'));
    d.completeJob('verify', { consent: false });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'ss', 'verify', 'ok', 'bad', 'caught', 'handled', 'err']);
  });

  it('a catch-all error boundary catches any code', () => {
    const d = new Driver(withErrorEnd(undefined));
    d.completeJob('verify', { consent: false });
    expect(d.path).toContain('caught');
  });

  it('a boundary for another code does not catch, and the uncaught error fails the instance', () => {
    const d = new Driver(withErrorEnd('OTHER'));
    const cmds = d.completeJob('verify', { consent: false });
    expect(d.status).toBe('failed');
    expect(d.state.failure).toEqual({ errorCode: 'NO_CONSENT', message: expect.stringContaining('NO_CONSENT') });
    expect(cmds[cmds.length - 1]).toMatchObject({ type: 'fail', errorCode: 'NO_CONSENT' });
  });

  it('a job failing with a BPMN error is caught by the task boundary', () => {
    const g = new GraphBuilder('jobErr');
    g.start('start')
      .service('pds', 'pdsLookup')
      .boundary('notFound', 'pds', { type: 'error', errorCode: 'NOT_FOUND' })
      .end('end')
      .end('missing');
    g.chain('start', 'pds', 'end').chain('notFound', 'missing');
    const d = new Driver(g.build());
    d.send({ type: 'jobFailed', jobId: d.jobs()[0].id, message: 'no such child', bpmnError: { code: 'NOT_FOUND' } });
    expect(d.path).toEqual(['start', 'notFound', 'missing', 'jobErr']);
    expect(d.state.incidents).toEqual({});
  });

  it("a caught job error puts its code, message and variables in the catching boundary's scope", () => {
    const g = new GraphBuilder('errVars');
    g.start('start')
      .sub('sub', (s) => {
        s.start('ss')
          .service('pds', 'pdsLookup')
          .boundary('notFound', 'pds', { type: 'error', errorCode: 'NOT_FOUND' })
          .script('note', 'errorCode + ": " + errorMessage', 'note')
          .end('se')
          .end('seErr');
        s.chain('ss', 'pds', 'se').chain('notFound', 'note', 'seErr');
      })
      .end('end');
    g.chain('start', 'sub', 'end');
    const d = new Driver(g.build());
    d.send({
      type: 'jobFailed',
      jobId: d.jobs()[0].id,
      message: 'no such child',
      bpmnError: { code: 'NOT_FOUND', message: 'no such child', variables: { searched: 'PDS' } },
    });
    expect(d.status).toBe('completed');
    expect(d.path).toEqual(['start', 'ss', 'notFound', 'note', 'seErr', 'sub', 'end', 'errVars']);
    // The boundary sits inside the sub-process: its scope (the sub-process) held them and ended with it.
    expect(d.variables).toEqual({ note: 'NOT_FOUND: no such child' });
  });

  it('a caught error at process level leaves errorCode and errorMessage on the process; output mappings see them', () => {
    const g = new GraphBuilder('errTop');
    g.start('start').service('pds', 'pdsLookup').boundary('failed', 'pds', { type: 'error' }).end('end').end('handled');
    g.chain('start', 'pds', 'end').chain('failed', 'handled');
    const d = new Driver(g.build());
    d.send({
      type: 'jobFailed',
      jobId: d.jobs()[0].id,
      message: 'gone',
      bpmnError: { code: 'CHILD_GONE', message: 'moved abroad' },
    });
    expect(d.variables).toEqual({ errorCode: 'CHILD_GONE', errorMessage: 'moved abroad' });
  });

  it('with output mappings on the catch event, only what they map leaves it', () => {
    const g = new GraphBuilder('errMapped');
    g.start('start')
      .service('pds', 'pdsLookup')
      .boundary(
        'failed',
        'pds',
        { type: 'error' },
        { outputs: [{ source: feel('errorCode + " - " + errorMessage + " (" + searched + ")"'), target: 'reason' }] },
      )
      .end('end')
      .end('handled');
    g.chain('start', 'pds', 'end').chain('failed', 'handled');
    const d = new Driver(g.build());
    d.send({
      type: 'jobFailed',
      jobId: d.jobs()[0].id,
      message: 'x',
      bpmnError: { code: 'NOT_FOUND', message: 'no record', variables: { searched: 'PDS' } },
    });
    expect(d.variables).toEqual({ reason: 'NOT_FOUND - no record (PDS)' });
  });

  it('an error event sub-process gets the error variables as its own locals', () => {
    const g = new GraphBuilder('espErrVars');
    g.start('start').service('risky', 'risky').end('end');
    g.chain('start', 'risky', 'end');
    g.eventSub('onError', 'errStart', { type: 'error' }, true, (s) => {
      s.script('note', 'errorCode + "/" + errorMessage + "/" + string(attempt)', 'summary').end('errEnd');
      s.chain('errStart', 'note', 'errEnd');
    });
    const d = new Driver(g.build());
    d.send({
      type: 'jobFailed',
      jobId: d.jobs()[0].id,
      message: 'x',
      bpmnError: { code: 'BOOM', message: 'it blew up', variables: { attempt: 2 } },
    });
    expect(d.status).toBe('completed');
    expect(d.variables).toEqual({ summary: 'BOOM/it blew up/2' });
  });
});

describe('terminate end event', () => {
  it('inside a sub-process ends only that scope', () => {
    const g = new GraphBuilder('term');
    g.start('start')
      .sub('sub', (s) => {
        s.start('ss').and('fork').user('slow').end('kill', { type: 'terminate' }).end('se');
        s.chain('ss', 'fork').chain('fork', 'slow', 'se').chain('fork', 'kill');
      })
      .service('after', 'after')
      .end('end');
    g.chain('start', 'sub', 'after', 'end');
    const d = new Driver(g.build());
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
    expect(d.jobs().map((j) => j.nodeId)).toEqual(['after']);
    d.completeJob('after');
    expect(d.status).toBe('completed');
  });

  it('at process level terminates the instance', () => {
    const g = new GraphBuilder('term2');
    g.start('start').and('fork').user('slow').end('kill', { type: 'terminate' }).end('e');
    g.chain('start', 'fork').chain('fork', 'slow', 'e').chain('fork', 'kill');
    const d = new Driver(g.build());
    expect(d.status).toBe('terminated');
    expect(d.commandsOf('terminate')).toEqual([{ type: 'terminate', reason: 'terminateEndEvent', variables: {} }]);
  });
});

describe('event sub-processes', () => {
  it('a non-interrupting timer cycle start runs alongside the main flow', () => {
    const g = new GraphBuilder('espTimer');
    g.start('start').user('work').end('end');
    g.chain('start', 'work', 'end');
    g.eventSub('chase', 'chaseStart', { type: 'timer', timer: { kind: 'cycle', value: lit('R3/P1D') } }, false, (s) => {
      s.service('chaseJob', 'chase').end('chaseEnd');
      s.chain('chaseStart', 'chaseJob', 'chaseEnd');
    });
    const d = new Driver(g.build());
    d.advanceTo(T0 + DAY);
    d.completeJob('chase');
    d.advanceTo(T0 + 2 * DAY);
    d.completeJob('chase');
    expect(d.path.filter((p) => p === 'chaseEnd')).toHaveLength(2);
    expect(d.active).toEqual(['work']);
    d.completeTask('work');
    expect(d.status).toBe('completed');
    expect(d.timers()).toEqual([]);
  });

  it('an interrupting message start ends the main flow and its output goes to the process', () => {
    const g = new GraphBuilder('espMsg');
    g.start('start').user('work').end('end');
    g.chain('start', 'work', 'end');
    g.eventSub(
      'cancelSub',
      'cancelled',
      { type: 'message', message: { name: lit('cancelReferral'), correlationKey: feel('nhsNumber') } },
      true,
      (s) => {
        s.end('cancelEnd');
        s.chain('cancelled', 'cancelEnd');
      },
    );
    const d = new Driver(g.build(), { nhsNumber: '9' });
    d.message('cancelReferral', '9', { reason: 'moved away' });
    expect(d.status).toBe('completed');
    expect(d.variables.reason).toBe('moved away');
    expect(d.path).toEqual(['start', 'cancelled', 'cancelEnd', 'cancelSub', 'espMsg']);
    expect(d.commandsOf('cancelUserTask')).toHaveLength(1);
  });

  it('an error start catches an error from a task inside the same scope', () => {
    const g = new GraphBuilder('espErr');
    g.start('start').service('risky', 'risky').end('end');
    g.chain('start', 'risky', 'end');
    g.eventSub('onError', 'errStart', { type: 'error', errorCode: 'BOOM' }, true, (s) => {
      s.script('note', '"handled"', 'status').end('errEnd');
      s.chain('errStart', 'note', 'errEnd');
    });
    const d = new Driver(g.build());
    d.send({ type: 'jobFailed', jobId: d.jobs()[0].id, message: 'x', bpmnError: { code: 'BOOM' } });
    expect(d.status).toBe('completed');
    expect(d.variables.status).toBe('handled');
  });

  it('a non-interrupting escalation start inside a sub-process leaves the thrower running', () => {
    const g = new GraphBuilder('espEsc');
    g.start('start')
      .sub('sub', (s) => {
        s.start('ss').throwEvent('raise', { type: 'escalation', escalationCode: 'E' }).user('stillHere').end('se');
        s.chain('ss', 'raise', 'stillHere', 'se');
        s.eventSub('escSub', 'escStart', { type: 'escalation', escalationCode: 'E' }, false, (e) => {
          e.script('flag', 'true', 'escalated').end('escEnd');
          e.chain('escStart', 'flag', 'escEnd');
        });
      })
      .end('end');
    g.chain('start', 'sub', 'end');
    const d = new Driver(g.build());
    expect(d.variables.escalated).toBe(true);
    expect(d.tasks().map((t) => t.nodeId)).toEqual(['stillHere']);
    d.completeTask('stillHere');
    expect(d.status).toBe('completed');
  });
});
