/**
 * The region's reference data: localities (`localities`), the postcode districts that route an
 * address to one (`postcode_districts`) and GP practices (`gp_practices`). Not child data.
 */
import { postcodeDistrict } from '../db/reference/region';
import { select, selectOne, type Db } from './sql';

export interface Locality {
  id: number;
  code: string;
  name: string;
  overdueGraceDays: number;
}

/** Every locality, by name. */
export function listLocalities(db: Db): Promise<Locality[]> {
  return select<Locality>(db, 'SELECT id, code, name, overdue_grace_days FROM localities ORDER BY name');
}

export function findLocalityByCode(db: Db, code: string): Promise<Locality | null> {
  return selectOne<Locality>(db, 'SELECT id, code, name, overdue_grace_days FROM localities WHERE code = $1', [code]);
}

export interface LocalityRef {
  id: number;
  code: string;
  name: string;
}

export function localityByCode(db: Db, code: string): Promise<LocalityRef | null> {
  return selectOne<LocalityRef>(db, 'SELECT id, code, name FROM localities WHERE code = $1', [code]);
}

export function localityById(db: Db, id: number): Promise<LocalityRef | null> {
  return selectOne<LocalityRef>(db, 'SELECT id, code, name FROM localities WHERE id = $1', [id]);
}

/** The locality of a postcode district, or null when the district is outside the region. */
export function localityOfDistrict(db: Db, district: string): Promise<LocalityRef | null> {
  return selectOne<LocalityRef>(
    db,
    'SELECT l.id, l.code, l.name FROM postcode_districts d JOIN localities l ON l.id = d.locality_id WHERE d.district = $1',
    [district],
  );
}

export interface PracticeRef {
  odsCode: string;
  name: string;
  email: string;
  localityId: number;
}

export function practiceByCode(db: Db, odsCode: string): Promise<PracticeRef | null> {
  return selectOne<PracticeRef>(db, 'SELECT ods_code, name, email, locality_id FROM gp_practices WHERE ods_code = $1', [
    odsCode,
  ]);
}

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

/**
 * The responsible locality of a child: from the postcode district when the address is in the
 * region; otherwise from the registered GP practice (a child registered with a GP in the
 * region is the region's child wherever they live); otherwise none (the child is not the
 * region's: `inRegion: false`, `locality: null`). Used by child.deriveLocality and the
 * inbound-event endpoints, so both route the same way.
 */
export async function routeByPostcode(
  db: Db,
  postcode: string,
  gpPracticeCode?: string | null,
): Promise<LocalityRouting> {
  const district = postcodeDistrict(postcode);
  if (district) {
    const byPostcode = await localityOfDistrict(db, district);
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
    const practice = await practiceByCode(db, gpPracticeCode.toUpperCase());
    const byPractice = practice ? await localityById(db, practice.localityId) : null;
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

/** Each locality with its first postcode district and first GP practice (demo data is placed with them). */
export function localityAnchors(
  db: Db,
): Promise<Array<{ code: string; district: string | null; practice: string | null }>> {
  return select(
    db,
    `SELECT l.code,
       (SELECT d.district FROM postcode_districts d WHERE d.locality_id = l.id ORDER BY d.district LIMIT 1) AS district,
       (SELECT p.ods_code FROM gp_practices p WHERE p.locality_id = l.id ORDER BY p.ods_code LIMIT 1) AS practice
     FROM localities l ORDER BY l.id`,
  );
}
