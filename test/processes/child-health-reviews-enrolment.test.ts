/**
 * Children already on the record get the child-health reviews too
 * (definitions/child-health-reviews-enrolment.bpmn, child.enrolReviews), on the embedded stack
 * with time skipping. The daily enrolment starts child-health-reviews for every active child
 * under 2½ years not followed yet (the region's children on the day it is switched on, then
 * those who arrive from another CHIS); babies registered through new birth registration start
 * it themselves and are not enrolled twice. Only windows still open or ahead on the day of
 * enrolment are followed: a contact whose window closed before is history, not a new task (no
 * flood of "missed" tasks on day one). Windows (docs/domain.md, Healthy Child Programme): NIPE
 * and health visitor review at 6–8 weeks, review at 9–12 months, review at 2–2½ years.
 */
import { randomUUID } from 'node:crypto';
import { londonDate } from '../../core/uk-time';
import { DefinitionStore } from '../../records/definition-store';
import { select } from '../../records/sql';
import { addAge, addDays } from '../../schedule';
import {
  instanceStateQuery,
  PROCESS_INSTANCE_WORKFLOW_TYPE,
  type ProcessInstanceInput,
} from '../../workflows/contract';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';

let stack: ChisStack;
chisStackPerFile(
  {
    children: 40,
    definitions: ['new-birth-registration.bpmn', 'child-health-reviews.bpmn', 'child-health-reviews-enrolment.bpmn'],
  },
  (started) => (stack = started),
);

const today = () => londonDate(stack.now().getTime());

interface Child {
  id: string;
  nhsNumber: string;
}

/** Seeded children of `locality`, given the dates of birth the scenario needs (they were on the record before). */
async function seededChildren(locality: string, n: number): Promise<Child[]> {
  const rows = await select<Child>(
    stack.db,
    `SELECT c.id, c.nhs_number FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE l.code = $1 AND c.status = 'active' ORDER BY c.id LIMIT $2`,
    [locality, n],
  );
  if (rows.length < n) throw new Error(`only ${rows.length} seeded children in ${locality}`);
  return rows;
}

async function setChild(child: Child, dateOfBirth: string, status = 'active'): Promise<void> {
  await stack.db.sequelize.query('UPDATE children SET date_of_birth = $2, status = $3 WHERE id = $1', {
    bind: [child.id, dateOfBirth, status],
  });
}

/** Runs the daily enrolment as the engine does at 03:00: an instance from its timer start event. */
async function runEnrolment(): Promise<{ found: number; started: number }> {
  const d = (await new DefinitionStore(stack.database.sequelize).withGraph('child-health-reviews-enrolment'))!;
  const input: ProcessInstanceInput = {
    definition: { id: d.id, key: d.key, version: d.version, graph: d.graph },
    variables: {},
    businessKey: null,
    startEventId: 'Start_Daily',
  };
  const h = await stack.engine.env.client.workflow.start(PROCESS_INSTANCE_WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: `child-health-reviews-enrolment-${randomUUID()}`,
    args: [input],
  });
  const done = await stack.engine.waitFor(h, (s) => s.status !== 'running' || s.incidents.length > 0, 'the enrolment');
  expect(done.incidents).toEqual([]);
  expect(done.status).toBe('completed');
  return { found: done.variables.found as number, started: done.variables.started as number };
}

const reviewsOf = async (nhs: string) =>
  (await stack.instancesFor(nhs)).filter((i) => i.processKey === 'child-health-reviews');

async function completedSteps(nhs: string): Promise<string[]> {
  const [row] = await reviewsOf(nhs);
  const view = await stack.engine.env.client.workflow.getHandle(row.id).query(instanceStateQuery);
  return view.completed.map((c) => c.elementId);
}

test('the children already on the record are enrolled once, following only the windows still ahead; babies registered at birth and children past 2½ or gone are not enrolled', async () => {
  const [sevenWeeks, fourteenWeeks, threeYears, movedOut] = await seededChildren('coventry', 4);
  await setChild(sevenWeeks, addDays(today(), -50)); // 6–8 week windows open: they close at the end of day 56
  await setChild(fourteenWeeks, addDays(today(), -100)); // 6–8 week windows closed; 9–12 months ahead
  await setChild(threeYears, addAge(today(), { years: -3 })); // every window closed
  await setChild(movedOut, addDays(today(), -50), 'moved_out');

  // A baby registered through new birth registration starts the reviews itself.
  const newborn = stack.newNhsNumber();
  const practice = await stack.practiceOf('coventry');
  const birth = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber: newborn,
    givenName: 'Ada',
    familyName: 'Enrol-Test',
    dateOfBirth: today(),
    timeOfBirth: '08:00',
    sex: 'female',
    mother: { name: 'Anne Enrol-Test' },
    address: { lines: ['1 Test Road'], postcode: 'CV1 2AB' },
    gpPracticeCode: practice.odsCode,
    maternityUnit: 'University Hospital',
  });
  expect(birth.status).toBe(202);
  await stack.waitFor(async () => (await reviewsOf(newborn)).length === 1, "the newborn's reviews");

  const first = await runEnrolment();
  expect(first.started).toBeGreaterThanOrEqual(2);
  expect(first.found).toBe(first.started);
  for (const child of [sevenWeeks, fourteenWeeks]) {
    const [row] = await stack.waitFor(async () => {
      const r = await reviewsOf(child.nhsNumber);
      return r.length > 0 && r;
    }, `the reviews of child ${child.id}`);
    expect(row.id).toBe(`child-health-reviews-enrolled-${child.id}`);
  }
  expect(await reviewsOf(threeYears.nhsNumber)).toEqual([]);
  expect(await reviewsOf(movedOut.nhsNumber)).toEqual([]);
  expect(await reviewsOf(newborn)).toHaveLength(1);
  const [audit] = await select<{ childIds: string[]; detail: { enrolledOn: string } }>(
    stack.db,
    "SELECT child_ids, detail FROM audit_events WHERE action = 'child.reviews_enrolled' ORDER BY id LIMIT 1",
  );
  expect(audit.detail.enrolledOn).toBe(today());
  expect(audit.childIds).toEqual(expect.arrayContaining([sevenWeeks.id, fourteenWeeks.id]));
  expect(audit.childIds).not.toContain(threeYears.id);

  // The next day's run starts nobody again.
  await stack.skip('1 day');
  expect(await runEnrolment()).toEqual({ found: 0, started: 0 });

  // The 14-week-old's 6–8 week windows had closed before enrolment: no task, ever.
  await stack.waitFor(async () => {
    const done = await completedSteps(fourteenWeeks.nhsNumber);
    return done.includes('End_NipeClosedBefore') && done.includes('End_SixToEightWeekClosedBefore');
  }, 'the closed windows passed over');
  // The 7-week-old's close a week later with nothing on record: the usual follow-up tasks.
  await stack.skip('7 days');
  await stack.waitFor(async () => {
    const names = (await stack.tasksFor(sevenWeeks.nhsNumber)).map((t) => t.name).sort();
    return names.length === 2 && names;
  }, 'the 7-week-old child’s follow-up tasks');
  expect((await stack.tasksFor(sevenWeeks.nhsNumber)).map((t) => t.name).sort()).toEqual([
    'Arrange missed 6–8 week review',
    'Chase missed 6–8 week NIPE examination',
  ]);
  expect(await stack.tasksFor(fourteenWeeks.nhsNumber)).toEqual([]);
  expect(await completedSteps(sevenWeeks.nhsNumber)).not.toContain('End_NipeClosedBefore');
}, 300_000);

test('a child whose reviews run under an NHS number PDS superseded is not enrolled again under the current number', async () => {
  // Registered at birth under a number PDS then answered with the child's current one: the
  // registration and its child-health-reviews run under the old number (keyed as started), the
  // record carries the current number with the old one linked (superseded_nhs_numbers).
  const old = stack.newNhsNumber();
  const current = stack.newNhsNumber();
  stack.pds.addPatient({
    nhsNumber: current,
    givenName: 'Ida',
    familyName: 'Supersede-Test',
    dateOfBirth: today(),
    sex: 'female',
    address: { lines: ['2 Test Road'], postcode: 'CV1 2AB' },
  });
  stack.pds.supersede(old, current);
  const birth = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber: old,
    givenName: 'Ida',
    familyName: 'Supersede-Test',
    dateOfBirth: today(),
    timeOfBirth: '09:10',
    sex: 'female',
    mother: { name: 'Iris Supersede-Test' },
    address: { lines: ['2 Test Road'], postcode: 'CV1 2AB' },
    gpPracticeCode: (await stack.practiceOf('coventry')).odsCode,
    maternityUnit: 'University Hospital',
  });
  expect(birth.status).toBe(202);
  await stack.waitFor(async () => (await reviewsOf(old)).length === 1, 'the reviews under the old number');
  const child = (await stack.child(current))!;
  expect(child).not.toBeNull();
  expect(await stack.child(old)).toBeNull();

  await runEnrolment();
  await stack.skip('1 day');
  await runEnrolment();
  // Once, under the number it started with: nothing under the current number, no enrolled instance.
  expect(await reviewsOf(current)).toEqual([]);
  expect(await reviewsOf(old)).toHaveLength(1);
  const enrolled = await select<{ id: string }>(stack.db, 'SELECT id FROM process_instances WHERE id = $1', [
    `child-health-reviews-enrolled-${child.id}`,
  ]);
  expect(enrolled).toEqual([]);
  const audits = await select<{ childIds: string[] }>(
    stack.db,
    "SELECT child_ids FROM audit_events WHERE action = 'child.reviews_enrolled'",
  );
  for (const a of audits) expect(a.childIds).not.toContain(child.id);
}, 300_000);
