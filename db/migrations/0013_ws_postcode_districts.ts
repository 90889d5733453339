import type { MigrationContext } from '../migration-context';

/**
 * WS8, WS9 and WS10 were routed to Staffordshire; they are in the West Midlands county:
 * WS8 (Brownhills) and WS9 (Aldridge, Walsall Wood) → Walsall, WS10 (Wednesbury, with
 * Darlaston and Moxley in Walsall: Sandwell holds the larger part) → Sandwell. Source: the
 * local authority areas per district in the coverage table of the WS postcode area (Wikipedia,
 * "WS postcode area"). db/reference/region.ts carries the same correction for new databases.
 *
 * Children already on record keep their responsible locality: changing it is a transfer the
 * receiving locality accepts (child-mover), not a silent update. To review them:
 *   SELECT id, postcode FROM children WHERE locality_id = 8
 *     AND upper(split_part(trim(postcode), ' ', 1)) IN ('WS8', 'WS9', 'WS10');
 */
export async function up({ context: sql }: MigrationContext): Promise<void> {
  await sql(`
    UPDATE postcode_districts SET locality_id = (SELECT id FROM localities WHERE code = 'walsall')
    WHERE district IN ('WS8', 'WS9');
    UPDATE postcode_districts SET locality_id = (SELECT id FROM localities WHERE code = 'sandwell')
    WHERE district = 'WS10';
  `);
}
