/**
 * After two records of a child were merged (records/children/merge.ts), a process started under
 * the number PDS superseded, or holding the merged record's id, still reaches the child at the
 * steps that look a child up by the number or id they were given: the child-protection alert,
 * the restriction check when a task opens, the task queues' locality rule, the demographics the
 * PDS stand-in answers with, a transfer received under the old number, and the audit of a PDS
 * lookup. Against real PostgreSQL; each would miss the child (404, a second record, an address
 * in a task, a task shown outside the child's localities) without following the links.
 */
import { processActor } from '../../records/actor';
import { childIdOfNhsNumberOrSuperseded } from '../../records/children/child-rows';
import { recordedDemographics } from '../../records/children/demographics';
import { mergeChildRecords } from '../../records/children/merge';
import { createOrUpdateFromTransfer } from '../../records/children/register';
import { isRestricted } from '../../records/children/restricted';
import { recordChildProtectionAlert } from '../../records/concerns/escalation';
import { select, selectOne } from '../../records/sql';
import { activateJobRows, createJobRow, findJob } from '../../records/jobs';
import { findInstance, listInstances } from '../../records/process-instance-rows';
import { queuePage } from '../../records/tasks/rows';
import {
  BIRMINGHAM,
  COVENTRY,
  DUDLEY,
  makeChild,
  makeProcessInstance,
  makeTask,
  startCaseWork,
  type CaseWorkHarness,
} from '../api/support/case-work';

let h: CaseWorkHarness;
beforeAll(async () => {
  h = await startCaseWork('merged_lookups');
});
afterAll(() => h.close());

const actor = processActor('merged-lookups-test');

/** Two records of one child, the first's number superseded by the second's, merged. */
async function merged(localityId = BIRMINGHAM): Promise<{
  into: { id: string; nhsNumber: string };
  old: { id: string; nhsNumber: string };
}> {
  const into = await makeChild(h.db, localityId);
  const old = await makeChild(h.db, localityId);
  await select(
    h.db,
    'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
    [old.nhsNumber, into.id, into.nhsNumber],
  );
  await mergeChildRecords(h.db, actor, {
    mergedNhsNumber: old.nhsNumber,
    intoNhsNumber: into.nhsNumber,
    reason: 'PDS superseded the number',
  });
  return { into, old };
}

test('a child-protection alert under the superseded number (and the merged id) reaches the surviving record', async () => {
  const { into, old } = await merged();
  const concern = await recordChildProtectionAlert(
    h.db,
    actor,
    { nhsNumber: old.nhsNumber, childId: old.id, type: 'child_protection_plan', summary: 'Section 47 enquiry' },
    `alert-${old.nhsNumber}`,
  );
  expect(concern.childId).toBe(into.id);
  const child = await selectOne<{ safeguardingAlert: string }>(
    h.db,
    'SELECT safeguarding_alert FROM children WHERE id = $1',
    [into.id],
  );
  expect(child!.safeguardingAlert).toBe('child_protection_plan');
});

test('a child-protection alert naming a different child’s id is still refused', async () => {
  const { old } = await merged();
  const other = await makeChild(h.db, BIRMINGHAM);
  await expect(
    recordChildProtectionAlert(
      h.db,
      actor,
      { nhsNumber: old.nhsNumber, childId: other.id, type: 'concern' },
      `alert-other-${old.nhsNumber}`,
    ),
  ).rejects.toThrow(/does not have NHS number/);
});

test('a restricted surviving record is restricted for a task opened under the old number or the merged id', async () => {
  const { into, old } = await merged();
  await select(h.db, 'UPDATE children SET restricted = true WHERE id = $1 RETURNING id', [into.id]);
  expect(await isRestricted(h.db, { childId: null, nhsNumber: old.nhsNumber })).toBe(true);
  expect(await isRestricted(h.db, { childId: old.id, nhsNumber: old.nhsNumber })).toBe(true);
  // Not everything is restricted: an unrestricted child stays so.
  const plain = await makeChild(h.db, BIRMINGHAM);
  expect(await isRestricted(h.db, { childId: null, nhsNumber: plain.nhsNumber })).toBe(false);
});

test('the PDS stand-in answers the superseded number with the current record, as PDS does', async () => {
  const { into, old } = await merged();
  const d = await recordedDemographics(h.db, old.nhsNumber);
  expect(d?.nhsNumber).toBe(into.nhsNumber);
  expect(await childIdOfNhsNumberOrSuperseded(h.db, old.nhsNumber)).toBe(into.id);
  expect(await childIdOfNhsNumberOrSuperseded(h.db, into.nhsNumber)).toBe(into.id);
});

test('a transfer received under the superseded number updates the surviving record and creates no second one', async () => {
  const { into, old } = await merged();
  const created = await createOrUpdateFromTransfer(h.db, {
    nhsNumber: old.nhsNumber,
    givenName: 'Ada',
    familyName: 'Moved',
    dateOfBirth: '2025-03-14',
    sex: 'female',
    address: { lines: ['2 Test Street'], postcode: 'B15 2TT' },
    gpPracticeOds: null,
    safeguardingAlert: 'looked_after',
    localityId: BIRMINGHAM,
  });
  expect(created).toBe(false);
  const rows = await select<{ id: string; safeguardingAlert: string }>(
    h.db,
    'SELECT id, safeguarding_alert FROM children WHERE nhs_number = ANY($1::char(10)[])',
    [[old.nhsNumber, into.nhsNumber]],
  );
  expect(rows).toEqual([{ id: into.id, safeguardingAlert: 'looked_after' }]);
});

test('a task keyed by the superseded number keeps the locality rule: not shown through a role outside the child’s localities', async () => {
  const { into, old } = await merged(COVENTRY);
  const instance = await makeProcessInstance(h.db, 'merged-lookups');
  const task = await makeTask(h.db, {
    processInstanceId: instance,
    businessKey: old.nhsNumber,
    candidateGroups: ['merged_lookups_role'],
  });
  const viewer = (localityId: number) => ({
    username: 'someone',
    groups: ['merged_lookups_role'],
    role: 'merged_lookups_role',
    localityIds: [localityId],
  });
  const ids = async (localityId: number) =>
    (await queuePage(h.db, { kind: 'unclaimed', viewer: viewer(localityId) }, 100, null)).tasks.map((t) => t.id);
  expect(await ids(DUDLEY)).not.toContain(task.id);
  expect(await ids(COVENTRY)).toContain(task.id);
  expect(into.id).not.toBe(old.id);
});

test('a process instance keyed by the superseded number belongs to the surviving child: its locality rule holds', async () => {
  const { into, old } = await merged(COVENTRY);
  const instance = await makeProcessInstance(h.db, 'merged-lookups');
  await select(h.db, 'UPDATE process_instances SET business_key = $2 WHERE id = $1 RETURNING id', [
    instance,
    old.nhsNumber,
  ]);
  // Without a child the instance would pass every locality filter (and openInstance's check).
  expect(await findInstance(h.db, instance)).toMatchObject({ childId: into.id, childLocalityId: COVENTRY });
  const listed = async (localityId: number) =>
    (await listInstances(h.db, { businessKey: old.nhsNumber, localityIds: [localityId] }, 100, null)).rows.map(
      (r) => r.id,
    );
  expect(await listed(DUDLEY)).toEqual([]);
  expect(await listed(COVENTRY)).toEqual([instance]);
});

test('a job of an instance keyed by the superseded number goes only to workers who may see the surviving child', async () => {
  const { into, old } = await merged(COVENTRY);
  const instance = await makeProcessInstance(h.db, 'merged-lookups');
  await select(h.db, 'UPDATE process_instances SET business_key = $2 WHERE id = $1 RETURNING id', [
    instance,
    old.nhsNumber,
  ]);
  const type = `merged-lookups-${instance}`;
  await createJobRow(h.db, {
    processInstanceId: instance,
    engineJobId: 'engine-job-1',
    elementId: 'Task',
    elementInstanceId: 'Task#1',
    elementInstanceKey: '1',
    type,
    retries: 3,
    customHeaders: {},
    variables: {},
  });
  const take = (localityIds: number[]) =>
    activateJobRows(h.db, { type, worker: 'w', timeoutMs: 60_000, max: 5, localityIds });
  expect(await take([DUDLEY])).toEqual([]);
  const [job] = await take([COVENTRY]);
  expect(job).toMatchObject({ childId: into.id, childLocalityId: COVENTRY });
  expect(await findJob(h.db, job.key)).toMatchObject({ childId: into.id });
});
