export type { PdsPatient, PdsSex } from './patient';
export { FhirPdsClient, PdsUnavailableError, type PdsClient, type FhirPdsClientOptions } from './client';
export { startPdsSimulator, PDS_SIMULATOR_BASE_PATH, type PdsSimulator, type PdsSimulatorOptions } from './simulator';
export {
  toFhirPatient,
  fromFhirPatient,
  FhirPatientError,
  NHS_NUMBER_SYSTEM,
  ODS_CODE_SYSTEM,
  CONFIDENTIALITY_SYSTEM,
  type FhirPatient,
} from './fhir-patient';
