/** Implementations of the catalogue's child.* activities (declared in ../catalogue/child.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import { CHILD_ACTIVITIES } from '../catalogue/child';
import type { Db } from '../../db/repositories/sql';
import { createOrMatchRecord } from './create-or-match';
import { getRecord } from './get-record';
import { routeByPostcode } from './locality';
import { parseInput } from '../support';

export function createChildActivities(
  deps: CatalogueDeps,
): Partial<CatalogueActivityMap<keyof typeof CHILD_ACTIVITIES>> {
  const db: Db = { sequelize: deps.sequelize };
  return {
    'child.createOrMatchRecord': async (input) =>
      createOrMatchRecord(
        db,
        parseInput('child.createOrMatchRecord', CHILD_ACTIVITIES['child.createOrMatchRecord'].input, input),
      ),
    'child.deriveLocality': async (input) => {
      const i = parseInput('child.deriveLocality', CHILD_ACTIVITIES['child.deriveLocality'].input, input);
      return routeByPostcode(db, i.postcode, i.gpPracticeCode);
    },
    'child.getRecord': async (input) =>
      getRecord(db, parseInput('child.getRecord', CHILD_ACTIVITIES['child.getRecord'].input, input)),
  };
}
