/**
 * Implementations of the catalogue's pds.* activities (declared in ../catalogue/pds.ts).
 * PDS being down is an ordinary thrown error, retried with the catalogue's backoff; a
 * response that is not a usable Patient, or no PDS configured, cannot be cured by retrying.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { CatalogueActivityMap } from '../catalogue';
import type { CatalogueDeps } from '../deps';
import { PDS_ACTIVITIES } from '../catalogue/pds';
import { FhirPatientError } from '../../pds/fhir-patient';
import { publishMessage } from '../../engine-client/publish-message';
import { auditPdsLookup, followPdsFindings, type PdsFollowUp } from '../../records/children/pds-lookup';
import type { Db } from '../../records/sql';
import { asActivity, parseInput, systemActorOfInstance } from '../support';

/** Keep the message a week: an instance between steps takes it at its next wait. */
const CHILD_DIED_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * A death found on PDS reaches the child's processes as a death notification does (childDied,
 * keyed by the NHS number they run under): each ends its work, no more appointments or reminders.
 */
async function tellChildDied(deps: CatalogueDeps, askedNhsNumber: string, f: PdsFollowUp): Promise<void> {
  if (!deps.client) return;
  const activity = Context.current().info;
  for (const key of new Set([askedNhsNumber, f.nhsNumber]))
    await publishMessage(
      { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
      {
        name: 'childDied',
        correlationKey: key,
        variables: { nhsNumber: key, childId: f.childId, diedOnPds: true },
        timeToLiveMs: CHILD_DIED_TTL_MS,
        // No instance is left out: the one that looked the child up ends too.
        sourceInstanceId: '',
      },
      `${activity.workflowExecution?.workflowId ?? 'pds'}/${activity.activityId}/childDied/${key}`,
    );
}

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
      const actor = await systemActorOfInstance(db);
      await auditPdsLookup(db, actor, nhsNumber, patient !== null);
      if (!patient) return { found: false };
      const followed = await asActivity('pds.lookupPatient', () =>
        followPdsFindings(db, actor, {
          askedNhsNumber: nhsNumber,
          nhsNumber: patient.nhsNumber,
          restricted: patient.restricted === true,
          deceased: patient.deceased === true,
          dateOfDeath: patient.dateOfDeath ?? null,
        }),
      );
      if (followed.deathRecorded && followed.childId) await tellChildDied(deps, nhsNumber, followed);
      return {
        found: true,
        nhsNumber: patient.nhsNumber,
        ...(patient.supersededNhsNumber ? { superseded: true } : {}),
        ...(patient.restricted ? { restricted: true } : {}),
        ...(patient.dateOfDeath ? { dateOfDeath: patient.dateOfDeath } : {}),
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
