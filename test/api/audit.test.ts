import { processActor } from '../../records/actor';
import { mergeChildRecords } from '../../records/children/merge';
import { select } from '../../records/sql';
import {
  BIRMINGHAM,
  countRows,
  makeChild,
  makeProcessInstance,
  makeStaff,
  signIn,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

describe('audit trail: administrators read it, filtered and cursor-paginated; nobody changes it', () => {
  let h: CaseWorkHarness;
  let admin: SignedIn;
  beforeAll(async () => {
    h = await startCaseWork('api_audit');
    admin = await signIn(h.app, await makeStaff(h.db, 'administrator', { localityIds: [] }));
  });
  afterAll(() => h.close());

  test('filter by child, actor, action and time; pages by cursor, newest first', async () => {
    const worker = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
    const child = await makeChild(h.db, BIRMINGHAM);
    const other = await makeChild(h.db, BIRMINGHAM);
    const started = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) await worker.agent.get(`/api/children/${child.nhsNumber}`).expect(200);
    await worker.agent.get(`/api/children/${child.nhsNumber}/timeline`).expect(200);
    await worker.agent.get(`/api/children/${other.nhsNumber}`).expect(200);

    const all = await admin.agent.get('/api/audit').query({ nhsNumber: child.nhsNumber });
    expect(all.status).toBe(200);
    expect(all.body.events.map((e: { action: string }) => e.action)).toEqual([
      'child.timeline',
      'child.read',
      'child.read',
      'child.read',
    ]);
    expect(all.body.events[0]).toMatchObject({
      actorUsername: worker.user.username,
      entityType: 'child',
      entityId: child.nhsNumber,
      sourceIp: expect.any(String),
    });

    const reads = await admin.agent
      .get('/api/audit')
      .query({ actor: worker.user.username, action: 'child.read', from: started });
    expect(reads.body.events).toHaveLength(4);

    const first = await admin.agent.get('/api/audit').query({ nhsNumber: child.nhsNumber, limit: 3 });
    expect(first.body.events).toHaveLength(3);
    const second = await admin.agent
      .get('/api/audit')
      .query({ nhsNumber: child.nhsNumber, limit: 3, cursor: first.body.next });
    expect(second.body.events).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expect([...first.body.events, ...second.body.events].map((e: { id: string }) => e.id)).toEqual(
      all.body.events.map((e: { id: string }) => e.id),
    );

    const future = await admin.agent
      .get('/api/audit')
      .query({ actor: worker.user.username, from: '2999-01-01T00:00:00Z' });
    expect(future.body.events).toEqual([]);
  });

  test('only administrators read the trail; the read itself is audited', async () => {
    const lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead'));
    const refused = await lead.agent.get('/api/audit');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/Your role \(safeguarding_lead\) may not read the audit trail/);
    const before = await countRows(h.db, 'audit_events');
    await admin.agent.get('/api/audit').expect(200);
    expect(await countRows(h.db, 'audit_events')).toBe(before + 1);
  });

  test('there is no route that changes audit events, and the table refuses updates and deletes', async () => {
    for (const method of ['put', 'patch', 'delete'] as const) {
      const res = await admin.agent[method]('/api/audit').set('X-CSRF-Token', admin.csrf).send({});
      expect(res.status).toBe(404);
      const one = await admin.agent[method]('/api/audit/1').set('X-CSRF-Token', admin.csrf).send({});
      expect(one.status).toBe(404);
    }
    // The application's own database role may not change audit rows (db/migrations/roles.ts).
    await expect(select(h.db, "UPDATE audit_events SET reason = 'tampered' RETURNING id")).rejects.toThrow(
      /permission denied for table audit_events/,
    );
    await expect(select(h.db, 'DELETE FROM audit_events RETURNING id')).rejects.toThrow(
      /permission denied for table audit_events/,
    );
  });

  test('filters are validated', async () => {
    const res = await admin.agent.get('/api/audit').query({ from: 'yesterday', nhsNumber: '123', colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'query.colour',
      'query.from',
      'query.nhsNumber',
    ]);
  });
  test('after a merge, the merged record’s audit rows (they keep its id) are in the surviving record’s trail and timeline', async () => {
    const worker = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
    const lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
    const into = await makeChild(h.db, BIRMINGHAM);
    const merged = await makeChild(h.db, BIRMINGHAM);
    // Opened under its own number before PDS superseded it: the audit row names the merged record's id.
    await worker.agent.get(`/api/children/${merged.nhsNumber}`).expect(200);
    // A process of the child keyed by the number PDS superseded since.
    const instance = await makeProcessInstance(h.db, 'audit-merge-test');
    await select(h.db, 'UPDATE process_instances SET business_key = $2 WHERE id = $1 RETURNING id', [
      instance,
      merged.nhsNumber,
    ]);
    await select(
      h.db,
      'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
      [merged.nhsNumber, into.id, into.nhsNumber],
    );
    await mergeChildRecords(h.db, processActor('audit-test'), {
      mergedNhsNumber: merged.nhsNumber,
      intoNhsNumber: into.nhsNumber,
      reason: 'PDS superseded the number',
    });

    const readOfMerged = (events: Array<{ action: string; childId: string | null; actorUsername: string }>) =>
      events.filter(
        (e) => e.action === 'child.read' && e.childId === merged.id && e.actorUsername === worker.user.username,
      );
    for (const nhsNumber of [into.nhsNumber, merged.nhsNumber]) {
      const trail = await admin.agent.get('/api/audit').query({ nhsNumber });
      expect(trail.status).toBe(200);
      expect(readOfMerged(trail.body.events)).toHaveLength(1);
      expect(trail.body.events.map((e: { action: string }) => e.action)).toContain('child.merge');
    }

    const timeline = await lead.agent
      .get(`/api/children/${into.nhsNumber}/timeline`)
      .query({ kinds: 'record_opened,process_started' });
    expect(timeline.status).toBe(200);
    expect(timeline.body.events).toEqual([
      expect.objectContaining({ kind: 'process_started', ref: `instance:${instance}` }),
      expect.objectContaining({ kind: 'record_opened', actor: worker.user.username }),
    ]);
  });
});
