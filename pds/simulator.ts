/**
 * A local stand-in for the national demographics service: a FHIR server answering
 * `GET /Patient/{nhsNumber}` with UK Core Patient resources, for development (`npm start`
 * without CHIS_PDS_URL) and tests. Patients come from fixtures added at run time and, when a
 * database is given, from the children table (so a child known to the region is known to
 * "PDS" too). Unknown numbers get 404 with an OperationOutcome; an outage can be switched on.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sequelize } from 'sequelize';
import { nhsNumberProblem } from '../core/nhs-number';
import { recordedDemographics } from '../records/children/demographics';
import { operationOutcome, toFhirPatient } from './fhir-patient';
import type { PdsPatient } from './patient';

export interface PdsSimulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Look patients up in this database's children table when no fixture matches. */
  sequelize?: Sequelize;
  patients?: PdsPatient[];
}

export interface PdsSimulator {
  /** Base URL of the FHIR endpoint, e.g. http://127.0.0.1:40123/FHIR/R4 */
  url: string;
  /** Adds or replaces a patient (takes precedence over the children table). */
  addPatient(p: PdsPatient): void;
  /** Answers `oldNhsNumber` with the patient of `currentNhsNumber`, as PDS does once a number is superseded. */
  supersede(oldNhsNumber: string, currentNhsNumber: string): void;
  /** Makes the NHS number unknown even if the children table has it. */
  forget(nhsNumber: string): void;
  /** While on, every request gets 503; a number answers that many requests with 503 and then recovers. */
  setOutage(outage: boolean | number): void;
  /** Requests served, newest last (path and status), for tests. */
  readonly requests: ReadonlyArray<{ path: string; status: number }>;
  stop(): Promise<void>;
}

export const PDS_SIMULATOR_BASE_PATH = '/FHIR/R4';

async function fromChildren(sequelize: Sequelize, nhsNumber: string): Promise<PdsPatient | null> {
  const c = await recordedDemographics({ sequelize }, nhsNumber);
  if (!c) return null;
  return {
    nhsNumber: c.nhsNumber,
    givenName: c.givenName,
    familyName: c.familyName,
    dateOfBirth: c.dateOfBirth,
    sex: c.sex,
    address: {
      lines: [c.addressLine1, c.addressLine2, c.town].filter((l): l is string => !!l),
      postcode: c.postcode,
    },
    ...(c.gpPracticeOds ? { gpPracticeCode: c.gpPracticeOds } : {}),
    ...(c.status === 'deceased' ? { deceased: true, ...(c.dateOfDeath ? { dateOfDeath: c.dateOfDeath } : {}) } : {}),
    ...(c.restricted ? { restricted: true } : {}),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export async function startPdsSimulator(options: PdsSimulatorOptions = {}): Promise<PdsSimulator> {
  const fixtures = new Map<string, PdsPatient>((options.patients ?? []).map((p) => [p.nhsNumber, p]));
  const forgotten = new Set<string>();
  const supersededBy = new Map<string, string>();
  const requests: Array<{ path: string; status: number }> = [];
  let outage: boolean | number = false;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const path = (req.url ?? '/').split('?')[0];
    if (outage === true || (typeof outage === 'number' && outage > 0)) {
      if (typeof outage === 'number') outage--;
      send(res, 503, operationOutcome('transient', 'The simulated PDS is unavailable'));
      return 503;
    }
    const match = new RegExp(`^${PDS_SIMULATOR_BASE_PATH}/Patient/([^/]+)$`).exec(path);
    if (req.method !== 'GET' || !match) {
      send(
        res,
        404,
        operationOutcome('not-supported', `Only GET ${PDS_SIMULATOR_BASE_PATH}/Patient/{nhsNumber} is served`),
      );
      return 404;
    }
    const asked = decodeURIComponent(match[1]);
    const problem = nhsNumberProblem(asked);
    if (problem) {
      send(res, 400, operationOutcome('value', `Invalid NHS number: ${problem}`));
      return 400;
    }
    const nhsNumber = supersededBy.get(asked) ?? asked;
    const patient = forgotten.has(nhsNumber)
      ? null
      : (fixtures.get(nhsNumber) ?? (options.sequelize ? await fromChildren(options.sequelize, nhsNumber) : null));
    if (!patient) {
      send(res, 404, operationOutcome('not-found', `No patient with NHS number ${nhsNumber}`));
      return 404;
    }
    send(res, 200, toFhirPatient(patient));
    return 200;
  }

  const server: Server = createServer((req, res) => {
    answer(req, res)
      .then((status) => requests.push({ path: req.url ?? '', status }))
      .catch((e: unknown) => {
        requests.push({ path: req.url ?? '', status: 500 });
        if (!res.headersSent) send(res, 500, operationOutcome('exception', (e as Error).message));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}${PDS_SIMULATOR_BASE_PATH}`,
    addPatient(p) {
      forgotten.delete(p.nhsNumber);
      fixtures.set(p.nhsNumber, p);
    },
    supersede(oldNhsNumber, currentNhsNumber) {
      supersededBy.set(oldNhsNumber, currentNhsNumber);
    },
    forget(nhsNumber) {
      fixtures.delete(nhsNumber);
      forgotten.add(nhsNumber);
    },
    setOutage(o) {
      outage = o;
    },
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
