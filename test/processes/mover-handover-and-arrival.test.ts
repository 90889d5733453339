/**
 * A child with a safeguarding alert moving to another locality: the sending locality's lead
 * hands over to the receiving lead (a task) before the transfer completes; the record cannot
 * change locality without it; a concern raised after the move was assessed sends the instance
 * through the handover before the change is tried again. And the checks on arrival: immunisation gaps and newborn
 * screening still within its age limit open tasks for the receiving teams.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIVITY_TYPES } from '../../activities/catalogue';
import { enqueueGpPracticeEmail } from '../../mail/outbox';
import { processActor } from '../../records/actor';
import { raiseConcern } from '../../records/concerns/raise';
import { ProcessRuleBroken } from '../../records/errors';
import { changeResponsibleLocality, HANDOVER_MISSING } from '../../records/transfers/complete';
import { compileDefinition } from '../../bpmn';
import { select } from '../../records/sql';
import { instanceStateQuery } from '../../workflows/contract';
import { startChisStack, type ChisStack } from '../support/chis-stack';
import { diagramLayout } from '../support/diagram-layout';
import {
  auditActions,
  completeTask,
  instanceStatus,
  insertChild,
  openTask,
  postEvent,
  transfersOf,
  unusedChild,
} from './mover-support';

let stack: ChisStack;

beforeAll(async () => {
  stack = await startChisStack({ children: 40 });
}, 180_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const moverHandle = async (nhsNumber: string) => {
  const [instance] = (await stack.instancesFor(nhsNumber)).filter((i) => i.processKey === 'child-mover');
  return stack.engine.env.client.workflow.getHandle(instance.id);
};

test('a child on a child protection plan: lead-to-lead handover task before the transfer completes', async () => {
  const child = await unusedChild(stack, 'birmingham', 'child_protection_plan');
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: { lines: ['9 Priory Street', 'Coventry'], postcode: 'CV1 5FB' },
  });
  const accept = await openTask(stack, child.nhsNumber, 'Task_Accept');
  await completeTask(stack, 'cw.coventry.records', accept.id, { decision: 'accept' });

  const handover = await openTask(stack, child.nhsNumber, 'Task_Handover');
  expect(handover).toMatchObject({ candidateGroups: ['birmingham-safeguarding'], priority: 90 });
  expect(handover.dueAt!.getTime() - stack.now().getTime()).toBeLessThanOrEqual(2 * 24 * 3600_000 + 60_000);

  // Accepted but not complete: the record stays with the sending locality, no GP emails yet.
  const [transfer] = await transfersOf(stack, child.id);
  expect(transfer).toMatchObject({ status: 'accepted', handoverCompletedAt: null });
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('birmingham');
  expect(await select(stack.db, 'SELECT 1 FROM notifications WHERE child_id = $1', [child.id])).toEqual([]);
  // Nor can anything else complete it: the data refuses a transfer without the handover.
  const refused = await changeResponsibleLocality(
    stack.db,
    processActor('system:test'),
    {
      transferId: transfer.id,
      childId: child.id,
      toLocality: 'coventry',
      moveReason: 'address-change',
    },
    enqueueGpPracticeEmail,
  ).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ProcessRuleBroken);
  expect(refused).toMatchObject({ code: HANDOVER_MISSING });

  await completeTask(stack, 'sl.birmingham', handover.id, {
    receivingLead: 'Coventry safeguarding lead (sl.coventry)',
    handoverNotes: 'CP plan, core group next week',
  });
  await stack.waitFor(
    async () => (await transfersOf(stack, child.id))[0].status === 'completed',
    'the transfer to complete',
  );
  const done = (await transfersOf(stack, child.id))[0];
  expect(done.handoverCompletedAt!.getTime()).toBeLessThanOrEqual(done.completedAt!.getTime());
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('coventry');

  const path = (await (await moverHandle(child.nhsNumber)).query(instanceStateQuery)).completed.map((c) => c.elementId);
  expect(path.indexOf('Task_RecordHandover')).toBeLessThan(path.indexOf('Task_ChangeLocality'));
  const actions = await auditActions(stack, child.id);
  expect(actions.indexOf('transfer.safeguarding_handover')).toBeGreaterThan(actions.indexOf('transfer.accept'));
  expect(actions.indexOf('transfer.safeguarding_handover')).toBeLessThan(actions.indexOf('transfer.complete'));
});

test('a concern raised after the move was assessed: the locality change stops for the handover, then completes', async () => {
  const child = await insertChild(stack, { locality: 'birmingham', postcode: 'B12 9QP', ageDays: 3000 });
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: { lines: ['11 Hertford Street', 'Coventry'], postcode: 'CV1 1LF' },
  });
  const accept = await openTask(stack, child.nhsNumber, 'Task_Accept');
  // Assessed without an alert; a concern is raised while the receiving locality decides.
  await raiseConcern(stack.db, processActor('system:test'), {
    childId: child.id,
    summary: 'Was Not Brought twice',
    severity: 'medium',
    source: 'process',
    idempotencyKey: `mid-transfer-${child.id}`,
  });
  await completeTask(stack, 'cw.coventry.records', accept.id, { decision: 'accept' });

  const handover = await openTask(stack, child.nhsNumber, 'Task_Handover');
  expect(handover.candidateGroups).toEqual(['birmingham-safeguarding']);
  const handle = await moverHandle(child.nhsNumber);
  const caught = await handle.query(instanceStateQuery);
  expect(caught.completed.map((c) => c.elementId)).toContain('Err_HandoverMissing');
  expect(caught.completed.map((c) => c.elementId)).not.toContain('Task_RecordHandover');
  expect(await instanceStatus(stack, child.nhsNumber, 'child-mover')).toBe('running');
  expect(await transfersOf(stack, child.id)).toMatchObject([
    { status: 'accepted', handoverCompletedAt: null, completedAt: null },
  ]);
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('birmingham');

  await completeTask(stack, 'sl.birmingham', handover.id, {
    receivingLead: 'Coventry safeguarding lead (sl.coventry)',
    handoverNotes: 'New concern: Was Not Brought twice',
  });
  await stack.waitFor(
    async () => (await transfersOf(stack, child.id))[0].status === 'completed',
    'the transfer to complete',
  );
  const [done] = await transfersOf(stack, child.id);
  expect(done.handoverCompletedAt!.getTime()).toBeLessThanOrEqual(done.completedAt!.getTime());
  expect((await stack.child(child.nhsNumber))!.localityCode).toBe('coventry');
  const path = (await handle.query(instanceStateQuery)).completed.map((c) => c.elementId);
  expect(path.indexOf('Err_HandoverMissing')).toBeLessThan(path.indexOf('Task_RecordHandover'));
  expect(path.lastIndexOf('Task_ChangeLocality')).toBeGreaterThan(path.indexOf('Task_RecordHandover'));

  // The arrival checks run as after any move; the instance completes.
  await stack.waitFor(async () => {
    const s = await handle.query(instanceStateQuery);
    if (s.status !== 'running') return true;
    for (const t of await stack.tasksFor(child.nhsNumber)) {
      if (t.status !== 'open' || !['Task_CatchUp', 'Task_OfferScreening'].includes(t.elementId)) continue;
      await completeTask(stack, t.elementId === 'Task_CatchUp' ? 'cw.coventry.imms' : 'cw.coventry.hv', t.id, {});
    }
    return false;
  }, 'the arrival checks to finish');
  expect(await instanceStatus(stack, child.nhsNumber, 'child-mover')).toBe('completed');
  const actions = await auditActions(stack, child.id);
  expect(actions.indexOf('transfer.safeguarding_handover')).toBeLessThan(actions.indexOf('transfer.complete'));
});

test('a child without an alert or concern needs no handover', async () => {
  const child = await insertChild(stack, { locality: 'birmingham', postcode: 'B12 9QP', ageDays: 400 });
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: { lines: ['2 Far Gosford Street', 'Coventry'], postcode: 'CV1 5DZ' },
  });
  await completeTask(stack, 'cw.coventry.records', (await openTask(stack, child.nhsNumber, 'Task_Accept')).id, {
    decision: 'accept',
  });
  await stack.waitFor(
    async () => (await transfersOf(stack, child.id))[0].status === 'completed',
    'the transfer to complete',
  );
  expect((await stack.tasksFor(child.nhsNumber)).map((t) => t.elementId)).not.toContain('Task_Handover');
});

test('on arrival: immunisation gaps and blood spot screening still within its age limit open tasks; a missed hearing screen does not', async () => {
  // About 20 weeks old with nothing on record: the 8, 12 and 16 week doses are gaps; blood spot can
  // still be offered (to the first birthday), hearing cannot (3 months).
  const child = await insertChild(stack, { locality: 'birmingham', postcode: 'B13 8JP', ageDays: 140 });
  await postEvent(stack, 'address-changes', {
    eventId: `address-${child.id}`,
    nhsNumber: child.nhsNumber,
    address: { lines: ['4 Gulson Road', 'Coventry'], postcode: 'CV1 2HR' },
  });
  await completeTask(stack, 'cw.coventry.records', (await openTask(stack, child.nhsNumber, 'Task_Accept')).id, {
    decision: 'accept',
  });

  const catchUp = await openTask(stack, child.nhsNumber, 'Task_CatchUp');
  const screening = await openTask(stack, child.nhsNumber, 'Task_OfferScreening');
  expect(catchUp).toMatchObject({ candidateGroups: ['coventry-immunisation'], localityId: 2 });
  expect(screening).toMatchObject({ candidateGroups: ['coventry-health-visiting'], localityId: 2 });

  const handle = await moverHandle(child.nhsNumber);
  const vars = (await handle.query(instanceStateQuery)).variables as Record<string, unknown>;
  expect(vars.immunisationsUpToDate).toBe(false);
  expect((vars.immunisationGaps as Array<{ vaccine: string }>).length).toBeGreaterThanOrEqual(3);
  expect((vars.outstandingScreening as Array<{ programme: string }>).map((o) => o.programme)).toEqual(['blood_spot']);

  await completeTask(stack, 'cw.coventry.imms', catchUp.id, {
    catchUpPlan: 'Invite for 6-in-1, MenB, rotavirus; 4 weeks apart',
  });
  expect(await instanceStatus(stack, child.nhsNumber, 'child-mover')).toBe('running');
  await completeTask(stack, 'cw.coventry.hv', screening.id, { screeningPlan: 'Blood spot sample booked' });
  await stack.waitFor(
    async () => (await instanceStatus(stack, child.nhsNumber, 'child-mover')) === 'completed',
    'the mover process to complete',
  );
});

test('the diagram: every element drawn once, orthogonal edges, nothing overlaps but boundary events on their task and a sub-process on its elements, left to right but the retry loop', async () => {
  const xml = readFileSync(join(__dirname, '../../definitions/child-mover.bpmn'), 'utf8');
  const compiled = await compileDefinition(xml, {
    activityTypes: ACTIVITY_TYPES,
    candidateGroups: new Set(['region-management']),
  });
  if (!compiled.ok) throw new Error(compiled.problems.map((p) => `${p.elementId}: ${p.message}`).join('\n'));
  expect(compiled.warnings).toEqual([]);
  const graph = compiled.graph;
  const layout = diagramLayout(xml, graph);
  expect(layout.drawnElements).toEqual(Object.keys(graph.nodes).sort());
  expect(layout.drawnFlows).toEqual(Object.keys(graph.flows).sort());
  expect(layout.crooked).toEqual([]);
  expect(layout.overlaps).toEqual([]);
  // Only the retry: a missing handover goes back to the handover (Gw_HandoverDue), then the change runs again.
  expect(layout.backwards).toEqual(['Flow_HandoverMissing']);
});
