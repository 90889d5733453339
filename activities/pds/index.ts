/**
 * Implementations of the catalogue's pds.* activities (declared in ../catalogue/pds.ts).
 * PDS being down is an ordinary thrown error, retried with the catalogue's backoff; a
 * response that is not a usable Patient, or no PDS configured, cannot be cured by retrying.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { CatalogueActivityMap } from '../catalogue';
import type { CatalogueDeps } from '../deps';
import { PDS_ACTIVITIES } from '../catalogue/pds';
import { FhirPatientError } from '../../pds/fhir-patient';
import { auditPdsLookup } from '../../records/children/pds-lookup';
import type { Db } from '../../records/sql';
import { parseInput, systemActorOfInstance } from '../support';

export function createPdsActivities(deps: CatalogueDeps): Partial<CatalogueActivityMap<keyof typeof PDS_ACTIVITIES>> {
  const db: Db = { sequelize: deps.sequelize };
  return {
    'pds.lookupPatient': async (input) => {
      const { nhsNumber } = parseInput('pds.lookupPatient', PDS_ACTIVITIES['pds.lookupPatient'].input, input);
      if (!deps.pds)
        throw ApplicationFailure.nonRetryable(
          'pds.lookupPatient: no PDS client is configured for this worker',
          'ConfigurationError',
        );
      let patient;
      try {
        patient = await deps.pds.lookupPatient(nhsNumber);
      } catch (e) {
        if (e instanceof FhirPatientError)
          throw ApplicationFailure.nonRetryable(`pds.lookupPatient: ${e.message}`, 'PdsResponseError');
        throw e;
      }
      await auditPdsLookup(db, await systemActorOfInstance(db), nhsNumber, patient !== null);
      if (!patient) return { found: false };
      return {
        found: true,
        givenName: patient.givenName,
        familyName: patient.familyName,
        dateOfBirth: patient.dateOfBirth,
        sex: patient.sex,
        ...(patient.address && patient.address.lines.length > 0 ? { address: patient.address } : {}),
        ...(patient.gpPracticeCode ? { gpPracticeCode: patient.gpPracticeCode } : {}),
        ...(patient.deceased ? { deceased: true } : {}),
      };
    },
  };
}
