/**
 * records/children/merge.ts against real PostgreSQL (no engine): the merge is one transaction
 * (a failure at its last write leaves both records as they were), refusals name each conflict
 * and change nothing, the surviving record takes the stronger safeguarding alert and the
 * restriction, and the merged record's id and every number of the child keep leading to the
 * child's record and to all of its running processes.
 */
import { Client } from 'pg';
import { processActor } from '../../records/actor';
import { childFactsById, childFactsByNhsNumber } from '../../records/children/facts';
import { mergeChildRecords, MergeConflicts } from '../../records/children/merge';
import { runningInstancesKeyedBy } from '../../records/process-instances';
import { select } from '../../records/sql';
import {
  BIRMINGHAM,
  countRows,
  makeChild,
  makeProcessInstance,
  startCaseWork,
  syntheticNhsNumber,
  type CaseWorkHarness,
} from '../api/support/case-work';
import { roleUrlsOf } from '../support/databases';

let h: CaseWorkHarness;
beforeAll(async () => {
  h = await startCaseWork('merge_records');
});
afterAll(() => h.close());

const actor = processActor('merge-test');

/** DDL for the test, as the owner role (the application's role creates nothing). */
async function asOwner(sql: string): Promise<void> {
  const client = new Client({
    connectionString: roleUrlsOf(decodeURIComponent(new URL(h.database.url).pathname.slice(1))).owner,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
const REASON = 'PDS superseded the number';

/** A surviving record, a duplicate under a number PDS superseded by the survivor's, linked as pds-lookup.ts links it. */
async function pair(): Promise<{ into: { id: string; nhsNumber: string }; merged: { id: string; nhsNumber: string } }> {
  const into = await makeChild(h.db, BIRMINGHAM);
  const merged = await makeChild(h.db, BIRMINGHAM);
  await select(
    h.db,
    'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
    [merged.nhsNumber, into.id, into.nhsNumber],
  );
  return { into, merged };
}

const keyed = async (nhsNumber: string, key: string) => {
  const id = await makeProcessInstance(h.db, 'merge-test');
  await select(h.db, 'UPDATE process_instances SET business_key = $2 WHERE id = $1 RETURNING id', [id, key]);
  return id;
};

test('a failure at the merge’s last write leaves both records whole: nothing half-merged', async () => {
  const { into, merged } = await pair();
  await select(
    h.db,
    "INSERT INTO contacts (child_id, relationship, name, preferred_method) VALUES ($1, 'father', 'Half Merge', 'letter') RETURNING id",
    [merged.id],
  );
  // The merge row is written last: make PostgreSQL refuse it once.
  await asOwner(`
    CREATE FUNCTION refuse_merge_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
    CREATE TRIGGER refuse_merge_row BEFORE INSERT ON child_merges FOR EACH ROW EXECUTE FUNCTION refuse_merge_row();`);
  try {
    await expect(
      mergeChildRecords(h.db, actor, {
        mergedNhsNumber: merged.nhsNumber,
        intoNhsNumber: into.nhsNumber,
        reason: REASON,
      }),
    ).rejects.toThrow('refused for the test');
  } finally {
    await asOwner('DROP TRIGGER refuse_merge_row ON child_merges; DROP FUNCTION refuse_merge_row();');
  }
  expect(await select(h.db, 'SELECT id FROM children WHERE id = $1', [merged.id])).toHaveLength(1);
  expect(await select(h.db, "SELECT child_id FROM contacts WHERE name = 'Half Merge'")).toEqual([
    { childId: merged.id },
  ]);
  expect(
    await select(h.db, "SELECT id FROM audit_events WHERE action = 'child.merge' AND child_id = $1", [into.id]),
  ).toEqual([]);
  // The same merge then goes through.
  const done = await mergeChildRecords(h.db, actor, {
    mergedNhsNumber: merged.nhsNumber,
    intoNhsNumber: into.nhsNumber,
    reason: REASON,
  });
  expect(done).toMatchObject({ mergedNow: true, moved: expect.objectContaining({ contacts: 1 }) });
  expect(await select(h.db, "SELECT child_id FROM contacts WHERE name = 'Half Merge'")).toEqual([{ childId: into.id }]);
});

test('refused, naming each conflict and changing nothing: a death on one record, transfers in flight on both, one dose followed up on both', async () => {
  const { into, merged } = await pair();
  await select(
    h.db,
    "UPDATE children SET status = 'deceased', date_of_death = '2026-01-02' WHERE id = $1 RETURNING id",
    [merged.id],
  );
  for (const id of [into.id, merged.id])
    await select(
      h.db,
      `INSERT INTO transfers (child_id, direction, from_locality_id, to_locality_id, status) VALUES ($1, 'within_region', 1, 2, 'requested') RETURNING id`,
      [id],
    );
  const [schedule] = await select<{ id: number }>(h.db, 'SELECT id FROM immunisation_schedules ORDER BY id LIMIT 1');
  for (const id of [into.id, merged.id])
    await select(
      h.db,
      `INSERT INTO immunisation_follow_ups (child_id, dose_code, schedule_id, vaccine, dose, due_on, overdue_on, offer_until, locality_id, workflow_id)
       VALUES ($1, 'mmr-1', $2, 'mmr', 1, '2026-01-01', '2026-02-01', '2030-01-01', 1, $3) RETURNING id`,
      [id, schedule.id, `follow-up-${id}`],
    );
  const before = await countRows(h.db, 'audit_events');
  const refusal = await mergeChildRecords(h.db, actor, {
    mergedNhsNumber: merged.nhsNumber,
    intoNhsNumber: into.nhsNumber,
    reason: REASON,
  }).catch((e: unknown) => e);
  expect(refusal).toBeInstanceOf(MergeConflicts);
  expect((refusal as MergeConflicts).conflicts.map((c) => [c.kind, typeof c.resolve])).toEqual([
    ['death', 'string'],
    ['transfers_in_flight', 'string'],
    ['follow_ups_open', 'string'],
  ]);
  expect(await select(h.db, 'SELECT id FROM children WHERE id = $1', [merged.id])).toHaveLength(1);
  expect(await countRows(h.db, 'audit_events')).toBe(before);
});

test('the survivor takes the stronger alert and the restriction; the merged id, every number and every running process of the child lead to one another', async () => {
  const { into, merged } = await pair();
  // A number the duplicate had superseded before (a chain), with a process still keyed by it.
  const older = syntheticNhsNumber();
  await select(
    h.db,
    'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
    [older, merged.id, merged.nhsNumber],
  );
  await select(
    h.db,
    "UPDATE children SET safeguarding_alert = 'child_protection_plan', restricted = true WHERE id = $1 RETURNING id",
    [merged.id],
  );
  const underCurrent = await keyed(into.nhsNumber, into.nhsNumber);
  const underMerged = await keyed(merged.nhsNumber, merged.nhsNumber);
  const underOlder = await keyed(older, older);

  await mergeChildRecords(h.db, actor, {
    mergedNhsNumber: merged.nhsNumber,
    intoNhsNumber: into.nhsNumber,
    reason: REASON,
  });

  const [survivor] = await select<{ safeguardingAlert: string; restricted: boolean }>(
    h.db,
    'SELECT safeguarding_alert, restricted FROM children WHERE id = $1',
    [into.id],
  );
  expect(survivor).toEqual({ safeguardingAlert: 'child_protection_plan', restricted: true });
  expect((await childFactsById(h.db, merged.id))!.childId).toBe(into.id);
  for (const n of [merged.nhsNumber, older]) expect((await childFactsByNhsNumber(h.db, n))!.childId).toBe(into.id);
  const all = [underCurrent, underMerged, underOlder].sort();
  for (const n of [into.nhsNumber, merged.nhsNumber, older])
    expect((await runningInstancesKeyedBy(h.db, n, '')).sort()).toEqual(all);
});
