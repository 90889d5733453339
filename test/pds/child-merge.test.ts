/**
 * Two records of one child merged after PDS superseded the number of one by the other's
 * (records/children/merge.ts, POST /api/children/:nhsNumber/merges), on the CHIS stack with the
 * PDS simulator: a baby notified under a number PDS had superseded by the number of a child we
 * hold already gets a second record (linked, left to the records team); a records caseworker
 * merges it. PDS keeps the surviving record and points the superseded number at it; the local
 * record must follow, and staff resolve what the two records disagree on (NHS England, PDS
 * "superseded and merged records").
 */
import { QueryTypes } from 'sequelize';
import { londonDate } from '../../core/uk-time';
import { select } from '../../records/sql';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import { unusedChild } from '../processes/mover-support';

let stack: ChisStack;
chisStackPerFile(
  { children: 20, definitions: ['new-birth-registration.bpmn', 'child-health-reviews.bpmn'] },
  (started) => (stack = started),
);

const today = () => londonDate(stack.now().getTime());
const REASON = 'PDS superseded the birth notification number: one child, two records';

async function notifyBirth(nhsNumber: string): Promise<void> {
  const practice = await stack.practiceOf('walsall');
  const res = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber,
    givenName: 'Mo',
    familyName: 'Merge-Test',
    dateOfBirth: today(),
    timeOfBirth: '06:30',
    sex: 'male',
    mother: { name: 'Mina Merge-Test' },
    address: { lines: ['3 Merge Street'], postcode: 'WS1 1AA' },
    gpPracticeCode: practice.odsCode,
    maternityUnit: 'Manor Hospital',
  });
  if (res.status !== 202) throw new Error(`birth notification: ${res.status} ${JSON.stringify(res.body)}`);
}

const count = async (sql: string, bind: unknown[]) =>
  (await stack.database.sequelize.query<{ n: number }>(sql, { type: QueryTypes.SELECT, bind }))[0].n;

async function addDose(childId: string, vaccine: string, dose: number, givenOn: string): Promise<void> {
  await stack.database.sequelize.query(
    "INSERT INTO immunisation_events (child_id, vaccine, dose, given_on, source) VALUES ($1, $2, $3, $4, 'record')",
    { bind: [childId, vaccine, dose, givenOn] },
  );
}

test('a records caseworker merges the superseded number’s record onto the surviving one: refused while a dose date conflicts, then everything moves in one step, audited, idempotent, and the processes under the old number go on', async () => {
  const survivor = await unusedChild(stack, 'walsall');
  const old = stack.newNhsNumber();
  stack.pds.supersede(old, survivor.nhsNumber);
  await notifyBirth(old);
  const visit = await stack.waitFor(
    async () => (await stack.tasksFor(old)).find((t) => t.name === 'New birth visit' && t.status === 'open'),
    'the new birth visit task',
  );
  await stack.waitFor(
    async () => (await stack.instancesFor(old)).some((i) => i.processKey === 'child-health-reviews'),
    'the reviews under the old number',
  );
  const duplicate = (await stack.child(old))!;
  expect(duplicate.id).not.toBe(survivor.id);
  expect(visit.childId).toBe(duplicate.id);

  // The two records disagree on one dose's date; the duplicate holds another dose the survivor lacks.
  await stack.database.sequelize.query('DELETE FROM immunisation_events WHERE child_id = $1', { bind: [survivor.id] });
  await addDose(duplicate.id, '6in1', 1, '2026-01-10');
  await addDose(survivor.id, '6in1', 1, '2026-01-12');
  await addDose(duplicate.id, 'rotavirus', 1, '2026-01-10');

  const hv = await stack.signIn('cw.walsall.hv');
  const notRecords = await hv
    .post(`/api/children/${survivor.nhsNumber}/merges`)
    .send({ mergedNhsNumber: old, reason: REASON });
  expect(notRecords.status).toBe(403);

  const records = await stack.signIn('cw.walsall.records');
  const merge = (body: Record<string, unknown>) =>
    records.post(`/api/children/${survivor.nhsNumber}/merges`).send({ mergedNhsNumber: old, reason: REASON, ...body });

  const refused = await merge({});
  expect(refused.status).toBe(409);
  expect(refused.body.conflicts).toEqual([
    expect.objectContaining({
      kind: 'dose_dates',
      doses: [{ vaccine: '6in1', dose: 1, mergedGivenOn: '2026-01-10', survivingGivenOn: '2026-01-12' }],
      resolve: expect.stringContaining('which date is right'),
    }),
  ]);
  expect(refused.body.detail).toContain('Nothing was changed');
  // Nothing half-merged: the duplicate and all its rows are where they were.
  expect((await stack.child(old))!.id).toBe(duplicate.id);
  expect(await count('SELECT count(*)::int AS n FROM immunisation_events WHERE child_id = $1', [duplicate.id])).toBe(2);
  expect(await count('SELECT count(*)::int AS n FROM child_merges', [])).toBe(0);

  const contactsBefore = await count('SELECT count(*)::int AS n FROM contacts WHERE child_id = ANY($1::bigint[])', [
    [duplicate.id, survivor.id],
  ]);
  const done = await merge({ resolutions: [{ vaccine: '6in1', dose: 1, keep: 'surviving' }] });
  expect(done.status).toBe(200);
  expect(done.body).toMatchObject({
    mergedNow: true,
    mergedChildId: duplicate.id,
    mergedNhsNumber: old,
    intoChildId: survivor.id,
    intoNhsNumber: survivor.nhsNumber,
    mergedBy: 'cw.walsall.records',
    moved: expect.objectContaining({ immunisations: 1, contacts: 1, tasks: expect.any(Number), notifications: 1 }),
    setAside: 1,
  });
  expect(done.body.moved.tasks).toBeGreaterThanOrEqual(1);

  // One record: the old number is gone from the records, still linked, and everything is on the survivor.
  expect(await stack.child(old)).toBeNull();
  expect(await count('SELECT count(*)::int AS n FROM children WHERE id = $1', [duplicate.id])).toBe(0);
  const doses = await select<{ vaccine: string; givenOn: string }>(
    stack.db,
    'SELECT vaccine, given_on::text AS given_on FROM immunisation_events WHERE child_id = $1 ORDER BY vaccine',
    [survivor.id],
  );
  expect(doses).toEqual([
    { vaccine: '6in1', givenOn: '2026-01-12' },
    { vaccine: 'rotavirus', givenOn: '2026-01-10' },
  ]);
  expect(await count('SELECT count(*)::int AS n FROM contacts WHERE child_id = $1', [survivor.id])).toBe(
    contactsBefore,
  );
  expect(await count('SELECT count(*)::int AS n FROM contacts WHERE child_id = $1 AND is_primary', [survivor.id])).toBe(
    1,
  );
  expect((await stack.tasksFor(old)).find((t) => t.id === visit.id)!.childId).toBe(survivor.id);
  // The dose date not kept is kept in the merge record, not lost.
  const [row] = await select<{ setAside: Array<{ table: string; row: { given_on: string } }>; mergedRecord: object }>(
    stack.db,
    'SELECT set_aside, merged_record FROM child_merges WHERE merged_child_id = $1',
    [duplicate.id],
  );
  expect(row.setAside).toEqual([
    { table: 'immunisation_events', row: expect.objectContaining({ vaccine: '6in1', given_on: '2026-01-10' }) },
  ]);
  expect(row.mergedRecord).toMatchObject({ nhs_number: old, family_name: 'Merge-Test' });

  const audits = await select<{
    actorUsername: string;
    reason: string;
    childIds: string[];
    detail: Record<string, unknown>;
  }>(stack.db, "SELECT actor_username, reason, child_ids, detail FROM audit_events WHERE action = 'child.merge'");
  expect(audits).toEqual([
    {
      actorUsername: 'cw.walsall.records',
      reason: REASON,
      childIds: expect.arrayContaining([duplicate.id, survivor.id]),
      detail: expect.objectContaining({
        mergedNhsNumber: old,
        mergedChildId: duplicate.id,
        moved: done.body.moved,
        setAside: ['immunisation_events'],
        // The mother from the birth notification stays a contact; the survivor's main contact stays the main one.
        resolved: [
          { kind: 'dose_date', vaccine: '6in1', dose: 1, keep: 'surviving' },
          { kind: 'main_contact', contactId: expect.any(String), now: 'ordinary contact' },
        ],
      }),
    },
  ]);

  // Repeated: the same answer, nothing changed, no second audit row.
  const again = await merge({ resolutions: [{ vaccine: '6in1', dose: 1, keep: 'surviving' }] });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ mergedNow: false, mergedChildId: duplicate.id, intoChildId: survivor.id });
  expect(await count("SELECT count(*)::int AS n FROM audit_events WHERE action = 'child.merge'", [])).toBe(1);

  // The record says where it came from.
  const record = await records.get(`/api/children/${survivor.nhsNumber}`);
  expect(record.body.mergedFrom).toEqual([
    expect.objectContaining({
      mergedNhsNumber: old,
      mergedChildId: duplicate.id,
      mergedBy: 'cw.walsall.records',
      reason: REASON,
    }),
  ]);

  // The processes started under the old number go on: events under either number reach them
  // and the survivor's, and the visit is completed on the surviving record.
  const underCurrent = await stack.events.post('/api/events/screening-outcomes').send({
    nhsNumber: survivor.nhsNumber,
    programme: 'nipe',
    outcome: 'no_abnormality_detected',
    recordedOn: today(),
  });
  expect([underCurrent.status, underCurrent.body.childId, underCurrent.body.instancesNotified]).toEqual([
    202,
    survivor.id,
    2,
  ]);
  const underOld = await stack.events
    .post('/api/events/screening-outcomes')
    .send({ nhsNumber: old, programme: 'hearing', outcome: 'clear_response', recordedOn: today() });
  expect([underOld.status, underOld.body.childId, underOld.body.instancesNotified]).toEqual([202, survivor.id, 2]);

  const hvTask = await hv.post(`/api/tasks/${visit.id}/claim`).send({});
  expect(hvTask.status).toBe(200);
  const completed = await hv
    .post(`/api/tasks/${visit.id}/complete`)
    .send({ data: { visitDate: today(), visitOutcome: 'completed' } });
  expect(completed.status).toBe(200);
  await stack.waitFor(
    async () => (await stack.tasksFor(old)).find((t) => t.id === visit.id)?.status === 'completed',
    'the visit completed',
  );
  const stuck = await select(
    stack.db,
    "SELECT id FROM process_instances WHERE business_key = $1 AND status IN ('incident', 'failed')",
    [old],
  );
  expect(
    await select(
      stack.db,
      'SELECT element_id, message FROM incidents i JOIN process_instances p ON p.id = i.process_instance_id WHERE p.business_key = $1',
      [old],
    ),
  ).toEqual([]);
  expect(stuck).toEqual([]);
}, 240_000);

test('a merge of two records PDS has not linked is refused, naming why; nothing changes', async () => {
  const a = await unusedChild(stack, 'walsall');
  const b = (
    await select<{ nhsNumber: string; id: string }>(
      stack.db,
      `SELECT c.id, c.nhs_number FROM children c JOIN localities l ON l.id = c.locality_id
       WHERE l.code = 'walsall' AND c.id <> $1 AND c.status = 'active' ORDER BY c.id DESC LIMIT 1`,
      [a.id],
    )
  )[0];
  const records = await stack.signIn('cw.walsall.records');
  const res = await records
    .post(`/api/children/${a.nhsNumber}/merges`)
    .send({ mergedNhsNumber: b.nhsNumber, reason: 'These look like the same child to me' });
  expect(res.status).toBe(409);
  expect(res.body.conflicts).toEqual([
    expect.objectContaining({ kind: 'not_superseded', resolve: expect.stringContaining('PDS') }),
  ]);
  expect(await stack.child(b.nhsNumber)).not.toBeNull();
  const bad = await records.post(`/api/children/${a.nhsNumber}/merges`).send({ mergedNhsNumber: b.nhsNumber });
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('reason');
});
