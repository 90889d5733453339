/**
 * Inbound events end to end on the test stack: each endpoint stores its event and rows and
 * starts or reaches the right process; repeats change nothing; a birth for a known NHS number
 * matches the record; an unreachable engine loses nothing. The processes here are small test
 * definitions (test/events/fixtures and sinks below), so these tests do not depend on the
 * real definitions under construction.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../api/app';
import { hashPassword } from '../../api/auth/passwords';
import { select, selectOne } from '../../records/sql';
import { createStaff } from '../../records/staff';
import { processOutbox } from '../../engine-client/process-outbox';
import { startProcessOutboxRelay } from '../../workers/process-outbox-relay';
import type { ChisStack } from '../support/chis-stack';
import { chisStackPerFile } from '../support/chis-stack-per-file';
import { birthBody, isoDaysAgo, signInAgent } from './support';

let stack: ChisStack;
let practice: { odsCode: string; localityId: number };

/** A process started by `message` that opens one task holding its variables, so a test can read them. */
function sink(key: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_${key.replace(/-/g, '_')}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="Message_1" name="${message}" />
  <bpmn:process id="${key}" name="Sink ${message}" isExecutable="true">
    <bpmn:startEvent id="Start" name="${message}"><bpmn:outgoing>F1</bpmn:outgoing><bpmn:messageEventDefinition id="MED_1" messageRef="Message_1" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Look" />
    <bpmn:userTask id="Look" name="Sink ${message}">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="region-management" /></bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Look" targetRef="End" />
    <bpmn:endEvent id="End" name="Done"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
}

const SINKS: Record<string, string> = {
  'sink-address': 'childAddressChanged',
  'sink-gp': 'childGpChanged',
  'sink-transfer': 'inboundTransferReceived',
  'sink-alert': 'childProtectionAlertReceived',
};

chisStackPerFile({ children: 20, definitions: [] }, async (started) => {
  stack = started;
  await stack.deploy(readFileSync(resolve(__dirname, 'fixtures/events-birth.bpmn'), 'utf8'));
  for (const [key, message] of Object.entries(SINKS)) await stack.deploy(sink(key, message));
  practice = await stack.practiceOf('birmingham');
});

const count = async (sql: string, bind: unknown[]) => Number((await selectOne<{ n: string }>(stack.db, sql, bind))!.n);
const childrenWith = (nhs: string) => count('SELECT count(*) AS n FROM children WHERE nhs_number = $1', [nhs]);
const eventsFor = (nhs: string) => count('SELECT count(*) AS n FROM inbound_events WHERE nhs_number = $1', [nhs]);

/** A seeded child with a GP practice that no test has sent an event about yet. */
async function seededChild() {
  return (await selectOne<{
    id: string;
    nhsNumber: string;
    dateOfBirth: string;
    gpPracticeOds: string;
    postcode: string;
    locality: string;
    practiceLocality: string;
  }>(
    stack.db,
    `SELECT c.id, c.nhs_number, c.date_of_birth::text AS date_of_birth, c.gp_practice_ods, c.postcode, l.code AS locality, pl.code AS practice_locality
     FROM children c JOIN localities l ON l.id = c.locality_id JOIN gp_practices p ON p.ods_code = c.gp_practice_ods JOIN localities pl ON pl.id = p.locality_id
     WHERE NOT EXISTS (SELECT 1 FROM inbound_events e WHERE e.nhs_number = c.nhs_number)
     ORDER BY c.id LIMIT 1`,
    [],
  ))!;
}

async function waitingAtImmunisation(nhs: string) {
  return stack.waitFor(async () => {
    const [i] = await stack.instancesFor(nhs);
    if (!i) return false;
    const s = await stack.engine.state(stack.engine.env.client.workflow.getHandle(i.id));
    return s.active.some((a) => a.elementId === 'AwaitImms') && i;
  }, `the birth instance of ${nhs} to wait for an immunisation`);
}

describe('birth notifications', () => {
  test('a new birth: 202, the process creates the record (audited, PDS looked up); a repeat is 200 and changes nothing', async () => {
    const body = birthBody({ gpPracticeCode: practice.odsCode });
    const nhs = String(body.nhsNumber);
    const first = await stack.events.post('/api/events/birth-notifications').send(body);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      status: 'accepted',
      messageName: 'birthNotified',
      processesStarted: 1,
      routing: { locality: 'birmingham', inRegion: true, via: 'postcode' },
    });
    await waitingAtImmunisation(nhs);
    const child = (await stack.child(nhs))!;
    expect(child).toMatchObject({
      nhsNumber: nhs,
      localityCode: 'birmingham',
      gpPracticeOds: practice.odsCode,
      postcode: 'B15 2TT',
    });

    const again = await stack.events.post('/api/events/birth-notifications').send(body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ eventId: first.body.eventId, status: 'duplicate' });
    expect(await childrenWith(nhs)).toBe(1);
    expect(await eventsFor(nhs)).toBe(1);
    expect(await stack.instancesFor(nhs)).toHaveLength(1);

    const audits = await select<{ action: string; actorUsername: string }>(
      stack.db,
      'SELECT action, actor_username FROM audit_events WHERE child_id = $1 ORDER BY id',
      [child.id],
    );
    expect(audits).toEqual(
      expect.arrayContaining([
        { action: 'child.create', actorUsername: 'system:events-birth' },
        { action: 'pds.lookup', actorUsername: 'system:events-birth' },
        { action: 'child.read', actorUsername: 'system:events-birth' },
      ]),
    );
    const contacts = await select<{ relationship: string; name: string }>(
      stack.db,
      'SELECT relationship, name FROM contacts WHERE child_id = $1',
      [child.id],
    );
    expect(contacts).toEqual([{ relationship: 'mother', name: 'Grace Events-Test' }]);
  });

  test('two identical notifications at once: one 202, one 200, one event, one instance, one record', async () => {
    const body = birthBody({ gpPracticeCode: practice.odsCode });
    const nhs = String(body.nhsNumber);
    const [a, b] = await Promise.all([
      stack.events.post('/api/events/birth-notifications').send(body),
      stack.events.post('/api/events/birth-notifications').send(body),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 202]);
    expect(a.body.eventId).toBe(b.body.eventId);
    await waitingAtImmunisation(nhs);
    expect(await eventsFor(nhs)).toBe(1);
    expect(await childrenWith(nhs)).toBe(1);
    expect(await stack.instancesFor(nhs)).toHaveLength(1);
  });

  test("the sender's eventId identifies the event: reused for different content → 409, nothing written", async () => {
    const body: Record<string, unknown> = {
      ...birthBody({ gpPracticeCode: practice.odsCode }),
      eventId: `maternity-${Date.now()}`,
    };
    expect((await stack.events.post('/api/events/birth-notifications').send(body)).status).toBe(202);
    const changed = await stack.events.post('/api/events/birth-notifications').send({ ...body, givenName: 'Changed' });
    expect(changed.status).toBe(409);
    expect(changed.type).toBe('application/problem+json');
    expect(await eventsFor(String(body.nhsNumber))).toBe(1);
  });

  test('a birth notified for an NHS number already on record is matched, never duplicated (its locality kept)', async () => {
    const known = await seededChild();
    const body = birthBody({
      nhsNumber: known.nhsNumber,
      dateOfBirth: known.dateOfBirth,
      gpPracticeCode: practice.odsCode,
    });
    const res = await stack.events.post('/api/events/birth-notifications').send(body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ childId: known.id, routing: { existingRecord: true } });
    await waitingAtImmunisation(known.nhsNumber);
    expect(await childrenWith(known.nhsNumber)).toBe(1);
    expect((await stack.child(known.nhsNumber))!.localityCode).toBe(known.locality);
    const actions = await select<{ action: string }>(
      stack.db,
      "SELECT action FROM audit_events WHERE child_id = $1 AND action LIKE 'child.%' ORDER BY id",
      [known.id],
    );
    expect(actions.map((a) => a.action)).toContain('child.match');
    expect(actions.map((a) => a.action)).not.toContain('child.create');
  });

  test("a postcode outside the region is routed by the GP practice: the child belongs to the practice's locality", async () => {
    const coventryPractice = await stack.practiceOf('coventry');
    const body = birthBody({
      gpPracticeCode: coventryPractice.odsCode,
      address: { lines: ['1 Briggate', 'Leeds'], postcode: 'ls1 6hb' },
    });
    const nhs = String(body.nhsNumber);
    const res = await stack.events.post('/api/events/birth-notifications').send(body);
    expect(res.status).toBe(202);
    expect(res.body.routing).toMatchObject({
      locality: 'coventry',
      inRegion: false,
      via: 'gp_practice',
      postcodeDistrict: 'LS1',
    });
    await waitingAtImmunisation(nhs);
    expect(await stack.child(nhs)).toMatchObject({ localityCode: 'coventry', postcode: 'LS1 6HB' });
  });
});

describe('events about a child on record', () => {
  test('an immunisation is recorded once and reaches the waiting process; a repeat is 200', async () => {
    const body = birthBody({ gpPracticeCode: practice.odsCode, dateOfBirth: isoDaysAgo(60) });
    const nhs = String(body.nhsNumber);
    expect((await stack.events.post('/api/events/birth-notifications').send(body)).status).toBe(202);
    const instance = await waitingAtImmunisation(nhs);

    const imms = { nhsNumber: nhs, vaccine: '6IN1', dose: 1, givenOn: isoDaysAgo(2), givenBy: 'Practice nurse' };
    const res = await stack.events.post('/api/events/immunisations').send(imms);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ messageName: 'immunisationGiven', instancesNotified: 1 });
    await stack.waitFor(
      async () => (await stack.instancesFor(nhs))[0].status === 'completed',
      'the birth instance to complete',
    );
    expect((await stack.instancesFor(nhs))[0].id).toBe(instance.id);

    expect((await stack.events.post('/api/events/immunisations').send(imms)).status).toBe(200);
    const rows = await select<{ vaccine: string; dose: number; source: string }>(
      stack.db,
      'SELECT vaccine, dose, source FROM immunisation_events WHERE child_id = (SELECT id FROM children WHERE nhs_number = $1)',
      [nhs],
    );
    expect(rows).toEqual([{ vaccine: '6in1', dose: 1, source: 'notification' }]);
    // The same dose reported again as a different event (another date): a conflict, not a second row.
    const other = await stack.events.post('/api/events/immunisations').send({ ...imms, givenOn: isoDaysAgo(1) });
    expect(other.status).toBe(409);
    expect(await eventsFor(nhs)).toBe(2);
  });

  test("every product of the schedule's history is accepted (MMR, Hib/MenC), also by SNOMED CT code, and names the doses it fills", async () => {
    // Born 30 June 2024: MMR at one year and Hib/MenC (UKHSA/NHSE letter, Annexe A, 30 April 2025).
    const child = await seededChild();
    await stack.db.sequelize.query('DELETE FROM immunisation_events WHERE child_id = $1', { bind: [child.id] });
    await stack.db.sequelize.query("UPDATE children SET date_of_birth = '2024-06-30' WHERE id = $1", {
      bind: [child.id],
    });
    const base = { nhsNumber: child.nhsNumber, dose: 1, givenOn: isoDaysAgo(3), givenBy: 'Practice nurse' };
    const hibMenc = await stack.events.post('/api/events/immunisations').send({ ...base, vaccine: 'hib-menc' });
    expect(hibMenc.status).toBe(202);
    // The MMR vaccination procedure code alone (as the national feeds send it) is MMR.
    const mmr = await stack.events.post('/api/events/immunisations').send({ ...base, snomedCode: '38598009' });
    expect(mmr.status).toBe(202);
    const rows = await select<{ vaccine: string; snomedCode: string | null }>(
      stack.db,
      'SELECT vaccine, snomed_code FROM immunisation_events WHERE child_id = $1 ORDER BY id',
      [child.id],
    );
    expect(rows.slice(-2)).toEqual([
      { vaccine: 'hib-menc', snomedCode: null },
      { vaccine: 'mmr', snomedCode: '38598009' },
    ]);
    const messages = await select<{ messageVariables: { immunisation: { vaccine: string; doseCodes: string[] } } }>(
      stack.db,
      'SELECT message_variables FROM inbound_events WHERE id = ANY($1::uuid[]) ORDER BY received_at',
      [[hibMenc.body.eventId, mmr.body.eventId]],
    );
    expect(messages.map((m) => m.messageVariables.immunisation)).toMatchObject([
      { vaccine: 'hib-menc', doseCodes: ['hib-menc-1'] },
      { vaccine: 'mmr', doseCodes: ['mmr-1'] },
    ]);
  });

  test('an address change updates the address (not yet the locality) and starts child-mover with the previous address', async () => {
    const child = await seededChild();
    const [postcode, to] = child.locality === 'coventry' ? ['B15 2TT', 'birmingham'] : ['CV1 2AB', 'coventry'];
    const body = {
      nhsNumber: child.nhsNumber,
      address: { lines: ['5 Arrival Street', 'Somewhere'], postcode },
      effectiveFrom: isoDaysAgo(1),
    };
    const res = await stack.events.post('/api/events/address-changes').send(body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      messageName: 'childAddressChanged',
      processesStarted: 1,
      routing: { locality: to, inRegion: true },
    });
    expect(await stack.child(child.nhsNumber)).toMatchObject({
      postcode,
      addressLine1: '5 Arrival Street',
      localityCode: child.locality,
    });
    const [task] = await stack.waitFor(async () => {
      const t = await stack.tasksFor(child.nhsNumber);
      return t.length > 0 && t;
    }, 'the child-mover sink task');
    expect(task.processKey).toBe('sink-address');
    expect(task.input).toMatchObject({
      nhsNumber: child.nhsNumber,
      childId: child.id,
      address: body.address,
      previousAddress: { postcode: child.postcode },
      previousLocality: child.locality,
      inboundEventId: res.body.eventId,
    });
    expect((await stack.events.post('/api/events/address-changes').send(body)).status).toBe(200);
    expect(await stack.instancesFor(child.nhsNumber)).toHaveLength(1);
  });

  test('a move out of the region is accepted and routed (inRegion false, GP locality kept)', async () => {
    const child = await seededChild();
    const res = await stack.events
      .post('/api/events/address-changes')
      .send({ nhsNumber: child.nhsNumber, address: { lines: ['9 Deansgate'], postcode: 'M3 4LZ' } });
    expect(res.status).toBe(202);
    expect(res.body.routing).toMatchObject({ inRegion: false, via: 'gp_practice', locality: child.practiceLocality });
    expect((await stack.child(child.nhsNumber))!.localityCode).toBe(child.locality);
  });

  test('a change of GP updates the practice and starts child-mover with the previous one', async () => {
    const child = await seededChild();
    const next = await stack.practiceOf('wolverhampton');
    const res = await stack.events
      .post('/api/events/gp-changes')
      .send({ nhsNumber: child.nhsNumber, gpPracticeCode: next.odsCode.toLowerCase() });
    expect(res.status).toBe(202);
    expect((await stack.child(child.nhsNumber))!.gpPracticeOds).toBe(next.odsCode);
    const [task] = await stack.waitFor(async () => {
      const t = await stack.tasksFor(child.nhsNumber);
      return t.length > 0 && t;
    }, 'the GP change sink task');
    expect(task.input).toMatchObject({
      gpPracticeCode: next.odsCode,
      previousGpPracticeCode: child.gpPracticeOds,
      childId: child.id,
    });
  });

  test('screening, appointment and child-protection events: 202 with their rows, 200 on repeat', async () => {
    const child = await seededChild();
    const screening = {
      nhsNumber: child.nhsNumber,
      programme: 'hearing',
      outcome: 'clear_response',
      recordedOn: isoDaysAgo(1),
      detail: { programme: 'community' },
    };
    const s1 = await stack.events.post('/api/events/screening-outcomes').send(screening);
    expect(s1.status).toBe(202);
    expect(s1.body.messageName).toBe('hearingOutcomeRecorded');
    expect((await stack.events.post('/api/events/screening-outcomes').send(screening)).status).toBe(200);
    expect(
      await count(
        "SELECT count(*) AS n FROM screening_results WHERE child_id = $1 AND programme = 'hearing' AND outcome = 'clear_response' AND detail->>'programme' = 'community'",
        [child.id],
      ),
    ).toBe(1);

    const wnb = {
      nhsNumber: child.nhsNumber,
      kind: 'immunisation',
      date: isoDaysAgo(1),
      outcome: 'was_not_brought',
      vaccine: 'menb',
    };
    const a1 = await stack.events.post('/api/events/appointment-outcomes').send(wnb);
    expect(a1.status).toBe(202);
    expect(a1.body.messageName).toBe('appointmentWasNotBrought');
    expect((await stack.events.post('/api/events/appointment-outcomes').send(wnb)).status).toBe(200);

    const alert = {
      nhsNumber: child.nhsNumber,
      type: 'child_protection_plan',
      startDate: isoDaysAgo(5),
      localAuthority: 'Sandwell Council',
    };
    const c1 = await stack.events.post('/api/events/child-protection-alerts').send(alert);
    expect(c1.status).toBe(202);
    expect(c1.body.processesStarted).toBe(1);
    expect((await stack.child(child.nhsNumber))!.safeguardingAlert).toBe('child_protection_plan');
    // A weaker alert later does not lower a child-protection plan.
    expect(
      (await stack.events.post('/api/events/child-protection-alerts').send({ ...alert, type: 'looked_after' })).status,
    ).toBe(202);
    expect((await stack.child(child.nhsNumber))!.safeguardingAlert).toBe('child_protection_plan');
    expect((await stack.events.post('/api/events/child-protection-alerts').send(alert)).status).toBe(200);
    expect(await eventsFor(child.nhsNumber)).toBe(4);
    // Two alerts, two escalations (the repeat started none); instance rows appear as the workflows start.
    await stack.waitFor(
      async () => (await stack.instancesFor(child.nhsNumber)).length === 2,
      'two sink-alert instances',
    );
    expect((await stack.instancesFor(child.nhsNumber)).map((i) => i.processKey)).toEqual(['sink-alert', 'sink-alert']);
  });

  test('an inbound transfer starts child-mover with the demographics; the record is left to the process', async () => {
    const nhs = stack.newNhsNumber();
    const body = {
      nhsNumber: nhs,
      fromChis: 'North West CHIS',
      givenName: 'Tom',
      familyName: 'Mover',
      dateOfBirth: isoDaysAgo(400),
      sex: 'male',
      address: { lines: ['3 Arrival Road', 'Walsall'], postcode: 'WS1 1AA' },
      safeguardingAlert: 'looked_after',
    };
    const res = await stack.events.post('/api/events/inbound-transfers').send(body);
    expect(res.status).toBe(202);
    expect(res.body.routing).toMatchObject({ locality: 'walsall', inRegion: true });
    const [task] = await stack.waitFor(async () => {
      const t = await stack.tasksFor(nhs);
      return t.length > 0 && t;
    }, 'the inbound transfer sink task');
    expect(task.input).toMatchObject({
      nhsNumber: nhs,
      transfer: {
        fromChis: 'North West CHIS',
        familyName: 'Mover',
        address: body.address,
        safeguardingAlert: 'looked_after',
      },
    });
    expect(await childrenWith(nhs)).toBe(0);
    expect((await stack.events.post('/api/events/inbound-transfers').send(body)).status).toBe(200);

    const read = await stack.events.get(`/api/events/${res.body.eventId}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      kind: 'inbound_transfer',
      nhsNumber: nhs,
      messageName: 'inboundTransferReceived',
      publishAttempts: 1,
    });
    expect(read.body.publishedAt).not.toBeNull();
  });
});

describe('the engine unreachable after the event was stored', () => {
  test('503 naming the stored event; the repeat publishes it once; the relay publishes what nobody repeated', async () => {
    // The same API on the same database, but its Temporal client points at a closed port.
    const deadConnection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 1_000, interceptors: [] });
    const deadApp = createApp({
      logger: pino({ level: 'silent' }),
      health: {},
      caseWork: {
        ...stack.caseWork,
        engine: { client: new Client({ connection: deadConnection }), taskQueue: stack.taskQueue },
      },
    });
    await createStaff(stack.db, {
      username: 'integration.outage',
      displayName: 'Outage client',
      role: 'integration',
      passwordHash: await hashPassword('outage-password-1'),
    });
    const dead = await signInAgent(deadApp, 'integration.outage', 'outage-password-1');

    const body = birthBody({ gpPracticeCode: practice.odsCode });
    const nhs = String(body.nhsNumber);
    const down = await dead.post('/api/events/birth-notifications').send(body);
    expect(down.status).toBe(503);
    expect(down.body.detail).toMatch(/is stored, but the process engine could not be reached; repeat the request/);
    const [pending] = await select<{ id: string; publishedAt: Date | null; publishAttempts: number }>(
      stack.db,
      `SELECT e.id, o.delivered_at AS published_at, o.attempts AS publish_attempts
       FROM inbound_events e JOIN process_outbox o ON o.id = e.id WHERE e.nhs_number = $1`,
      [nhs],
    );
    expect(pending).toMatchObject({ publishedAt: null, publishAttempts: 1 });
    expect(await stack.instancesFor(nhs)).toHaveLength(0);

    const repeat = await stack.events.post('/api/events/birth-notifications').send(body);
    expect(repeat.status).toBe(200);
    expect(repeat.body.eventId).toBe(pending.id);
    await waitingAtImmunisation(nhs);
    expect(await stack.instancesFor(nhs)).toHaveLength(1);
    expect((await stack.events.post('/api/events/birth-notifications').send(body)).status).toBe(200);
    expect(await stack.instancesFor(nhs)).toHaveLength(1);

    const unrepeated = birthBody({ gpPracticeCode: practice.odsCode });
    expect((await dead.post('/api/events/birth-notifications').send(unrepeated)).status).toBe(503);
    const relay = startProcessOutboxRelay({
      db: stack.db,
      outbox: processOutbox(stack.db, { client: stack.engine.env.client, taskQueue: stack.taskQueue }),
      logger: pino({ level: 'silent' }),
      graceMs: 0,
      intervalMs: 3_600_000,
    });
    try {
      expect(await relay.sweep()).toBeGreaterThanOrEqual(1);
    } finally {
      await relay.stop();
    }
    await waitingAtImmunisation(String(unrepeated.nhsNumber));
    await deadConnection.close().catch(() => undefined);
  });
});
