/**
 * The PDS adapter: one question, "who is this NHS number?". The FHIR implementation reads
 * `GET {base}/Patient/{nhsNumber}`; any FHIR server serving UK Core Patient resources works
 * (the local simulator by default, the national PDS FHIR API behind a gateway in production).
 */
import { nhsNumberProblem } from '../core/nhs-number';
import { FhirPatientError, fromFhirPatient } from './fhir-patient';
import type { PdsPatient } from './patient';

export interface PdsClient {
  /**
   * The patient, or null when PDS does not know the NHS number. A superseded number is answered
   * with the patient's current record (`supersededNhsNumber` = the number asked for). Throws
   * PdsUnavailableError when PDS cannot answer.
   */
  lookupPatient(nhsNumber: string): Promise<PdsPatient | null>;
}

/** PDS did not answer usefully (network, timeout, 5xx, 429, a malformed resource): worth retrying later. */
export class PdsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdsUnavailableError';
  }
}

export interface FhirPdsClientOptions {
  /** Longest one request may take. */
  timeoutMs?: number;
  /** Extra headers (e.g. an API gateway's authorisation). */
  headers?: Record<string, string>;
}

export class FhirPdsClient implements PdsClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly options: FhirPdsClientOptions = {},
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async lookupPatient(nhsNumber: string): Promise<PdsPatient | null> {
    if (!/^\d{10}$/.test(nhsNumber))
      throw new Error(`lookupPatient needs a 10-digit NHS number, got ${JSON.stringify(nhsNumber)}`);
    const url = `${this.base}/Patient/${nhsNumber}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/fhir+json', ...this.options.headers },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (e) {
      throw new PdsUnavailableError(`PDS at ${this.base} did not answer: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 404) return null;
    if (!res.ok) throw new PdsUnavailableError(`PDS answered ${res.status} for ${url}: ${text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PdsUnavailableError(`PDS answered with something that is not JSON for ${url}`);
    }
    const patient = fromFhirPatient(body);
    if (patient.nhsNumber === nhsNumber) return patient;
    // PDS answers a superseded (merged) NHS number with the current record: follow it. Not an
    // outage: retrying would get the same answer for ever.
    const problem = nhsNumberProblem(patient.nhsNumber);
    if (problem) throw new FhirPatientError(`PDS answered for ${nhsNumber} with an invalid NHS number (${problem})`);
    return { ...patient, supersededNhsNumber: nhsNumber };
  }
}
