/** The Camunda-Modeler-style fixture compiles, and its graph carries what the interpreter needs. */
import { createHash } from 'node:crypto';
import { compileDefinition, GRAPH_FORMAT, type CompiledGraph, type NodeKind, type NodeOfKind } from '../../bpmn';
import { CONTEXT, readFixture } from './support/fixtures';

let graph: CompiledGraph;
const xml = readFixture('compile', 'camunda-modeler.bpmn');

beforeAll(async () => {
  const result = await compileDefinition(xml, CONTEXT);
  if (!result.ok) throw new Error(`fixture does not compile:\n${JSON.stringify(result.problems, null, 2)}`);
  expect(result.warnings).toEqual([]);
  expect(result.processId).toBe('new-birth');
  expect(result.name).toBe('New birth registration');
  expect(result.checksum).toBe(createHash('sha256').update(xml).digest('hex'));
  graph = result.graph;
});

function node<K extends NodeKind>(id: string, kind: K): NodeOfKind<K> {
  const n = graph.nodes[id];
  expect(n?.kind).toBe(kind);
  return n as NodeOfKind<K>;
}

test('header, scopes and element kinds', () => {
  expect(graph.format).toBe(GRAPH_FORMAT);
  expect(graph.rootScopeId).toBe('new-birth');
  expect(graph.versionTag).toBe('2026.1');
  expect(Object.keys(graph.scopes).sort()).toEqual(['EventSub_Withdrawn', 'Sub_Screening', 'new-birth']);
  expect(graph.scopes['new-birth']).toMatchObject({
    kind: 'process',
    startEventIds: ['Start_BirthNotified'],
    eventSubProcessIds: ['EventSub_Withdrawn'],
  });
  expect(graph.scopes.Sub_Screening).toMatchObject({
    kind: 'subProcess',
    parentScopeId: 'new-birth',
    startEventIds: ['Start_Screening'],
  });
  expect(graph.scopes.EventSub_Withdrawn).toMatchObject({
    kind: 'eventSubProcess',
    startEventIds: ['Start_Withdrawn'],
    nodeIds: ['Start_Withdrawn', 'End_Withdrawn'],
  });
  const kinds = Object.values(graph.nodes).reduce<Record<string, number>>(
    (acc, n) => ({ ...acc, [n.kind]: (acc[n.kind] ?? 0) + 1 }),
    {},
  );
  expect(kinds).toEqual({
    startEvent: 3,
    endEvent: 8,
    serviceTask: 4,
    sendTask: 2,
    userTask: 1,
    scriptTask: 1,
    manualTask: 1,
    receiveTask: 1,
    callActivity: 1,
    subProcess: 1,
    eventSubProcess: 1,
    exclusiveGateway: 3,
    parallelGateway: 2,
    inclusiveGateway: 2,
    eventBasedGateway: 1,
    intermediateCatchEvent: 2,
    intermediateThrowEvent: 1,
    boundaryEvent: 3,
  });
  expect(Object.values(graph.nodes).every((n) => graph.scopes[n.scopeId]?.nodeIds.includes(n.id))).toBe(true);
});

test('flows: every flow joins two nodes that list it; conditions and default flows', () => {
  for (const f of Object.values(graph.flows)) {
    expect(graph.nodes[f.sourceId].outgoing).toContain(f.id);
    expect(graph.nodes[f.targetId].incoming).toContain(f.id);
  }
  expect(graph.flows.Flow_InRegion).toEqual({
    id: 'Flow_InRegion',
    name: 'yes',
    sourceId: 'Gateway_InRegion',
    targetId: 'Fork_Visit',
    condition: 'inRegion = true',
    isDefault: false,
  });
  expect(graph.flows.Flow_OutOfRegion).toMatchObject({ isDefault: true });
  expect(graph.flows.Flow_OutOfRegion.condition).toBeUndefined();
  expect(node('Gateway_InRegion', 'exclusiveGateway').defaultFlowId).toBe('Flow_OutOfRegion');
  expect(node('Inclusive_Split', 'inclusiveGateway').defaultFlowId).toBe('Flow_Nothing');
  expect(graph.flows.Flow_Immunise.condition).toBe('gapCount > 0');
  expect(node('Join_Visit', 'parallelGateway').incoming).toEqual(['Flow_VisitDone', 'Flow_GpDone']);
});

test('join helpers: inclusive join upstream set, event-based gateway targets', () => {
  const join = node('Inclusive_Join', 'inclusiveGateway');
  expect(join.incoming).toHaveLength(3);
  expect(join.upstreamNodeIds).toEqual(
    expect.arrayContaining(['Inclusive_Split', 'Call_Immunisation', 'Receive_Accepted', 'Manual_File']),
  );
  expect(join.upstreamNodeIds).not.toContain('Throw_Registered');
  expect(join.upstreamNodeIds).not.toContain('Task_Remind'); // the reminder branch never reaches the join
  expect(node('Gateway_Hearing', 'eventBasedGateway').eventIds).toEqual(['Catch_HearingResult', 'Catch_Deadline']);
});

test('service and send tasks carry catalogue type, retries, headers and io mappings', () => {
  const create = node('Task_CreateRecord', 'serviceTask');
  // The catalogue declares child.createOrMatchRecord local: the graph records it (deploy-time choice).
  expect(create.activity).toEqual({
    activityType: 'child.createOrMatchRecord',
    retries: 5,
    headers: { source: 'maternity' },
    local: true,
  });
  expect(create.inputs).toEqual([
    { source: { type: 'feel', expression: 'nhsNumber' }, target: 'nhsNumber' },
    { source: { type: 'feel', expression: 'notification.dateOfBirth' }, target: 'dateOfBirth' },
  ]);
  expect(create.outputs).toEqual([{ source: { type: 'feel', expression: 'childId' }, target: 'childId' }]);
  expect(node('Task_Remind', 'sendTask').activity).toEqual({
    activityType: 'notify.remindFamily',
    retries: 3,
    headers: {},
  });
  expect(node('Task_DeriveLocality', 'serviceTask').activity.retries).toBeUndefined();
});

test('jobs of local types are marked local; the deploy context can choose other types', async () => {
  // Defaults to the catalogue's local types: short database work yes, email and PDS no.
  expect(node('Task_DeriveLocality', 'serviceTask').activity.local).toBe(true);
  expect(node('Task_Remind', 'sendTask').activity.local).toBeUndefined();
  const chosen = await compileDefinition(xml, { ...CONTEXT, localActivityTypes: new Set(['notify.emailGpPractice']) });
  if (!chosen.ok) throw new Error('fixture does not compile');
  const nodes = chosen.graph.nodes;
  expect(nodes.End_OutOfRegion).toMatchObject({
    kind: 'endEvent',
    result: { activity: { activityType: 'notify.emailGpPractice', local: true } },
  });
  expect(nodes.Task_CreateRecord).toMatchObject({
    kind: 'serviceTask',
    activity: { activityType: 'child.createOrMatchRecord' },
  });
  expect((nodes.Task_CreateRecord as NodeOfKind<'serviceTask'>).activity.local).toBeUndefined();
  // Omitted, not false: a graph without local jobs reads as one deployed before the flag existed.
  expect(
    JSON.stringify(
      ((await compileDefinition(xml, { ...CONTEXT, localActivityTypes: new Set() })) as { graph: CompiledGraph }).graph,
    ),
  ).not.toContain('"local"');
});

test('user task: assignment, schedule, priority, form fields; boundary timers attached', () => {
  const visit = node('Task_Visit', 'userTask');
  expect(visit.userTask).toEqual({
    candidateGroups: { type: 'literal', values: ['health-visitors', 'birmingham-hv'] },
    dueDate: { type: 'feel', expression: 'dateOfBirth + duration("P14D")' },
    followUpDate: { type: 'literal', value: 'P10D' },
    priority: { type: 'literal', value: '60' },
    form: {
      source: 'embedded',
      key: 'UserTaskForm_Visit',
      fields: [
        { key: 'visitDone', label: 'Visit done', type: 'boolean', required: true },
        { key: 'visitDate', type: 'date', required: false },
        { key: 'outcome', label: 'Outcome', type: 'select', required: true, options: ['ok', 'refer'] },
        { key: 'notes', label: 'Notes', type: 'textarea', required: false },
      ],
    },
  });
  expect(visit.boundaryEventIds).toEqual(['Timer_WeeklyReminder', 'Timer_Escalate']);
  expect(node('Timer_WeeklyReminder', 'boundaryEvent')).toMatchObject({
    attachedToId: 'Task_Visit',
    interrupting: false,
    trigger: { type: 'timer', timer: { kind: 'cycle', value: { type: 'literal', value: 'R/P7D' } } },
  });
  expect(node('Timer_Escalate', 'boundaryEvent')).toMatchObject({
    interrupting: true,
    trigger: { type: 'timer', timer: { kind: 'duration', value: { type: 'literal', value: 'P28D' } } },
  });
});

test('events: message start, catch timers and messages, throws and end results', () => {
  expect(node('Start_BirthNotified', 'startEvent')).toMatchObject({
    trigger: { type: 'message', message: { name: { type: 'literal', value: 'birth-notified' } } },
    outputs: [{ source: { type: 'feel', expression: 'notification.nhsNumber' }, target: 'nhsNumber' }],
  });
  expect(node('Catch_HearingResult', 'intermediateCatchEvent').trigger).toEqual({
    type: 'message',
    message: {
      name: { type: 'literal', value: 'hearing-result' },
      correlationKey: { type: 'feel', expression: 'nhsNumber' },
    },
  });
  expect(node('Catch_Deadline', 'intermediateCatchEvent').trigger).toEqual({
    type: 'timer',
    timer: { kind: 'date', value: { type: 'feel', expression: 'date(dateOfBirth) + duration("P35D")' } },
  });
  expect(node('Throw_Registered', 'intermediateThrowEvent').result).toMatchObject({
    type: 'message',
    message: { name: { type: 'literal', value: 'birth-registered' } },
  });
  expect(node('End_OutOfRegion', 'endEvent').result).toEqual({
    type: 'message',
    activity: { activityType: 'notify.emailGpPractice', headers: {} },
  });
  expect(node('End_Escalated', 'endEvent').result).toEqual({
    type: 'escalation',
    escalationCode: 'VISIT_OVERDUE',
    escalationName: 'Visit overdue',
  });
  expect(node('End_ScreeningError', 'endEvent').result).toEqual({
    type: 'error',
    errorCode: 'SCREENING_FAILED',
    errorName: 'Screening failed',
  });
  expect(node('End_Failed', 'endEvent').result).toEqual({ type: 'terminate' });
  expect(node('End_Done', 'endEvent').result).toEqual({ type: 'none' });
  expect(node('Error_Screening', 'boundaryEvent')).toMatchObject({
    attachedToId: 'Sub_Screening',
    interrupting: true,
    trigger: { type: 'error', errorCode: 'SCREENING_FAILED' },
  });
  expect(node('Start_Withdrawn', 'startEvent')).toMatchObject({ interrupting: true, trigger: { type: 'message' } });
  expect(graph.messageStartNames).toEqual(['birth-notified']);
  expect(graph.messageNames).toEqual(['hearing-result', 'record-withdrawn', 'transfer-accepted']);
});

test('sub-processes, call activity, multi-instance, script, receive and manual tasks', () => {
  expect(node('Sub_Screening', 'subProcess')).toMatchObject({
    scopeRef: 'Sub_Screening',
    boundaryEventIds: ['Error_Screening'],
  });
  expect(node('EventSub_Withdrawn', 'eventSubProcess')).toMatchObject({
    scopeRef: 'EventSub_Withdrawn',
    startEventId: 'Start_Withdrawn',
  });
  expect(node('Call_Immunisation', 'callActivity').call).toEqual({
    processId: { type: 'literal', value: 'immunisation-followup' },
    version: { binding: 'latest' },
    propagateAllChildVariables: false,
    propagateAllParentVariables: true,
  });
  expect(node('Task_CheckProgramme', 'serviceTask')).toMatchObject({
    scopeId: 'Sub_Screening',
    multiInstance: {
      sequential: false,
      inputCollection: { type: 'feel', expression: 'programmes' },
      inputElement: 'programme',
      outputCollection: 'results',
      outputElement: { type: 'feel', expression: 'outstanding' },
      completionCondition: { type: 'feel', expression: 'count(results[item != null]) > 2' },
    },
  });
  expect(node('Script_CountGaps', 'scriptTask')).toMatchObject({
    script: 'count(results)',
    resultVariable: 'gapCount',
  });
  expect(node('Receive_Accepted', 'receiveTask').message).toEqual({
    name: { type: 'literal', value: 'transfer-accepted' },
    correlationKey: { type: 'feel', expression: 'nhsNumber' },
  });
  expect(node('Manual_File', 'manualTask').outgoing).toEqual(['Flow_Filed']);
});

test('the graph is immutable and survives a JSON round trip unchanged', () => {
  expect(Object.isFrozen(graph)).toBe(true);
  expect(Object.isFrozen(graph.nodes.Task_Visit)).toBe(true);
  expect(() => {
    (graph.nodes as Record<string, unknown>).extra = 1;
  }).toThrow();
  expect(JSON.parse(JSON.stringify(graph))).toEqual(graph);
});
