/**
 * WS8, WS9 and WS10 route to the West Midlands boroughs they are in, not to Staffordshire.
 * Source: the WS postcode area's coverage table (Wikipedia, "WS postcode area"): WS8 Brownhills –
 * Walsall; WS9 Aldridge, Walsall Wood (and Stonnall) – Walsall (Lichfield); WS10 Wednesbury,
 * Darlaston – Sandwell, Walsall; WS6, WS7, WS11–WS15 are in Staffordshire districts.
 */
import { routeByPostcode } from '../../records/localities';
import type { Database } from '../../db/database';
import { up as fixWsDistricts } from '../../db/migrations/0013_ws_postcode_districts';
import { createMigratedDatabase } from '../support/databases';

let db: Database;
beforeAll(async () => {
  db = await createMigratedDatabase('postcodes');
}, 60_000);
afterAll(() => db?.close());

const localityOf = async (postcode: string) => (await routeByPostcode(db, postcode)).locality;

test('WS8 and WS9 are Walsall, WS10 is Sandwell; the rest of WS outside the borough stays Staffordshire', async () => {
  expect({
    WS8: await localityOf('WS8 6AA'),
    WS9: await localityOf('WS9 8AA'),
    WS10: await localityOf('WS10 7AA'),
    WS1: await localityOf('WS1 1AA'),
    WS6: await localityOf('WS6 6AA'),
    WS7: await localityOf('WS7 1AA'),
    WS11: await localityOf('WS11 1AA'),
    WS14: await localityOf('WS14 9AA'),
  }).toEqual({
    WS8: 'walsall',
    WS9: 'walsall',
    WS10: 'sandwell',
    WS1: 'walsall',
    WS6: 'staffordshire',
    WS7: 'staffordshire',
    WS11: 'staffordshire',
    WS14: 'staffordshire',
  });
});

test('migration 0013 moves the three districts of a database seeded with the old mapping', async () => {
  await db.sequelize.query(
    `UPDATE postcode_districts SET locality_id = (SELECT id FROM localities WHERE code = 'staffordshire')
     WHERE district IN ('WS8', 'WS9', 'WS10')`,
  );
  expect(await localityOf('WS10 7AA')).toBe('staffordshire');
  await fixWsDistricts({ context: (sql, bind) => db.sequelize.query(sql, { bind }) });
  expect([await localityOf('WS8 6AA'), await localityOf('WS9 8AA'), await localityOf('WS10 7AA')]).toEqual([
    'walsall',
    'walsall',
    'sandwell',
  ]);
});
