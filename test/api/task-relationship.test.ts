/**
 * Tasks are a way to see a child's data (their input holds names, addresses, a mother's name):
 * the legitimate-relationship rule applies to them as to the record (issue 11, finding 2).
 * Assigning a Birmingham child's task to a Coventry caseworker is refused and changes nothing;
 * a candidate group naming a role reaches nobody outside the child's locality without break
 * glass, in the task read and in every queue; administrators too need a reason outside.
 */
import { findTask } from '../../records/tasks/rows';
import { select } from '../../records/sql';
import {
  BIRMINGHAM,
  COVENTRY,
  auditRows,
  countRows,
  makeChild,
  makeProcessInstance,
  makeStaff,
  makeTask,
  makeTeam,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

const REASON = 'Covering the Birmingham rota this week';
const ids = (body: { tasks?: Array<{ id: string }> }) => (body.tasks ?? []).map((t) => t.id);

let h: CaseWorkHarness;
let instance: string;
beforeAll(async () => {
  h = await startCaseWork('api_task_rel');
  instance = await makeProcessInstance(h.db, 'new-birth');
});
afterAll(() => h.close());

/** A Birmingham baby's task, as new-birth-registration opens it (business key = NHS number, the birth in its input). */
async function birminghamTask(fields: { candidateGroups: string[]; localityId?: number | null }) {
  const child = await makeChild(h.db, BIRMINGHAM);
  const task = await makeTask(h.db, {
    processInstanceId: instance,
    businessKey: child.nhsNumber,
    childId: child.id,
    localityId: fields.localityId === undefined ? BIRMINGHAM : fields.localityId,
    candidateGroups: fields.candidateGroups,
    input: { birth: { givenName: 'Ada', familyName: child.familyName, mother: { name: 'Mary' } } },
  });
  return { child, task };
}

const assign = (s: SignedIn, taskId: string, assignee: string | null) =>
  s.agent.post(`/api/tasks/${taskId}/assign`).set('X-CSRF-Token', s.csrf).send({ assignee });

test('assigning a Birmingham task to a Coventry caseworker is refused (lead and administrator alike): nothing changes', async () => {
  const team = await makeTeam(h.db, BIRMINGHAM);
  const { task } = await birminghamTask({ candidateGroups: [team] });
  const lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
  const admin = await signIn(h.app, await makeStaff(h.db, 'administrator', { localityIds: [BIRMINGHAM] }));
  const coventryWorker = await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY] });
  const auditBefore = await countRows(h.db, 'audit_events');
  for (const s of [lead, admin]) {
    const res = await assign(s, task.id, coventryWorker.username);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        field: 'body.assignee',
        message: expect.stringMatching(/^has no legitimate relationship with the task's child/),
      },
    ]);
  }
  expect(await findTask(h.db, task.id)).toMatchObject({ status: 'open', assignee: null, rowVersion: task.rowVersion });
  expect(await countRows(h.db, 'audit_events')).toBe(auditBefore);
  // The Coventry caseworker still cannot read it.
  const outsider = await signIn(h.app, coventryWorker);
  expect((await outsider.agent.get(`/api/tasks/${task.id}`)).status).toBe(403);

  // Someone of the child's locality may be assigned it.
  const birminghamWorker = await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] });
  expect((await assign(lead, task.id, birminghamWorker.username)).body).toMatchObject({
    status: 'claimed',
    assignee: birminghamWorker.username,
  });
});

test('a task the process routed to another locality’s team may be assigned within that team', async () => {
  // As child-mover's "Accept the transfer": a Birmingham child, the receiving Coventry records team.
  const coventryTeam = await makeTeam(h.db, COVENTRY, 'records');
  const { task } = await birminghamTask({ candidateGroups: [coventryTeam], localityId: COVENTRY });
  const coventryLead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [COVENTRY] }));
  const member = await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY], teamCodes: [coventryTeam] });
  expect((await assign(coventryLead, task.id, member.username)).status).toBe(200);
});

test('a task with no locality of its own: only leads of the child’s locality assign it', async () => {
  const team = await makeTeam(h.db, null);
  const { task } = await birminghamTask({ candidateGroups: [team], localityId: null });
  const coventryLead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [COVENTRY] }));
  const member = await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM], teamCodes: [team] });
  const res = await assign(coventryLead, task.id, member.username);
  // The Coventry lead is not a candidate and has no relationship: break glass is asked for first.
  expect(res.status).toBe(403);
  expect((await findTask(h.db, task.id))!.assignee).toBeNull();
});

test('a candidate group naming a role: outside the child’s locality only with break glass, and never in a queue', async () => {
  const { child, task } = await birminghamTask({ candidateGroups: ['caseworker'], localityId: null });
  const coventry = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY] }));
  const birmingham = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] }));

  const refused = await coventry.agent.get(`/api/tasks/${task.id}`);
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toMatch(/outside your localities: state why/);
  for (const queue of ['unclaimed', 'process/new-birth']) {
    expect(ids((await coventry.agent.get(`/api/tasks/queues/${queue}`)).body)).not.toContain(task.id);
    expect(ids((await birmingham.agent.get(`/api/tasks/queues/${queue}`)).body)).toContain(task.id);
  }
  expect(
    (await coventry.agent.post(`/api/tasks/${task.id}/claim`).set('X-CSRF-Token', coventry.csrf).send({})).status,
  ).toBe(403);
  expect((await findTask(h.db, task.id))!.status).toBe('open');

  const withReason = await coventry.agent.get(`/api/tasks/${task.id}`).set('X-Access-Reason', REASON);
  expect(withReason.status).toBe(200);
  const alerts = await select<{ action: string }>(h.db, 'SELECT action FROM break_glass_alerts WHERE child_id = $1', [
    child.id,
  ]);
  expect(alerts).toEqual([{ action: 'task.read' }]);
  const audit = (await auditRows(h.db, { childId: child.id })).map((e) => [e.action, e.actorUsername]);
  expect(audit).toEqual([
    ['child.break_glass', coventry.user.username],
    ['task.read', coventry.user.username],
  ]);
  expect((await birmingham.agent.get(`/api/tasks/${task.id}`)).status).toBe(200);
});

test('an administrator assigns a task about a child outside their localities only with a reason (the answer shows the task)', async () => {
  const team = await makeTeam(h.db, BIRMINGHAM);
  const { task } = await birminghamTask({ candidateGroups: [team] });
  const admin = await signIn(h.app, await makeStaff(h.db, 'administrator', { localityIds: [COVENTRY] }));
  const worker = await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] });
  const refused = await assign(admin, task.id, worker.username);
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toMatch(/outside your localities: state why/);
  expect((await findTask(h.db, task.id))!.assignee).toBeNull();
  const withReason = await assign(admin, task.id, worker.username).set('X-Access-Reason', REASON);
  expect(withReason.status).toBe(200);
});
