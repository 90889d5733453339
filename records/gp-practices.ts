/** GP practices of the region (reference data, by ODS code). */
import { selectOne, type Db } from './sql';

export interface GpPractice {
  odsCode: string;
  name: string;
  email: string;
}

export function findPractice(db: Db, odsCode: string): Promise<GpPractice | null> {
  return selectOne<GpPractice>(db, 'SELECT ods_code, name, email FROM gp_practices WHERE ods_code = $1', [odsCode]);
}
