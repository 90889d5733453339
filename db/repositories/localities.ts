import { select, selectOne, type Db } from './sql';

export interface Locality {
  id: number;
  code: string;
  name: string;
  overdueGraceDays: number;
}

export function listLocalities(db: Db): Promise<Locality[]> {
  return select<Locality>(db, 'SELECT id, code, name, overdue_grace_days FROM localities ORDER BY name');
}

export function findLocalityByCode(db: Db, code: string): Promise<Locality | null> {
  return selectOne<Locality>(db, 'SELECT id, code, name, overdue_grace_days FROM localities WHERE code = $1', [code]);
}
