/**
 * Implementations of the catalogue's child.* activities (declared in ../catalogue/child.ts):
 * adapters onto records/children (parse the input, name the actor, translate refusals).
 */
import { readChildForProcess } from '../../records/children/facts';
import { checkMandatedContact } from '../../records/children/mandated-contacts';
import { enrolReviews } from './enrol-reviews';
import { createOrMatchChild } from '../../records/children/register';
import { routeByPostcode } from '../../records/localities';
import type { Db } from '../../records/sql';
import type { CatalogueActivityMap } from '../catalogue';
import { CHILD_ACTIVITIES } from '../catalogue/child';
import type { CatalogueDeps } from '../deps';
import { asActivity, authorisedNhsNumber, inboundEventOf, parserFor, systemActorOfInstance } from '../support';

export function createChildActivities(
  deps: CatalogueDeps,
): Partial<CatalogueActivityMap<keyof typeof CHILD_ACTIVITIES>> {
  const db: Db = { sequelize: deps.sequelize };
  const parse = parserFor(CHILD_ACTIVITIES);
  return {
    'child.createOrMatchRecord': async (raw) => {
      const claimed = parse('child.createOrMatchRecord', raw);
      const actor = await systemActorOfInstance(db);
      // The NHS number is the instance's business key, which its start authorised; a variable naming another child is refused.
      const key = await authorisedNhsNumber(db, 'child.createOrMatchRecord', claimed.nhsNumber);
      const inboundEvent = await inboundEventOf(db, claimed.inboundEventId, key.nhsNumber);
      const cause = {
        startedBy: key.startedBy,
        inboundEventId: inboundEvent?.id ?? null,
        receivedBy: inboundEvent?.receivedBy ?? null,
      };
      return asActivity('child.createOrMatchRecord', () =>
        createOrMatchChild(db, actor, { ...claimed, nhsNumber: key.nhsNumber }, cause),
      );
    },
    'child.deriveLocality': async (raw) => {
      const input = parse('child.deriveLocality', raw);
      return routeByPostcode(db, input.postcode, input.gpPracticeCode);
    },
    'child.enrolReviews': (raw) => enrolReviews(deps, raw),
    'child.checkContactRecorded': async (raw) => {
      const input = parse('child.checkContactRecorded', raw);
      const actor = await systemActorOfInstance(db);
      return asActivity('child.checkContactRecorded', () => checkMandatedContact(db, actor, input));
    },
    'child.getRecord': async (raw) => {
      const input = parse('child.getRecord', raw);
      const actor = await systemActorOfInstance(db);
      const c = await asActivity('child.getRecord', () => readChildForProcess(db, actor, input));
      return {
        childId: c.childId,
        nhsNumber: c.nhsNumber,
        initials: `${c.givenName.charAt(0)}${c.familyName.charAt(0)}`.toUpperCase(),
        dateOfBirth: c.dateOfBirth,
        sex: c.sex,
        postcode: c.postcode,
        locality: c.localityCode,
        localityId: c.localityId,
        gpPracticeCode: c.gpPracticeOds,
        status: c.status,
        safeguardingAlert: c.safeguardingAlert,
        openConcerns: c.openConcerns,
      };
    },
  };
}
