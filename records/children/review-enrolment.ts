/**
 * Which children the child-health-reviews process should follow but does not yet: active
 * children young enough for a mandated-contact window to be still open or ahead (under 2½
 * years on the day), with no child-health-reviews instance under their NHS number or a number
 * it superseded. A child whose new birth registration is still running since reviews were
 * deployed is left to it (that process starts the reviews itself once the baby is registered).
 * Read by the daily enrolment (`child.enrolReviews`): on its first run the children already on
 * the record, then each day the ones who arrived from another CHIS.
 */
import { select, type Db } from '../sql';

export interface ReviewCandidate {
  childId: string;
  nhsNumber: string;
  dateOfBirth: string;
  locality: string;
  localityId: number;
}

export const REVIEWS_PROCESS_KEY = 'child-health-reviews';
const REGISTRATION_PROCESS_KEY = 'new-birth-registration';

/** The next `limit` candidates after child id `after`, in id order; `bornAfter` the earliest date of birth excluded. */
export async function childrenToEnrolInReviews(
  db: Db,
  o: { bornAfter: string; after: string; limit: number },
): Promise<ReviewCandidate[]> {
  return select<ReviewCandidate>(
    db,
    // Each NOT EXISTS is an index look-up by business key (an OR of the two keys would not be).
    `SELECT c.id AS child_id, c.nhs_number, c.date_of_birth::text AS date_of_birth, l.code AS locality, c.locality_id
     FROM children c JOIN localities l ON l.id = c.locality_id
     WHERE c.status = 'active' AND c.date_of_birth > $1::date AND c.id > $2::bigint
       AND NOT EXISTS (
         SELECT 1 FROM process_instances p JOIN process_definitions d ON d.id = p.definition_id
         WHERE p.business_key = c.nhs_number AND d.key = $4)
       AND NOT EXISTS (
         SELECT 1 FROM superseded_nhs_numbers s
           JOIN process_instances p ON p.business_key = s.nhs_number
           JOIN process_definitions d ON d.id = p.definition_id
         WHERE s.child_id = c.id AND d.key = $4)
       AND NOT EXISTS (
         SELECT 1 FROM process_instances p JOIN process_definitions d ON d.id = p.definition_id
         WHERE p.business_key = c.nhs_number AND d.key = $5 AND p.status IN ('running', 'incident')
           AND p.started_at >= (SELECT min(deployed_at) FROM process_definitions WHERE key = $4))
     ORDER BY c.id
     LIMIT $3`,
    [o.bornAfter, o.after, o.limit, REVIEWS_PROCESS_KEY, REGISTRATION_PROCESS_KEY],
  );
}
