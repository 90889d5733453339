/**
 * What PDS says about a newborn, followed through new birth registration on the CHIS stack (the
 * PDS simulator over real HTTP answering as the PDS FHIR API does: a superseded NHS number is
 * answered with the patient's current record; a restricted, S-flagged record carries
 * meta.security R and no address or GP practice; a death carries deceasedDateTime):
 * - superseded: the record takes the current number, the old one stays linked, audited, and the
 *   process goes on (it used to take the answer for an outage and retry for ever);
 * - restricted: the record is marked restricted; no address reaches the task, the staff view,
 *   the timeline or the GP email;
 * - deceased: the record is marked deceased and the process ends: no visit, no reviews.
 */
import { QueryTypes } from 'sequelize';
import { londonDate } from '../../core/uk-time';
import type { ChisStack, HumanTaskRow } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import { unusedChild } from '../processes/mover-support';

let stack: ChisStack;
chisStackPerFile(
  { children: 20, definitions: ['new-birth-registration.bpmn', 'child-health-reviews.bpmn'] },
  (started) => (stack = started),
);

const today = () => londonDate(stack.now().getTime());
const STREET = '7 Sanctuary Close';
const POSTCODE = 'WS1 1AA';

async function notifyBirth(nhsNumber: string): Promise<{ odsCode: string; email: string }> {
  const practice = await stack.practiceOf('walsall');
  const res = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber,
    givenName: 'Ada',
    familyName: 'Lovelace-Test',
    dateOfBirth: today(),
    timeOfBirth: '07:45',
    sex: 'female',
    mother: { name: 'Annabella Lovelace-Test' },
    address: { lines: [STREET], postcode: POSTCODE },
    gpPracticeCode: practice.odsCode,
    maternityUnit: 'Manor Hospital',
  });
  if (res.status !== 202) throw new Error(`birth notification: ${res.status} ${JSON.stringify(res.body)}`);
  return practice;
}

const pdsPatient = (nhsNumber: string) => ({
  nhsNumber,
  givenName: 'Ada',
  familyName: 'Lovelace-Test',
  dateOfBirth: today(),
  sex: 'female' as const,
  address: { lines: [STREET], postcode: POSTCODE },
});

const visitTask = (nhs: string, status: HumanTaskRow['status'] = 'open') =>
  stack.waitFor(
    async () => (await stack.tasksFor(nhs)).find((t) => t.name === 'New birth visit' && t.status === status),
    `the new birth visit task (${status})`,
  );

const audits = (childId: string, action: string) =>
  stack.database.sequelize.query<{ entityId: string; reason: string | null; detail: Record<string, unknown> }>(
    'SELECT entity_id AS "entityId", reason, detail FROM audit_events WHERE child_id = $1 AND action = $2 ORDER BY id',
    { type: QueryTypes.SELECT, bind: [childId, action] },
  );

test('a superseded NHS number is followed to the current one: the record carries it, the old one stays linked (audited), and registration goes on', async () => {
  const old = stack.newNhsNumber();
  const current = stack.newNhsNumber();
  stack.pds.addPatient(pdsPatient(current));
  stack.pds.supersede(old, current);
  await notifyBirth(old);

  const visit = await visitTask(old);
  expect(await stack.child(old)).toBeNull();
  const child = (await stack.child(current))!;
  expect(child).toMatchObject({ nhsNumber: current, dateOfBirth: today() });
  expect(visit.childId).toBe(child.id);
  const links = await stack.database.sequelize.query(
    'SELECT nhs_number AS "nhsNumber", child_id::text AS "childId", current_nhs_number AS "current" FROM superseded_nhs_numbers WHERE child_id = $1',
    { type: QueryTypes.SELECT, bind: [child.id] },
  );
  expect(links).toEqual([{ nhsNumber: old, childId: child.id, current }]);
  expect(await audits(child.id, 'child.nhs_number_superseded')).toEqual([
    {
      entityId: current,
      reason: null,
      detail: { supersededNhsNumber: old, nhsNumber: current, processInstanceId: expect.any(String) },
    },
  ]);
  // A sender still using the old number reaches the record and the processes running under it.
  const screening = await stack.events
    .post('/api/events/screening-outcomes')
    .send({ nhsNumber: old, programme: 'nipe', outcome: 'no_abnormality_detected', recordedOn: today() });
  // registration and child-health-reviews
  expect([screening.status, screening.body.childId, screening.body.instancesNotified]).toEqual([202, child.id, 2]);
  // A sender using the current number reaches them too: they are the same child's processes.
  const hearing = await stack.events
    .post('/api/events/screening-outcomes')
    .send({ nhsNumber: current, programme: 'hearing', outcome: 'clear_response', recordedOn: today() });
  expect([hearing.status, hearing.body.childId, hearing.body.instancesNotified]).toEqual([202, child.id, 2]);
  // A second notification under the old number matches the record: never a second one.
  const again = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber: old,
    givenName: 'Ada',
    familyName: 'Lovelace-Test',
    dateOfBirth: today(),
    timeOfBirth: '07:50',
    sex: 'female',
    mother: { name: 'Annabella Lovelace-Test' },
    address: { lines: [STREET], postcode: POSTCODE },
    gpPracticeCode: (await stack.practiceOf('walsall')).odsCode,
    maternityUnit: 'Manor Hospital',
  });
  expect([again.status, again.body.childId]).toEqual([202, child.id]);
  await stack.waitFor(
    async () => (await stack.instancesFor(old)).filter((i) => i.status === 'completed').length === 1,
    'the second registration to stop at the matched record',
  );
  const records = await stack.database.sequelize.query(
    "SELECT count(*)::int AS n FROM children WHERE family_name = 'Lovelace-Test' AND date_of_birth = $1 AND (nhs_number = $2 OR nhs_number = $3)",
    { type: QueryTypes.SELECT, bind: [today(), old, current] },
  );
  expect(records).toEqual([{ n: 1 }]);
  // Asked once: a superseded number is an answer, not an outage to retry.
  expect(stack.pds.requests.filter((r) => r.path.endsWith(`/Patient/${old}`))).toEqual([
    { path: expect.stringContaining(old), status: 200 },
  ]);
}, 180_000);

test('a superseded NHS number whose current number another record holds already: the old number is linked to that record and the duplicate named for the records team; nothing is moved', async () => {
  const survivor = await unusedChild(stack, 'walsall');
  const old = stack.newNhsNumber();
  stack.pds.supersede(old, survivor.nhsNumber);
  await notifyBirth(old);

  const visit = await visitTask(old);
  const duplicate = (await stack.child(old))!;
  expect(visit.childId).toBe(duplicate.id);
  expect((await stack.child(survivor.nhsNumber))!.id).toBe(survivor.id);
  const links = await stack.database.sequelize.query(
    'SELECT child_id::text AS "childId", current_nhs_number AS "current" FROM superseded_nhs_numbers WHERE nhs_number = $1',
    { type: QueryTypes.SELECT, bind: [old] },
  );
  expect(links).toEqual([{ childId: survivor.id, current: survivor.nhsNumber }]);
  expect(await audits(survivor.id, 'child.nhs_number_superseded')).toEqual([
    {
      entityId: survivor.nhsNumber,
      reason: null,
      detail: {
        supersededNhsNumber: old,
        nhsNumber: survivor.nhsNumber,
        duplicateRecordId: duplicate.id,
        merge: 'left to the records team: two records for one child',
        processInstanceId: expect.any(String),
      },
    },
  ]);
}, 180_000);

test('a restricted (S-flagged) record: marked restricted, and its address reaches no task, staff view, timeline or GP email', async () => {
  const nhs = stack.newNhsNumber();
  stack.pds.addPatient({ ...pdsPatient(nhs), restricted: true });
  const practice = await notifyBirth(nhs);

  const visit = await visitTask(nhs);
  const child = (await stack.child(nhs))!;
  expect(await audits(child.id, 'child.restricted')).toEqual([
    {
      entityId: nhs,
      reason: 'restricted (S-flagged) on PDS: no address or contact details are shown or sent on',
      detail: { processInstanceId: expect.any(String) },
    },
  ]);
  const leaks = (text: string) => text.includes(STREET) || text.includes(POSTCODE);
  expect(leaks(JSON.stringify(visit.input))).toBe(false);

  const hv = await stack.signIn('cw.walsall.hv');
  const record = await hv.get(`/api/children/${nhs}`);
  expect(record.status).toBe(200);
  expect(record.body.address).toEqual({
    line1: 'Withheld: restricted record (PDS)',
    line2: null,
    town: null,
    postcode: 'Withheld: restricted record (PDS)',
  });
  expect(record.body.locality).toBe('walsall');
  const task = await hv.get(`/api/tasks/${visit.id}`);
  expect(task.status).toBe(200);
  const timeline = await hv.get(`/api/children/${nhs}/timeline`);
  const search = await hv.get(`/api/children?nhsNumber=${nhs}`);
  for (const body of [record.body, task.body, timeline.body, search.body])
    expect(leaks(JSON.stringify(body))).toBe(false);
  // Flagged wherever the child is shown, so staff know why the address is missing.
  expect(record.body).toMatchObject({ restricted: true, restrictedDetailsShown: false });
  expect(search.body.results).toEqual([expect.objectContaining({ nhsNumber: nhs, restricted: true })]);
  expect(await audits(child.id, 'child.restricted_details_read')).toEqual([]);

  // Only a safeguarding lead sees the details, and only on the record itself (audited).
  const lead = await stack.signIn('sl.walsall');
  const leadRecord = await lead.get(`/api/children/${nhs}`);
  expect(leadRecord.status).toBe(200);
  expect(leadRecord.body.restrictedDetailsShown).toBe(true);
  expect(leaks(JSON.stringify(leadRecord.body.address))).toBe(true);
  expect(await audits(child.id, 'child.restricted_details_read')).toHaveLength(1);
  for (const path of [`/api/children/${nhs}/timeline`, `/api/children?nhsNumber=${nhs}`, `/api/tasks/${visit.id}`])
    expect(leaks(JSON.stringify((await lead.get(path)).body))).toBe(false);

  const mail = await stack.waitFor(async () => {
    const m = await stack.receivedMail(practice.email);
    return m.length > 0 && m;
  }, 'the GP email');
  for (const m of mail) expect(leaks(`${m.textBody} ${m.htmlBody}`)).toBe(false);
}, 180_000);

test('deceased on PDS: the record is marked deceased (audited) and registration ends: no visit task left open, no reviews started', async () => {
  const nhs = stack.newNhsNumber();
  stack.pds.addPatient({ ...pdsPatient(nhs), deceased: true, dateOfDeath: today() });
  await notifyBirth(nhs);

  const [registration] = await stack.waitFor(async () => {
    const rows = await stack.instancesFor(nhs);
    return rows.length > 0 && rows.every((r) => r.status !== 'running') && rows;
  }, 'registration to end');
  expect(registration).toMatchObject({ processKey: 'new-birth-registration', status: 'completed' });
  const child = (await stack.child(nhs))!;
  expect(child).toMatchObject({ status: 'deceased', dateOfDeath: today() });
  expect(await audits(child.id, 'child.death_from_pds')).toEqual([
    {
      entityId: nhs,
      reason: null,
      detail: {
        dateOfDeath: today(),
        dateOfDeathFromPds: true,
        previousStatus: 'active',
        cancelledTransfers: [],
        processInstanceId: expect.any(String),
      },
    },
  ]);
  expect((await stack.tasksFor(nhs)).filter((t) => t.status === 'open' || t.status === 'claimed')).toEqual([]);
  await stack.skip('60 days');
  expect((await stack.instancesFor(nhs)).map((i) => i.processKey)).toEqual(['new-birth-registration']);
  expect((await stack.tasksFor(nhs)).filter((t) => t.status === 'open' || t.status === 'claimed')).toEqual([]);
}, 180_000);
