/**
 * A patient as CHIS Flow needs it from the national demographics service (PDS): the fields
 * of a UK Core Patient resource that the processes read, in the project's own words.
 */
export type PdsSex = 'female' | 'male' | 'indeterminate' | 'unknown';

export interface PdsPatient {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: PdsSex;
  address?: { lines: string[]; postcode: string };
  gpPracticeCode?: string;
  deceased?: boolean;
}
