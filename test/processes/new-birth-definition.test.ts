/**
 * definitions/new-birth-registration.bpmn as a document: it compiles with no problem or
 * warning, is fully drawn left to right (a shape per element, an orthogonal edge per flow, no
 * overlaps), and its timings come out right for a date of birth (month ends included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn';
import { evaluateFeel, resolveInstantOrDuration, resolveTimer, type CompiledGraph, type GraphNode } from '../../bpmn/runtime';

const xml = readFileSync(join(__dirname, '../../definitions/new-birth-registration.bpmn'), 'utf8');
let graph: CompiledGraph;

beforeAll(async () => {
  const compiled = await compileDefinition(xml, { activityTypes: ACTIVITY_TYPES, candidateGroups: new Set(['region-management']) });
  if (!compiled.ok) throw new Error(compiled.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  expect(compiled.warnings).toEqual([]);
  expect(compiled.processId).toBe('new-birth-registration');
  graph = compiled.graph;
});

test('started by birthNotified; waits for the three screening messages by NHS number', () => {
  expect(graph.messageStartNames).toEqual(['birthNotified']);
  expect([...graph.messageNames].sort()).toEqual(['bloodSpotOutcomeRecorded', 'childDied', 'hearingOutcomeRecorded', 'nipeOutcomeRecorded']);
  const catches = Object.values(graph.nodes).filter((n): n is Extract<GraphNode, { kind: 'intermediateCatchEvent' | 'boundaryEvent' }> =>
    (n.kind === 'intermediateCatchEvent' || n.kind === 'boundaryEvent') && n.trigger.type === 'message');
  expect(catches).toHaveLength(7);
  for (const c of catches) expect(c.trigger).toMatchObject({ message: { correlationKey: { type: 'feel', expression: 'nhsNumber' } } });
});

test("a death notification (childDied, by NHS number) interrupts the whole instance through an event sub-process", () => {
  const start = graph.nodes.Start_ChildDied;
  if (start.kind !== 'startEvent') throw new Error('Start_ChildDied is not a start event');
  expect(start).toMatchObject({ scopeId: 'Sub_ChildDied', interrupting: true, trigger: { type: 'message', message: { name: { value: 'childDied' }, correlationKey: { type: 'feel', expression: 'nhsNumber' } } } });
  expect(graph.nodes.Sub_ChildDied).toMatchObject({ kind: 'eventSubProcess', scopeId: 'new-birth-registration' });
});

interface Box { id: string; x: number; y: number; w: number; h: number }

function diagram(): { shapes: Box[]; edges: Map<string, Array<[number, number]>> } {
  const shapes: Box[] = [];
  for (const m of xml.matchAll(/<bpmndi:BPMNShape id="[^"]+" bpmnElement="([^"]+)"[^>]*>\s*<dc:Bounds x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
    shapes.push({ id: m[1], x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) });
  }
  const edges = new Map<string, Array<[number, number]>>();
  for (const m of xml.matchAll(/<bpmndi:BPMNEdge id="[^"]+" bpmnElement="([^"]+)">([\s\S]*?)<\/bpmndi:BPMNEdge>/g)) {
    edges.set(m[1], [...m[2].matchAll(/<di:waypoint x="([\d.-]+)" y="([\d.-]+)"/g)].map((p) => [Number(p[1]), Number(p[2])] as [number, number]));
  }
  return { shapes, edges };
}

test('every element is drawn once, edges are orthogonal, nothing overlaps but boundary events on their task and a sub-process on its elements', () => {
  const { shapes, edges } = diagram();
  expect(shapes.map((s) => s.id).sort()).toEqual(Object.keys(graph.nodes).sort());
  expect([...edges.keys()].sort()).toEqual(Object.keys(graph.flows).sort());
  for (const [id, points] of edges) {
    expect({ id, points: points.length >= 2 }).toEqual({ id, points: true });
    for (let i = 1; i < points.length; i++) {
      const [a, b] = [points[i - 1], points[i]];
      const straight = a[0] === b[0] || a[1] === b[1];
      expect({ id, segment: i, straight }).toEqual({ id, segment: i, straight: true });
    }
  }
  const attachedTo = (id: string) => {
    const n = graph.nodes[id];
    return n.kind === 'boundaryEvent' ? n.attachedToId : undefined;
  };
  // An (event) sub-process is drawn expanded, around its own elements.
  const inside = (id: string, container: string) => graph.nodes[id].scopeId === container;
  const overlaps: string[] = [];
  for (const [i, a] of shapes.entries()) {
    for (const b of shapes.slice(i + 1)) {
      if (attachedTo(a.id) === b.id || attachedTo(b.id) === a.id || inside(a.id, b.id) || inside(b.id, a.id)) continue;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push(`${a.id} / ${b.id}`);
    }
  }
  expect(overlaps).toEqual([]);
  // Left to right: every flow that is not a loop back to a check ends to the right of (or below) where it starts.
  for (const [id, flow] of Object.entries(graph.flows)) {
    const [from, to] = [shapes.find((s) => s.id === flow.sourceId)!, shapes.find((s) => s.id === flow.targetId)!];
    if (/ArrivedWhileChasing|RecordedAfterChase/.test(id)) continue;
    expect({ id, forward: to.x + to.w / 2 >= from.x + from.w / 2 }).toEqual({ id, forward: true });
  }
});

function deadlinesFor(dateOfBirth: string, maternityUnit: string): Record<string, string> {
  const plan = graph.nodes.Task_ScreeningDeadlines;
  if (plan.kind !== 'scriptTask') throw new Error('Task_ScreeningDeadlines is not a script task');
  const out = evaluateFeel(plan.script, { dateOfBirth, birth: { dateOfBirth, maternityUnit } });
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
    const r = resolveTimer(n.trigger.timer, vars, now);
    if (!r.ok) throw new Error(r.error);
    return new Date(r.value.dueAt).toISOString().slice(0, 10);
  };
  expect(timerAt('Event_NipeDeadline')).toBe('2026-02-04');
  expect(timerAt('Event_BloodSpotDeadline')).toBe('2026-02-18');
  expect([timerAt('Event_BloodSpotStillMissing'), timerAt('Event_BloodSpotEscalationDate')]).toEqual(['2026-03-14', '2026-03-14']);
  expect(timerAt('Event_HearingDeadline')).toBe('2026-03-07');
  expect([timerAt('Event_HearingStillMissing'), timerAt('Event_HearingEscalationDate')]).toEqual(['2026-04-30', '2026-04-30']);

  const visit = graph.nodes.Task_NewBirthVisit;
  if (visit.kind !== 'userTask') throw new Error('Task_NewBirthVisit is not a user task');
  const due = resolveInstantOrDuration(visit.userTask.dueDate!, vars, now);
  const followUp = resolveInstantOrDuration(visit.userTask.followUpDate!, vars, now);
  expect([due, followUp]).toEqual([{ ok: true, value: at('2026-02-14') }, { ok: true, value: at('2026-02-10') }]);
});

test('a baby born in a maternity unit is on the hospital hearing programme: 4 weeks', () => {
  expect(deadlinesFor('2026-06-10', "Birmingham Women's Hospital")).toMatchObject({ hearingProgramme: 'hospital', hearing: '2026-07-08' });
});
