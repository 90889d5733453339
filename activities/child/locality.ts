/**
 * The responsible locality of a child: from the postcode district when the address is in the
 * region; otherwise from the registered GP practice (a child registered with a GP in the
 * region is the region's child wherever they live); otherwise none (the child is not the
 * region's: `inRegion: false`, `locality: null`). Used by child.deriveLocality and the
 * inbound-event endpoints, so both route the same way.
 */
import { postcodeDistrict } from '../../db/reference/region';
import { selectOne, type Db } from '../../db/repositories/sql';

export interface LocalityRouting {
  /** Locality code (e.g. 'birmingham'), or null when neither the address nor the GP practice is in the region. */
  locality: string | null;
  localityId: number | null;
  /** The address (postcode) is in the region. */
  inRegion: boolean;
  /** What decided the locality. */
  via: 'postcode' | 'gp_practice' | 'none';
  /** The postcode's district (outward code), null when the postcode is not a UK postcode. */
  postcodeDistrict: string | null;
}

/** UK postcode, outward and inward code, optional single space (normalised: upper case, one space). */
export const UK_POSTCODE = /^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9][A-Z]{2})$/;

export function normalisePostcode(value: string): string | null {
  const m = UK_POSTCODE.exec(value.trim().toUpperCase().replace(/\s+/g, ' '));
  return m ? `${m[1]} ${m[2]}` : null;
}

export async function routeByPostcode(
  db: Db,
  postcode: string,
  gpPracticeCode?: string | null,
): Promise<LocalityRouting> {
  const district = postcodeDistrict(postcode);
  if (district) {
    const byPostcode = await selectOne<{ id: number; code: string }>(
      db,
      'SELECT l.id, l.code FROM postcode_districts p JOIN localities l ON l.id = p.locality_id WHERE p.district = $1',
      [district],
    );
    if (byPostcode)
      return {
        locality: byPostcode.code,
        localityId: byPostcode.id,
        inRegion: true,
        via: 'postcode',
        postcodeDistrict: district,
      };
  }
  if (gpPracticeCode) {
    const byPractice = await selectOne<{ id: number; code: string }>(
      db,
      'SELECT l.id, l.code FROM gp_practices g JOIN localities l ON l.id = g.locality_id WHERE g.ods_code = $1',
      [gpPracticeCode.toUpperCase()],
    );
    if (byPractice)
      return {
        locality: byPractice.code,
        localityId: byPractice.id,
        inRegion: false,
        via: 'gp_practice',
        postcodeDistrict: district,
      };
  }
  return { locality: null, localityId: null, inRegion: false, via: 'none', postcodeDistrict: district };
}
