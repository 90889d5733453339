/**
 * UK Core Patient <-> PdsPatient. Only the elements CHIS Flow uses: the NHS number identifier,
 * the official name, gender, birth date, home address, registered GP practice and deceased flag.
 */
import type { PdsPatient, PdsSex } from './patient';

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
export const ODS_CODE_SYSTEM = 'https://fhir.nhs.uk/Id/ods-organization-code';
export const UK_CORE_PATIENT_PROFILE = 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient';
/** PDS marks a record's confidentiality in meta.security: U unrestricted, R restricted (S-flagged), V very restricted. */
export const CONFIDENTIALITY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RESTRICTED_CODES = new Set(['R', 'V']);

export interface FhirIdentifier {
  system?: string;
  value?: string;
}

export interface FhirPatient {
  resourceType: 'Patient';
  id?: string;
  meta?: { profile?: string[]; security?: Array<{ system?: string; code?: string; display?: string }> };
  identifier?: FhirIdentifier[];
  name?: Array<{ use?: string; family?: string; given?: string[] }>;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
  deceasedBoolean?: boolean;
  deceasedDateTime?: string;
  address?: Array<{ use?: string; line?: string[]; postalCode?: string }>;
  generalPractitioner?: Array<{ type?: string; identifier?: FhirIdentifier }>;
}

export interface FhirOperationOutcome {
  resourceType: 'OperationOutcome';
  issue: Array<{ severity: 'fatal' | 'error' | 'warning' | 'information'; code: string; diagnostics?: string }>;
}

// FHIR administrative gender has no "indeterminate": UK Core maps it to "other".
const TO_GENDER: Record<PdsSex, NonNullable<FhirPatient['gender']>> = {
  female: 'female',
  male: 'male',
  indeterminate: 'other',
  unknown: 'unknown',
};
const FROM_GENDER: Record<NonNullable<FhirPatient['gender']>, PdsSex> = {
  female: 'female',
  male: 'male',
  other: 'indeterminate',
  unknown: 'unknown',
};

/** As PDS serves it: a restricted record without address or GP practice, marked R in meta.security. */
export function toFhirPatient(p: PdsPatient): FhirPatient {
  if (p.restricted) p = { ...p, address: undefined, gpPracticeCode: undefined };
  return {
    resourceType: 'Patient',
    id: p.nhsNumber,
    meta: {
      profile: [UK_CORE_PATIENT_PROFILE],
      ...(p.restricted ? { security: [{ system: CONFIDENTIALITY_SYSTEM, code: 'R', display: 'restricted' }] } : {}),
    },
    identifier: [{ system: NHS_NUMBER_SYSTEM, value: p.nhsNumber }],
    name: [{ use: 'official', family: p.familyName, given: [p.givenName] }],
    gender: TO_GENDER[p.sex],
    birthDate: p.dateOfBirth,
    ...(p.deceased ? (p.dateOfDeath ? { deceasedDateTime: p.dateOfDeath } : { deceasedBoolean: true }) : {}),
    ...(p.address ? { address: [{ use: 'home', line: p.address.lines, postalCode: p.address.postcode }] } : {}),
    ...(p.gpPracticeCode
      ? {
          generalPractitioner: [
            { type: 'Organization', identifier: { system: ODS_CODE_SYSTEM, value: p.gpPracticeCode } },
          ],
        }
      : {}),
  };
}

export class FhirPatientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FhirPatientError';
  }
}

/** Reads a Patient resource; throws FhirPatientError naming what is missing or wrong. */
export function fromFhirPatient(resource: unknown): PdsPatient {
  const r = resource as Partial<FhirPatient> | null;
  if (!r || typeof r !== 'object' || r.resourceType !== 'Patient')
    throw new FhirPatientError('the response is not a FHIR Patient resource');
  const nhsNumber = r.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
  if (!nhsNumber) throw new FhirPatientError(`the Patient has no identifier with system ${NHS_NUMBER_SYSTEM}`);
  const name = r.name?.find((n) => n.use === 'official') ?? r.name?.[0];
  if (!r.birthDate) throw new FhirPatientError('the Patient has no birthDate');
  const home = r.address?.find((a) => a.use === 'home') ?? r.address?.[0];
  const gp = r.generalPractitioner?.find((g) => g.identifier?.system === ODS_CODE_SYSTEM)?.identifier?.value;
  return {
    nhsNumber,
    givenName: name?.given?.join(' ') ?? '',
    familyName: name?.family ?? '',
    dateOfBirth: r.birthDate.slice(0, 10),
    sex: r.gender ? FROM_GENDER[r.gender] : 'unknown',
    ...(home?.postalCode ? { address: { lines: home.line ?? [], postcode: home.postalCode } } : {}),
    ...(gp ? { gpPracticeCode: gp } : {}),
    ...(r.deceasedBoolean || r.deceasedDateTime ? { deceased: true } : {}),
    ...(r.deceasedDateTime && /^\d{4}-\d{2}-\d{2}/.test(r.deceasedDateTime)
      ? { dateOfDeath: r.deceasedDateTime.slice(0, 10) }
      : {}),
    ...(r.meta?.security?.some((s) => s.system === CONFIDENTIALITY_SYSTEM && RESTRICTED_CODES.has(s.code ?? ''))
      ? { restricted: true }
      : {}),
  };
}

export function operationOutcome(
  code: string,
  diagnostics: string,
  severity: FhirOperationOutcome['issue'][number]['severity'] = 'error',
): FhirOperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}
