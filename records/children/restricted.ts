/**
 * A record restricted on PDS (S-flagged): its address and contact details go nowhere. Task rows
 * keep the process variables they were opened with (task pages show them), so for such a child
 * those are written without any address or contact detail, at any depth.
 */
import { selectOne, type Db } from '../sql';

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
    'SELECT restricted FROM children WHERE id = $1::bigint OR (nhs_number = $2 AND $1::bigint IS NULL) LIMIT 1',
    [by.childId, by.nhsNumber],
  );
  return row?.restricted ?? false;
}
