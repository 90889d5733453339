/** A death notified (POST /api/events/death-notifications), in the event's transaction. */
import { conflict } from '../errors';
import type { Db } from '../sql';
import { cancelOpenTransfers } from '../transfers/rows';
import { markDeceased } from './changes';

/** The record is marked deceased and its transfers in flight cancelled (their processes end on childDied). */
export async function recordDeath(
  tx: Db,
  childId: string,
  dateOfDeath: string,
): Promise<{ cancelledTransfers: string[] }> {
  // Two different notifications at once record one death: the other is refused, nothing kept.
  if (!(await markDeceased(tx, childId, dateOfDeath))) throw conflict('The child is already recorded as deceased');
  return { cancelledTransfers: await cancelOpenTransfers(tx, childId, { cancelledBy: 'death notification' }) };
}
