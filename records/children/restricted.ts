/**
 * A record restricted on PDS (S-flagged): its address and contact details go nowhere. Task rows
 * keep the process variables they were opened with (task pages show them), so for such a child
 * those are written without any address or contact detail, at any depth.
 */
import { selectOne, type Db } from '../sql';
import { childIdOfNumberOrSupersededSql } from './child-rows';

const CONTACT_DETAIL_KEYS = new Set([
  'address',
  'previousAddress',
  'addressLine1',
  'addressLine2',
  'town',
  'postcode',
  'lines',
  'phone',
  'email',
  'telecom',
]);

export function withoutContactDetails(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutContactDetails);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !CONTACT_DETAIL_KEYS.has(k))
      .map(([k, v]) => [k, withoutContactDetails(v)]),
  );
}

/** Whether the child (by record id, or by NHS number for a task without one) is restricted on PDS. */
export async function isRestricted(db: Db, by: { childId: string | null; nhsNumber: string | null }): Promise<boolean> {
  if (by.childId === null && by.nhsNumber === null) return false;
  const row = await selectOne<{ restricted: boolean }>(
    db,
    // A process started before a merge may hold the merged record's id or the number PDS
    // superseded: both lead to the surviving record (child_merges, superseded_nhs_numbers).
    `SELECT restricted FROM children
     WHERE id = COALESCE((SELECT into_child_id FROM child_merges WHERE merged_child_id = $1::bigint), $1::bigint)
        OR ($1::bigint IS NULL AND id = ${childIdOfNumberOrSupersededSql('$2::char(10)')}) LIMIT 1`,
    [by.childId, by.nhsNumber],
  );
  return row?.restricted ?? false;
}
