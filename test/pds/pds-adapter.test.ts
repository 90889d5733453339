/**
 * The PDS adapter against the simulator over real HTTP: UK Core Patient resources in and out,
 * 404 as "not found", outages as PdsUnavailableError, and the simulator's children-table source.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../db/database';
import { createChild } from '../support/fixtures';
import {
  FhirPatientError,
  FhirPdsClient,
  NHS_NUMBER_SYSTEM,
  ODS_CODE_SYSTEM,
  PdsUnavailableError,
  startPdsSimulator,
  toFhirPatient,
  fromFhirPatient,
  type FhirPatient,
  type PdsPatient,
  type PdsSimulator,
} from '../../pds';
import { freshNhsNumber } from '../support/chis-stack';
import { createMigratedDatabase } from '../support/databases';

let db: Database;
let sim: PdsSimulator;
let pds: FhirPdsClient;

const patient = (over: Partial<PdsPatient> = {}): PdsPatient => ({
  nhsNumber: freshNhsNumber(),
  givenName: 'Maya',
  familyName: 'Simulated',
  dateOfBirth: '2026-03-01',
  sex: 'indeterminate',
  address: { lines: ['4 Fixture Lane', 'Solihull'], postcode: 'B91 3QB' },
  gpPracticeCode: 'M85001',
  ...over,
});

beforeAll(async () => {
  db = await createMigratedDatabase('pds');
  sim = await startPdsSimulator({ sequelize: db.sequelize });
  pds = new FhirPdsClient(sim.url, { timeoutMs: 2_000 });
});

afterAll(async () => {
  await sim?.stop();
  await db?.close();
});

test('a fixture patient is served as a UK Core Patient and read back unchanged', async () => {
  const p = patient();
  sim.addPatient(p);
  const raw = await fetch(`${sim.url}/Patient/${p.nhsNumber}`);
  expect(raw.status).toBe(200);
  expect(raw.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
  const resource = await raw.json();
  expect(resource).toMatchObject({
    resourceType: 'Patient',
    meta: { profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'] },
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: p.nhsNumber }],
    gender: 'other',
    birthDate: '2026-03-01',
    generalPractitioner: [{ identifier: { system: ODS_CODE_SYSTEM, value: 'M85001' } }],
  });
  expect(await pds.lookupPatient(p.nhsNumber)).toEqual(p);
});

test('an unknown NHS number: 404 with an OperationOutcome, and null from the adapter', async () => {
  const nhs = freshNhsNumber();
  const raw = await fetch(`${sim.url}/Patient/${nhs}`);
  expect(raw.status).toBe(404);
  expect(await raw.json()).toMatchObject({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'not-found' }],
  });
  expect(await pds.lookupPatient(nhs)).toBeNull();
});

test('an invalid NHS number is refused by the simulator (400) and by the adapter before any request', async () => {
  const raw = await fetch(`${sim.url}/Patient/9434765918`);
  expect(raw.status).toBe(400);
  await expect(pds.lookupPatient('12345')).rejects.toThrow(/10-digit NHS number/);
});

test('children on record are patients too (deceased flag, address lines, GP practice)', async () => {
  const nhs = freshNhsNumber();
  const child = await createChild(
    { sequelize: db.sequelize },
    {
      nhsNumber: nhs,
      givenName: 'Rowan',
      familyName: 'Recorded',
      dateOfBirth: '2025-11-02',
      sex: 'male',
      addressLine1: '7 Record Row',
      postcode: 'CV1 1AA',
      localityId: 2,
    },
  );
  await db.sequelize.query("UPDATE children SET status = 'deceased' WHERE id = $1", { bind: [child.id] });
  expect(await pds.lookupPatient(nhs)).toEqual({
    nhsNumber: nhs,
    givenName: 'Rowan',
    familyName: 'Recorded',
    dateOfBirth: '2025-11-02',
    sex: 'male',
    address: { lines: ['7 Record Row'], postcode: 'CV1 1AA' },
    deceased: true,
  });
  sim.forget(nhs);
  expect(await pds.lookupPatient(nhs)).toBeNull();
});

test('an outage gives PdsUnavailableError (retryable) and a counted outage recovers by itself', async () => {
  const p = patient();
  sim.addPatient(p);
  sim.setOutage(true);
  await expect(pds.lookupPatient(p.nhsNumber)).rejects.toBeInstanceOf(PdsUnavailableError);
  sim.setOutage(2);
  await expect(pds.lookupPatient(p.nhsNumber)).rejects.toThrow(/PDS answered 503/);
  await expect(pds.lookupPatient(p.nhsNumber)).rejects.toBeInstanceOf(PdsUnavailableError);
  expect(await pds.lookupPatient(p.nhsNumber)).toEqual(p);
  expect(sim.requests.slice(-4).map((r) => r.status)).toEqual([503, 503, 503, 200]);
});

test('a server that does not answer, or answers with something that is not a Patient', async () => {
  const closed = new FhirPdsClient('http://127.0.0.1:1/FHIR/R4', { timeoutMs: 1_000 });
  await expect(closed.lookupPatient(freshNhsNumber())).rejects.toBeInstanceOf(PdsUnavailableError);

  let body = '{"resourceType": "Bundle"}';
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/fhir+json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const odd = new FhirPdsClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await expect(odd.lookupPatient(freshNhsNumber())).rejects.toBeInstanceOf(FhirPatientError);
    body = 'not json';
    await expect(odd.lookupPatient(freshNhsNumber())).rejects.toThrow(/not JSON/);
    // Another patient's number in the answer is PDS following a superseded number; an invalid one is refused.
    body = JSON.stringify({
      ...toFhirPatient(patient()),
      identifier: [{ system: NHS_NUMBER_SYSTEM, value: '9434765918' }],
    });
    await expect(odd.lookupPatient(freshNhsNumber())).rejects.toThrow(/invalid NHS number/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('reading a Patient: official name, home address and the NHS number identifier are what count', () => {
  const read = fromFhirPatient({
    resourceType: 'Patient',
    identifier: [
      { system: 'https://example.org/local-id', value: 'X1' },
      { system: NHS_NUMBER_SYSTEM, value: '9434765919' },
    ],
    name: [
      { use: 'usual', family: 'Nick', given: ['N'] },
      { use: 'official', family: 'Smith', given: ['Anna', 'Marie'] },
    ],
    gender: 'female',
    birthDate: '2025-01-31',
    address: [
      { use: 'temp', line: ['Holiday Flat'], postalCode: 'TR1 1AA' },
      { use: 'home', line: ['1 Home Road'], postalCode: 'WV1 1AA' },
    ],
    deceasedDateTime: '2026-01-01T10:00:00Z',
  });
  expect(read).toEqual({
    nhsNumber: '9434765919',
    givenName: 'Anna Marie',
    familyName: 'Smith',
    dateOfBirth: '2025-01-31',
    sex: 'female',
    address: { lines: ['1 Home Road'], postcode: 'WV1 1AA' },
    dateOfDeath: '2026-01-01',
    deceased: true,
  });
  expect(() => fromFhirPatient({ resourceType: 'Patient', birthDate: '2025-01-01' })).toThrow(
    /no identifier with system https:\/\/fhir.nhs.uk\/Id\/nhs-number/,
  );
});

test('a superseded NHS number is answered with the current record and followed, asked once (not an outage retried for ever)', async () => {
  const current = patient();
  const old = freshNhsNumber();
  sim.addPatient(current);
  sim.supersede(old, current.nhsNumber);
  const before = sim.requests.length;
  expect(await pds.lookupPatient(old)).toEqual({ ...current, supersededNhsNumber: old });
  expect(sim.requests.slice(before)).toEqual([{ path: expect.stringContaining(old), status: 200 }]);
});

test('a restricted (S-flagged) record is served as PDS does, marked R and without address or GP practice, and read back as restricted', async () => {
  const p = patient({ restricted: true });
  sim.addPatient(p);
  const resource = (await (await fetch(`${sim.url}/Patient/${p.nhsNumber}`)).json()) as FhirPatient;
  expect(resource.meta?.security).toEqual([
    { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R', display: 'restricted' },
  ]);
  expect(resource).not.toHaveProperty('address');
  expect(resource).not.toHaveProperty('generalPractitioner');
  const { address: _a, gpPracticeCode: _g, ...shown } = p;
  expect(await pds.lookupPatient(p.nhsNumber)).toEqual(shown);
  // Very restricted (V) counts too; unrestricted (U) does not.
  const marked = (code: string) =>
    fromFhirPatient({
      ...toFhirPatient(patient()),
      meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code }] },
    }).restricted;
  expect([marked('V'), marked('U')]).toEqual([true, undefined]);
});
