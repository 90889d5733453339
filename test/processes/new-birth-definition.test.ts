/**
 * definitions/new-birth-registration.bpmn as a document: it compiles with no problem or
 * warning, is fully drawn left to right (a shape per element, an orthogonal edge per flow, no
 * overlaps), and its timings come out right for a date of birth (month ends included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn';
import { diagramLayout } from '../support/diagram-layout';
import {
  evaluateFeel,
  feelDialectOf,
  resolveInstantOrDuration,
  resolveTimer,
  type CompiledGraph,
  type GraphNode,
} from '../../bpmn/runtime';

const xml = readFileSync(join(__dirname, '../../definitions/new-birth-registration.bpmn'), 'utf8');
let graph: CompiledGraph;

beforeAll(async () => {
  const compiled = await compileDefinition(xml, {
    activityTypes: ACTIVITY_TYPES,
    candidateGroups: new Set(['region-management']),
  });
  if (!compiled.ok) throw new Error(compiled.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  expect(compiled.warnings).toEqual([]);
  expect(compiled.processId).toBe('new-birth-registration');
  graph = compiled.graph;
});

test('started by birthNotified; waits for the three screening messages by NHS number', () => {
  expect(graph.messageStartNames).toEqual(['birthNotified']);
  expect([...graph.messageNames].sort()).toEqual([
    'bloodSpotOutcomeRecorded',
    'childDied',
    'hearingOutcomeRecorded',
    'nipeOutcomeRecorded',
  ]);
  const catches = Object.values(graph.nodes).filter(
    (n): n is Extract<GraphNode, { kind: 'intermediateCatchEvent' | 'boundaryEvent' }> =>
      (n.kind === 'intermediateCatchEvent' || n.kind === 'boundaryEvent') && n.trigger.type === 'message',
  );
  expect(catches).toHaveLength(7);
  for (const c of catches)
    expect(c.trigger).toMatchObject({ message: { correlationKey: { type: 'feel', expression: 'nhsNumber' } } });
});

test('a death notification (childDied, by NHS number) interrupts the whole instance through an event sub-process', () => {
  const start = graph.nodes.Start_ChildDied;
  if (start.kind !== 'startEvent') throw new Error('Start_ChildDied is not a start event');
  expect(start).toMatchObject({
    scopeId: 'Sub_ChildDied',
    interrupting: true,
    trigger: {
      type: 'message',
      message: { name: { value: 'childDied' }, correlationKey: { type: 'feel', expression: 'nhsNumber' } },
    },
  });
  expect(graph.nodes.Sub_ChildDied).toMatchObject({ kind: 'eventSubProcess', scopeId: 'new-birth-registration' });
});

test('every element is drawn once, edges are orthogonal, nothing overlaps but boundary events on their task and a sub-process on its elements', () => {
  const layout = diagramLayout(xml, graph);
  expect(layout.drawnElements).toEqual(Object.keys(graph.nodes).sort());
  expect(layout.drawnFlows).toEqual(Object.keys(graph.flows).sort());
  expect(layout.crooked).toEqual([]);
  expect(layout.overlaps).toEqual([]);
  // Left to right: every flow that is not a loop back to a check ends to the right of (or below) where it starts.
  expect(layout.backwards.filter((id) => !/ArrivedWhileChasing|RecordedAfterChase/.test(id))).toEqual([]);
});

function deadlinesFor(dateOfBirth: string, maternityUnit: string): Record<string, string> {
  const plan = graph.nodes.Task_ScreeningDeadlines;
  if (plan.kind !== 'scriptTask') throw new Error('Task_ScreeningDeadlines is not a script task');
  const out = evaluateFeel(plan.script, { dateOfBirth, birth: { dateOfBirth, maternityUnit } }, feelDialectOf(graph));
  if (!out.ok) throw new Error(out.error);
  return out.value as Record<string, string>;
}

const at = (iso: string) => Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);

test('timings for a baby born 31 January 2026 at home (community hearing programme)', () => {
  const deadlines = deadlinesFor('2026-01-31', 'Home birth');
  expect(deadlines).toEqual({
    hearingProgramme: 'community',
    nipe: '2026-02-04',
    bloodSpot: '2026-02-18',
    bloodSpotEscalation: '2026-03-14',
    hearing: '2026-03-07',
    hearingEscalation: '2026-04-30',
  });
  const vars = { dateOfBirth: '2026-01-31', deadlines, locality: 'dudley' };
  const now = at('2026-02-01');
  const timerAt = (id: string) => {
    const n = graph.nodes[id];
    if (n.kind !== 'intermediateCatchEvent' && n.kind !== 'boundaryEvent') throw new Error(id);
    if (n.trigger.type !== 'timer') throw new Error(`${id} is not a timer`);
    const r = resolveTimer(n.trigger.timer, vars, now, feelDialectOf(graph));
    if (!r.ok) throw new Error(r.error);
    return new Date(r.value.dueAt).toISOString().slice(0, 10);
  };
  expect(timerAt('Event_NipeDeadline')).toBe('2026-02-04');
  expect(timerAt('Event_BloodSpotDeadline')).toBe('2026-02-18');
  expect([timerAt('Event_BloodSpotStillMissing'), timerAt('Event_BloodSpotEscalationDate')]).toEqual([
    '2026-03-14',
    '2026-03-14',
  ]);
  expect(timerAt('Event_HearingDeadline')).toBe('2026-03-07');
  expect([timerAt('Event_HearingStillMissing'), timerAt('Event_HearingEscalationDate')]).toEqual([
    '2026-04-30',
    '2026-04-30',
  ]);

  const visit = graph.nodes.Task_NewBirthVisit;
  if (visit.kind !== 'userTask') throw new Error('Task_NewBirthVisit is not a user task');
  const due = resolveInstantOrDuration(visit.userTask.dueDate!, vars, now, feelDialectOf(graph));
  const followUp = resolveInstantOrDuration(visit.userTask.followUpDate!, vars, now, feelDialectOf(graph));
  expect([due, followUp]).toEqual([
    { ok: true, value: at('2026-02-14') },
    { ok: true, value: at('2026-02-10') },
  ]);
});

test('a baby born in a maternity unit is on the hospital hearing programme: 4 weeks', () => {
  expect(deadlinesFor('2026-06-10', "Birmingham Women's Hospital")).toMatchObject({
    hearingProgramme: 'hospital',
    hearing: '2026-07-08',
  });
});
