/**
 * definitions/child-health-reviews.bpmn as a document: it compiles with no problem or warning,
 * is fully drawn left to right, waits for each contact's own message (an instance hands a
 * message to one waiting event, so the contacts must not share one), and its windows come out
 * right for a date of birth. Windows (docs/domain.md, Healthy Child Programme): NIPE infant
 * examination and health visitor review at 6–8 weeks, review at 9–12 months ("about 1 year"),
 * review at 2–2½ years; a deadline "by the end of the day the child reaches the closing age" is
 * the start of the next day in England.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { compileDefinition } from '../../bpmn';
import { evaluateFeel, feelDialectOf, type CompiledGraph } from '../../bpmn/runtime';
import { MANDATED_CONTACTS } from '../../schedule/contacts';
import { diagramLayout } from '../support/diagram-layout';

const xml = readFileSync(join(__dirname, '../../definitions/child-health-reviews.bpmn'), 'utf8');
let graph: CompiledGraph;

beforeAll(async () => {
  const compiled = await compileDefinition(xml, {
    activityTypes: ACTIVITY_TYPES,
    candidateGroups: new Set(['region-management']),
  });
  if (!compiled.ok) throw new Error(compiled.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  expect(compiled.warnings).toEqual([]);
  expect(compiled.processId).toBe('child-health-reviews');
  graph = compiled.graph;
});

test('started by newBirthRegistered or childHealthReviewsEnrolled; waits for each contact by its own message and for childDied, keyed by NHS number', () => {
  expect([...graph.messageStartNames].sort()).toEqual(['childHealthReviewsEnrolled', 'newBirthRegistered']);
  const byCode = Object.fromEntries(MANDATED_CONTACTS.map((c) => [c.code, c.recordedMessage]));
  expect([...graph.messageNames].sort()).toEqual(
    [
      byCode['nipe-6-8-week'],
      byCode['hv-6-8-week'],
      byCode['hv-9-12-month'],
      byCode['hv-2-year'],
      'nipeOutcomeRecorded',
      'childDied',
    ].sort(),
  );
  expect(new Set(MANDATED_CONTACTS.map((c) => c.recordedMessage)).size).toBe(MANDATED_CONTACTS.length);
});

test('drawn: a shape per element, an orthogonal edge per flow, no overlaps, left to right but the NIPE wait loop', () => {
  const layout = diagramLayout(xml, graph);
  expect(layout.drawnElements).toEqual(Object.keys(graph.nodes).sort());
  expect(layout.drawnFlows).toEqual(Object.keys(graph.flows).sort());
  expect(layout.crooked).toEqual([]);
  expect(layout.overlaps).toEqual([]);
  expect(layout.backwards).toEqual(['Flow_NipeOutcomeWaitAgain']);
});

function windowsFor(dateOfBirth: string, enrolledOn?: string): Record<string, unknown> {
  const settings = graph.nodes.Task_Settings;
  if (settings.kind !== 'scriptTask') throw new Error('Task_Settings is not a script task');
  const out = evaluateFeel(
    settings.script,
    { dateOfBirth, ...(enrolledOn ? { enrolledOn } : {}) },
    feelDialectOf(graph),
  );
  if (!out.ok) throw new Error(out.error);
  const { windows: _settings, escalation: _escalation, ...dates } = out.value as Record<string, unknown>;
  return dates;
}

test('windows for a baby born 31 December 2025 (month ends)', () => {
  expect(windowsFor('2025-12-31')).toEqual({
    nipeOpens: '2026-02-11', // 6 weeks
    nipeMissed: '2026-02-26', // the end of 25 February, the day the baby is 8 weeks old
    sixToEightWeekOpens: '2026-02-11',
    sixToEightWeekMissed: '2026-02-26',
    oneYearOpens: '2026-09-30', // 9 months: 30 September, the month has no 31st
    oneYearMissed: '2027-01-01', // the end of the first birthday
    twoYearOpens: '2027-12-31',
    twoYearMissed: '2028-07-01', // 2½ years: 30 June 2028, the month has no 31st
    // A baby registered at birth: every window is followed.
    nipeFollowed: true,
    sixToEightWeekFollowed: true,
    oneYearFollowed: true,
    twoYearFollowed: true,
  });
});

test('a child enrolled already on the record: only the windows still open or ahead on the day it is enrolled are followed', () => {
  const followed = (enrolledOn: string) => {
    const w = windowsFor('2025-12-31', enrolledOn);
    return [w.nipeFollowed, w.sixToEightWeekFollowed, w.oneYearFollowed, w.twoYearFollowed];
  };
  // The 6–8 week windows close at the end of 25 February 2026 (8 weeks).
  expect(followed('2026-02-25')).toEqual([true, true, true, true]);
  expect(followed('2026-02-26')).toEqual([false, false, true, true]);
  // The 9–12 month window closes at the end of the first birthday.
  expect(followed('2026-12-31')).toEqual([false, false, true, true]);
  expect(followed('2027-01-01')).toEqual([false, false, false, true]);
  // The 2–2½ year window closes at the end of 30 June 2028.
  expect(followed('2028-06-30')).toEqual([false, false, false, true]);
  expect(followed('2028-07-01')).toEqual([false, false, false, false]);
});

test('a missed-contact task is escalated to the locality safeguarding lead after 14 days (its due date); a child on a child protection plan or looked after at once', () => {
  const settings = graph.nodes.Task_Settings;
  if (settings.kind !== 'scriptTask') throw new Error('Task_Settings is not a script task');
  const out = evaluateFeel(settings.script, { dateOfBirth: '2026-01-01' }, feelDialectOf(graph));
  if (!out.ok) throw new Error(out.error);
  expect((out.value as Record<string, unknown>).escalation).toEqual({ after: 'P14D', team: 'safeguarding' });
  for (const contact of ['Nipe', 'SixToEightWeek', 'OneYear', 'TwoYear']) {
    const overdue = graph.nodes[`Event_${contact}FollowUpOverdue`];
    expect(overdue).toMatchObject({ kind: 'boundaryEvent', attachedToId: `Task_${contact}FollowUp` });
    expect(graph.nodes[`Task_${contact}RaiseConcern`]).toMatchObject({ kind: 'serviceTask' });
  }
});
