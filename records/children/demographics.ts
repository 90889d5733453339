/**
 * A child's demographics as the record holds them, unaudited: read only by the embedded PDS
 * simulator (pds/simulator.ts), which stands in for the national service during development and
 * tests and answers for every child the region knows. No person sees these rows through it.
 */
import type { Sex } from '../../schedule';
import { selectOne, type Db } from '../sql';
import { childIdOfNumberOrSupersededSql } from './child-rows';

export interface RecordedDemographics {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: Sex;
  addressLine1: string;
  addressLine2: string | null;
  town: string | null;
  postcode: string;
  gpPracticeOds: string | null;
  status: string;
  dateOfDeath: string | null;
  restricted: boolean;
}

/** A number PDS superseded answers with the child's current record, as PDS answers it. */
export function recordedDemographics(db: Db, nhsNumber: string): Promise<RecordedDemographics | null> {
  return selectOne(
    db,
    `SELECT nhs_number, given_name, family_name, date_of_birth::text AS date_of_birth, sex, address_line1, address_line2, town, postcode,
            gp_practice_ods, status, date_of_death::text AS date_of_death, restricted FROM children
     WHERE id = ${childIdOfNumberOrSupersededSql('$1')}`,
    [nhsNumber],
  );
}
