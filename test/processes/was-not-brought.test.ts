/**
 * Was Not Brought across every kind of appointment (definitions/was-not-brought.bpmn) on the
 * CHIS stack: appointment outcomes arrive through POST /api/events/appointment-outcomes; the
 * child's misses are counted over the window in the diagram's settings (12 months); two misses
 * escalate to a safeguarding lead with a reason naming each; one is enough for a child on a
 * child protection plan (domain: "for a child with a child-protection plan even one missed
 * appointment should prompt action; this applies to every health appointment").
 */
import { select } from '../../records/sql';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import { unusedChild } from './mover-support';

let stack: ChisStack;
chisStackPerFile(
  { children: 40, definitions: ['was-not-brought.bpmn', 'safeguarding-escalation.bpmn'] },
  (s) => (stack = s),
);

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(stack.now().getTime() - n * DAY).toISOString().slice(0, 10);

async function appointment(nhsNumber: string, body: Record<string, unknown>): Promise<void> {
  const res = await stack.events.post('/api/events/appointment-outcomes').send({ nhsNumber, ...body });
  if (res.status !== 202) throw new Error(`appointment outcome: ${res.status} ${JSON.stringify(res.body)}`);
}

const assessed = async (childId: string) =>
  (
    await select<{ n: number }>(
      stack.db,
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'safeguarding.was_not_brought_assessed' AND child_id = $1",
      [childId],
    )
  )[0].n;

const concerns = (childId: string) =>
  select<{ summary: string; severity: string }>(
    stack.db,
    'SELECT summary, severity FROM safeguarding_concerns WHERE child_id = $1 ORDER BY id',
    [childId],
  );

test('misses of different kinds add up for the child: a health visit and a screening appointment escalate, naming both', async () => {
  const child = await unusedChild(stack, 'dudley');
  // A miss 13 months ago is outside the window and does not count; an attended appointment is not a miss.
  await appointment(child.nhsNumber, {
    kind: 'immunisation',
    date: daysAgo(400),
    outcome: 'was_not_brought',
    vaccine: 'mmr',
  });
  await appointment(child.nhsNumber, {
    kind: 'health_visit',
    date: daysAgo(20),
    outcome: 'attended',
    contact: 'hv-2-year',
  });
  await appointment(child.nhsNumber, {
    kind: 'health_visit',
    date: daysAgo(30),
    outcome: 'was_not_brought',
    contact: 'hv-9-12-month',
  });
  await stack.waitFor(async () => (await assessed(child.id)) === 2, 'two misses counted');
  expect(await concerns(child.id)).toEqual([]);
  await appointment(child.nhsNumber, { kind: 'screening', date: daysAgo(2), outcome: 'was_not_brought' });
  const [concern] = await stack.waitFor(async () => {
    const c = await concerns(child.id);
    return c.length > 0 && c;
  }, 'the concern');
  expect(concern).toEqual({
    summary: `Was Not Brought to 2 appointments in the last 12 months: Health visitor 9–12 month review on ${daysAgo(30)}; screening on ${daysAgo(2)}`,
    severity: 'medium',
  });
  // The safeguarding lead decides (safeguarding-escalation started by the concern).
  await stack.waitFor(
    async () =>
      (await stack.tasksFor(child.nhsNumber)).some(
        (t) => t.processKey === 'safeguarding-escalation' && t.status === 'open',
      ),
    'the safeguarding lead task',
  );
  const rows = await select<{ kind: string; contact: string | null; outcome: string }>(
    stack.db,
    'SELECT kind, contact, outcome FROM appointment_outcomes WHERE child_id = $1 ORDER BY appointment_on',
    [child.id],
  );
  expect(rows).toHaveLength(4);
}, 180_000);

test('a child on a child protection plan: one missed health visit is enough, escalated as high severity', async () => {
  const child = await unusedChild(stack, 'sandwell', 'child_protection_plan');
  await appointment(child.nhsNumber, {
    kind: 'health_visit',
    date: daysAgo(1),
    outcome: 'was_not_brought',
    contact: 'hv-6-8-week',
  });
  const [concern] = await stack.waitFor(async () => {
    const c = await concerns(child.id);
    return c.length > 0 && c;
  }, 'the concern');
  expect(concern).toEqual({
    summary: `Was Not Brought to 1 appointment in the last 12 months (child on a child protection plan: one miss is enough): Health visitor 6–8 week review on ${daysAgo(1)}`,
    severity: 'high',
  });
}, 180_000);

test('a contact that is not that kind of appointment → 400 naming body.contact', async () => {
  const child = await unusedChild(stack, 'coventry');
  const res = await stack.events.post('/api/events/appointment-outcomes').send({
    nhsNumber: child.nhsNumber,
    kind: 'screening',
    date: daysAgo(1),
    outcome: 'attended',
    contact: 'hv-2-year',
  });
  expect(res.status).toBe(400);
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('body.contact');
});
