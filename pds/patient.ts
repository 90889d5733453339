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
  /** The date of death PDS holds (deceasedDateTime), when it gives one. */
  dateOfDeath?: string;
  /**
   * A restricted ("S-flagged", sensitive) record: PDS gives no address, contact details or GP
   * practice, and none of ours may be shown or sent on (meta.security R or V).
   */
  restricted?: boolean;
  /**
   * The NHS number asked for, when PDS answered with the patient's current number instead: the
   * one asked for was superseded (records merged nationally).
   */
  supersededNhsNumber?: string;
}
