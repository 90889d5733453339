import { select } from '../../records/sql';
import { addContact, addImmunisation, addScreeningResult } from '../support/fixtures';
import {
  BIRMINGHAM,
  COVENTRY,
  auditRows,
  countRows,
  makeChild,
  makeStaff,
  signIn,
  syntheticNhsNumber,
  startCaseWork,
  type CaseWorkHarness,
  type SignedIn,
} from './support/case-work';

const REASON = 'Child attending Birmingham A&E, checking immunisation history';

describe('children: search, record, timeline, legitimate relationship and break glass', () => {
  let h: CaseWorkHarness;
  let caseworker: SignedIn;
  beforeAll(async () => {
    h = await startCaseWork('api_children');
    caseworker = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [BIRMINGHAM] }));
  });
  afterAll(() => h.close());

  test('search by NHS number (spaces allowed) and by family name + date of birth; each found child is audited', async () => {
    const child = await makeChild(h.db, BIRMINGHAM, { familyName: 'Okafor', dateOfBirth: '2024-11-02' });
    const spaced = `${child.nhsNumber.slice(0, 3)} ${child.nhsNumber.slice(3, 6)} ${child.nhsNumber.slice(6)}`;
    const byNhs = await caseworker.agent.get('/api/children').query({ nhsNumber: spaced });
    expect(byNhs.status).toBe(200);
    expect(byNhs.body.results).toEqual([
      expect.objectContaining({ nhsNumber: child.nhsNumber, familyName: 'Okafor', locality: 'birmingham' }),
    ]);

    const byName = await caseworker.agent
      .get('/api/children')
      .query({ familyName: 'okafor', dateOfBirth: '2024-11-02' });
    expect(byName.body.results.map((r: { nhsNumber: string }) => r.nhsNumber)).toContain(child.nhsNumber);

    const events = await auditRows(h.db, { childId: child.id });
    expect(events.map((e) => e.action)).toEqual(['child.search', 'child.search']);
    expect(events[0]).toMatchObject({
      actorUsername: caseworker.user.username,
      entityId: child.nhsNumber,
      sourceIp: expect.stringMatching(/127\.0\.0\.1/),
    });
  });

  test("search stays in the caller's localities unless a reason is given, which alerts the other locality", async () => {
    const other = await makeChild(h.db, COVENTRY, { familyName: 'Novak', dateOfBirth: '2023-05-05' });
    const hidden = await caseworker.agent
      .get('/api/children')
      .query({ familyName: 'Novak', dateOfBirth: '2023-05-05' });
    expect(hidden.status).toBe(200);
    expect(hidden.body.results).toEqual([]);
    const alertsBefore = await countRows(h.db, 'break_glass_alerts');

    const found = await caseworker.agent
      .get('/api/children')
      .set('X-Access-Reason', REASON)
      .query({ familyName: 'Novak', dateOfBirth: '2023-05-05' });
    expect(found.body.results).toEqual([expect.objectContaining({ nhsNumber: other.nhsNumber, locality: 'coventry' })]);
    expect(await countRows(h.db, 'break_glass_alerts')).toBe(alertsBefore + 1);
    const events = await auditRows(h.db, { childId: other.id });
    expect(events.map((e) => [e.action, e.reason])).toEqual([
      ['child.break_glass', REASON],
      ['child.search', REASON],
    ]);
  });

  test('the record holds contacts, immunisations, screening and concerns; the read is audited', async () => {
    const child = await makeChild(h.db, BIRMINGHAM);
    await addContact(h.db, child.id, {
      relationship: 'mother',
      name: 'Grace Test',
      phone: '07700900000',
      preferredMethod: 'sms',
      isPrimary: true,
    });
    await addImmunisation(h.db, child.id, { vaccine: '6-in-1', dose: 1, givenOn: '2025-05-09' });
    await addScreeningResult(h.db, child.id, {
      programme: 'blood_spot',
      outcome: 'not_suspected',
      recordedOn: '2025-03-20',
    });
    const res = await caseworker.agent.get(`/api/children/${child.nhsNumber}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      nhsNumber: child.nhsNumber,
      dateOfBirth: '2025-03-14',
      address: { line1: '1 Test Street', postcode: 'B15 2TT' },
      contacts: [expect.objectContaining({ relationship: 'mother', preferredMethod: 'sms', isPrimary: true })],
      immunisations: [expect.objectContaining({ vaccine: '6-in-1', dose: 1, givenOn: '2025-05-09' })],
      screening: [expect.objectContaining({ programme: 'blood_spot', outcome: 'not_suspected' })],
      concerns: [],
      accessedWithReason: false,
    });
    const events = await auditRows(h.db, { childId: child.id });
    expect(events).toEqual([
      expect.objectContaining({
        action: 'child.read',
        actorUsername: caseworker.user.username,
        reason: null,
        entityId: child.nhsNumber,
      }),
    ]);
    expect(events[0].detail).toMatchObject({
      method: 'GET',
      path: `/api/children/${child.nhsNumber}`,
      brokeGlass: false,
    });
  });

  test('a restricted record: contact details read as withheld, not as unknown, and their values are not sent; a safeguarding lead gets them', async () => {
    const child = await makeChild(h.db, BIRMINGHAM, { familyName: 'Withheld-Test' });
    await addContact(h.db, child.id, {
      relationship: 'mother',
      name: 'Rita Withheld-Test',
      phone: '07700900123',
      preferredMethod: 'sms',
      isPrimary: true,
    });
    // No phone or email given: "not known" on an open record, still "withheld" on a restricted one.
    await addContact(h.db, child.id, { relationship: 'father', name: 'Ray Withheld-Test', preferredMethod: 'letter' });

    const open = await caseworker.agent.get(`/api/children/${child.nhsNumber}`);
    expect(open.body.contacts).toEqual([
      expect.objectContaining({
        name: 'Rita Withheld-Test',
        phone: '07700900123',
        email: null,
        detailsWithheld: false,
      }),
      expect.objectContaining({ name: 'Ray Withheld-Test', phone: null, email: null, detailsWithheld: false }),
    ]);

    await h.db.sequelize.query('UPDATE children SET restricted = true WHERE id = $1', { bind: [child.id] });
    const withheld = await caseworker.agent.get(`/api/children/${child.nhsNumber}`);
    expect(withheld.status).toBe(200);
    for (const contact of withheld.body.contacts) {
      expect(contact.detailsWithheld).toBe(true);
      expect(contact).not.toHaveProperty('phone');
      expect(contact).not.toHaveProperty('email');
    }
    expect(withheld.body.contacts.map((c: { name: string }) => c.name)).toEqual([
      'Rita Withheld-Test',
      'Ray Withheld-Test',
    ]);
    expect(JSON.stringify(withheld.body)).not.toContain('07700900123');

    const lead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }));
    const shown = await lead.agent.get(`/api/children/${child.nhsNumber}`);
    expect(shown.body.restrictedDetailsShown).toBe(true);
    expect(shown.body.contacts).toEqual([
      expect.objectContaining({ phone: '07700900123', email: null, detailsWithheld: false }),
      expect.objectContaining({ phone: null, email: null, detailsWithheld: false }),
    ]);
  });

  test('the timeline lists events newest first and is audited', async () => {
    const child = await makeChild(h.db, BIRMINGHAM, { dateOfBirth: '2025-01-10' });
    await addImmunisation(h.db, child.id, { vaccine: 'MenB', dose: 1, givenOn: '2025-03-07' });
    await addScreeningResult(h.db, child.id, {
      programme: 'hearing',
      outcome: 'clear_response',
      recordedOn: '2025-01-20',
    });
    const res = await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline`);
    expect(res.status).toBe(200);
    expect(res.body.events.map((e: { kind: string }) => e.kind)).toEqual(['immunisation', 'screening', 'birth']);
    expect(res.body.events[2].at).toBe('2025-01-10T00:00:00.000Z');
    expect(res.body.next).toBeNull();
    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual(['child.timeline']);
  });

  test("the schedule: every dose of the child's cohort with its status, from the same rules as the sweep; audited", async () => {
    // Born 30 June 2024 (UKHSA/NHSE letter, Annexe A): Hib/MenC at one year, no 18-month appointment. A 6-in-1 on
    // or after the first birthday counts for the Hib/MenC dose (UKHSA complete routine schedule from 1 July 2025).
    const child = await makeChild(h.db, BIRMINGHAM, { dateOfBirth: '2024-06-30' });
    for (const [vaccine, dose, givenOn] of [
      ['6in1', 1, '2024-08-25'],
      ['6in1', 2, '2024-09-22'],
      ['6in1', 3, '2024-10-20'],
      ['6in1', 4, '2025-07-01'],
      ['mmr', 1, '2025-07-01'],
    ] as const)
      await addImmunisation(h.db, child.id, { vaccine, dose, givenOn });
    const res = await caseworker.agent.get(`/api/children/${child.nhsNumber}/schedule`).query({ asOf: '2025-09-01' });
    expect(res.status).toBe(200);
    const status = (code: string) => res.body.doses.find((d: { code: string }) => d.code === code)?.status;
    expect({
      primary: status('6in1-3'),
      hib: status('hib-menc-1'),
      mmr: status('mmr-1'),
      pcv: status('pcv-2'),
      rotavirus: status('rotavirus-1'),
      fourth6in1: status('6in1-4'),
    }).toEqual({
      primary: 'given',
      hib: 'given',
      mmr: 'given',
      pcv: 'overdue',
      rotavirus: 'not_offered',
      fourth6in1: undefined,
    });
    expect(res.body).toMatchObject({
      asOf: '2025-09-01',
      rules: { name: 'UK routine childhood', version: 2 },
      treatedAsUnimmunised: false,
      unmatched: [],
    });
    expect(res.body.catchUp.gaps.map((g: { code: string }) => g.code)).toEqual(
      expect.arrayContaining(['pcv-2', 'menb-3']),
    );
    expect((await auditRows(h.db, { childId: child.id })).map((e) => e.action)).toEqual(['child.schedule']);
    const bad = await caseworker.agent.get(`/api/children/${child.nhsNumber}/schedule`).query({ asOf: '2025-02-30' });
    expect(bad.status).toBe(400);
  });

  test("another locality's child: 403 naming the need for a reason and nothing written; with a reason: audited break glass and an alert", async () => {
    const child = await makeChild(h.db, COVENTRY);
    const alerts = await countRows(h.db, 'break_glass_alerts');
    const refused = await caseworker.agent.get(`/api/children/${child.nhsNumber}`);
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toMatch(/state why .* X-Access-Reason/i);
    // A client tells "a reason is needed" from other refusals by the problem type, and learns the bounds.
    expect(refused.body).toMatchObject({
      type: 'urn:chis-flow:problem:access-reason-required',
      minReasonLength: 10,
      maxReasonLength: 500,
    });
    expect(await auditRows(h.db, { childId: child.id })).toEqual([]);

    const short = await caseworker.agent.get(`/api/children/${child.nhsNumber}`).set('X-Access-Reason', 'because');
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([
      { field: 'headers.x-access-reason', message: 'must be 10 to 500 characters, got 7' },
    ]);
    expect(await countRows(h.db, 'break_glass_alerts')).toBe(alerts);

    const opened = await caseworker.agent.get(`/api/children/${child.nhsNumber}`).set('X-Access-Reason', REASON);
    expect(opened.status).toBe(200);
    expect(opened.body.accessedWithReason).toBe(true);
    expect(await countRows(h.db, 'break_glass_alerts')).toBe(alerts + 1);
    const events = await auditRows(h.db, { childId: child.id });
    expect(events.map((e) => [e.action, e.reason])).toEqual([
      ['child.break_glass', REASON],
      ['child.read', REASON],
    ]);
  });

  test('a Coventry lead sees and acknowledges the alert; a Birmingham lead does not see it', async () => {
    const child = await makeChild(h.db, COVENTRY);
    await caseworker.agent.get(`/api/children/${child.nhsNumber}/timeline`).set('X-Access-Reason', REASON).expect(200);
    const coventryLead = await signIn(h.app, await makeStaff(h.db, 'safeguarding_lead', { localityIds: [COVENTRY] }));
    const birminghamLead = await signIn(
      h.app,
      await makeStaff(h.db, 'safeguarding_lead', { localityIds: [BIRMINGHAM] }),
    );

    const list = await coventryLead.agent.get('/api/alerts/break-glass');
    expect(list.status).toBe(200);
    const alert = list.body.alerts.find((a: { nhsNumber: string }) => a.nhsNumber === child.nhsNumber);
    expect(alert).toMatchObject({
      actorUsername: caseworker.user.username,
      reason: REASON,
      action: 'child.timeline',
      acknowledgedAt: null,
    });
    const elsewhere = await birminghamLead.agent.get('/api/alerts/break-glass');
    expect(elsewhere.body.alerts.find((a: { nhsNumber: string }) => a.nhsNumber === child.nhsNumber)).toBeUndefined();

    expect(
      (
        await birminghamLead.agent
          .post(`/api/alerts/break-glass/${alert.id}/acknowledge`)
          .set('X-CSRF-Token', birminghamLead.csrf)
      ).status,
    ).toBe(404);
    const ack = await coventryLead.agent
      .post(`/api/alerts/break-glass/${alert.id}/acknowledge`)
      .set('X-CSRF-Token', coventryLead.csrf);
    expect(ack.status).toBe(200);
    expect(ack.body.acknowledgedBy).toBe(coventryLead.user.id);
    expect(
      (
        await coventryLead.agent
          .post(`/api/alerts/break-glass/${alert.id}/acknowledge`)
          .set('X-CSRF-Token', coventryLead.csrf)
      ).status,
    ).toBe(409);
    const open = await coventryLead.agent.get('/api/alerts/break-glass');
    expect(open.body.alerts.find((a: { id: string }) => a.id === alert.id)).toBeUndefined();
  });

  test('an NHS number PDS superseded opens and finds the child under the current number, saying which number was asked for', async () => {
    const child = await makeChild(h.db, BIRMINGHAM, { familyName: 'Superseded-Test' });
    const oldNumber = syntheticNhsNumber();
    // As pds-lookup.ts links a number PDS answered with another (and a merge keeps the link).
    await select(
      h.db,
      'INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3) RETURNING nhs_number',
      [oldNumber, child.id, child.nhsNumber],
    );

    const byOld = await caseworker.agent.get(`/api/children/${oldNumber}`);
    expect(byOld.status).toBe(200);
    expect(byOld.body).toMatchObject({ nhsNumber: child.nhsNumber, supersededNhsNumber: oldNumber });
    const byCurrent = await caseworker.agent.get(`/api/children/${child.nhsNumber}`);
    expect(byCurrent.body).toMatchObject({ nhsNumber: child.nhsNumber, supersededNhsNumber: null });
    const timeline = await caseworker.agent.get(`/api/children/${oldNumber}/timeline`);
    expect(timeline.status).toBe(200);

    const found = await caseworker.agent.get('/api/children').query({ nhsNumber: oldNumber });
    expect(found.body.results).toEqual([expect.objectContaining({ nhsNumber: child.nhsNumber })]);
    const events = await auditRows(h.db, { childId: child.id });
    expect(events.map((e) => e.action).sort()).toEqual(['child.read', 'child.read', 'child.search', 'child.timeline']);

    // The link opens only under the usual rules: a caseworker of another locality needs a reason.
    const coventry = await signIn(h.app, await makeStaff(h.db, 'caseworker', { localityIds: [COVENTRY] }));
    const refused = await coventry.agent.get(`/api/children/${oldNumber}`);
    expect(refused.status).toBe(403);
  });

  test('unknown and invalid NHS numbers', async () => {
    const unknown = await caseworker.agent.get('/api/children/9434765919');
    expect(unknown.status).toBe(404);
    const invalid = await caseworker.agent.get('/api/children/9434765918');
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual([{ field: 'params.nhsNumber', message: 'has a wrong check digit' }]);
    const neither = await caseworker.agent.get('/api/children');
    expect(neither.status).toBe(400);
    expect(neither.body.errors).toEqual([
      { field: 'query.nhsNumber', message: 'give an NHS number, or a family name and date of birth' },
    ]);
    const halfName = await caseworker.agent.get('/api/children').query({ familyName: 'Smith' });
    expect(halfName.body.errors).toEqual([{ field: 'query.dateOfBirth', message: 'is needed with familyName' }]);
  });
});
