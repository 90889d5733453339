/**
 * Changes to the `children` row. Each runs in the caller's transaction as part of an
 * operation that audits it (a concern raised, an event received, a transfer completed).
 */
import { select, type Db } from '../sql';
import type { SafeguardingAlert } from './child-rows';

/** Orders alerts: a child-protection plan outranks looked-after, which outranks a concern. */
export const ALERT_RANK: Readonly<Record<SafeguardingAlert, number>> = {
  none: 0,
  concern: 1,
  looked_after: 2,
  child_protection_plan: 3,
};

export async function setSafeguardingAlert(tx: Db, childId: string, alert: SafeguardingAlert): Promise<void> {
  await select(
    tx,
    'UPDATE children SET safeguarding_alert = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id',
    [childId, alert],
  );
}

/** A new address (an inbound event); the responsible locality stays until a transfer is accepted. */
export async function changeAddress(
  tx: Db,
  childId: string,
  address: { lines: string[]; postcode: string },
): Promise<void> {
  const [line1, line2, ...rest] = address.lines;
  await select(
    tx,
    `UPDATE children SET address_line1 = $2, address_line2 = $3, town = $4, postcode = $5, updated_at = now(), row_version = row_version + 1
     WHERE id = $1 RETURNING id`,
    [childId, line1, line2 ?? null, rest.length ? rest.join(', ') : null, address.postcode],
  );
}

export async function changeGpPractice(tx: Db, childId: string, gpPracticeCode: string): Promise<void> {
  await select(
    tx,
    'UPDATE children SET gp_practice_ods = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id',
    [childId, gpPracticeCode],
  );
}

/** Conditional, so that two notifications at once record one death: false when the child was already deceased. */
export async function markDeceased(tx: Db, childId: string, dateOfDeath: string): Promise<boolean> {
  const updated = await select(
    tx,
    `UPDATE children SET status = 'deceased', date_of_death = $2, updated_at = now(), row_version = row_version + 1
     WHERE id = $1 AND status <> 'deceased' RETURNING id`,
    [childId, dateOfDeath],
  );
  return updated.length > 0;
}

/** An accepted transfer: the responsible locality changes, and the GP practice and address when new ones are given. */
export async function moveToLocality(
  tx: Db,
  childId: string,
  m: { localityId: number; gpPracticeOds: string | null; address: { lines: string[]; postcode: string } | null },
): Promise<void> {
  const [line1, line2, town] = m.address?.lines ?? [];
  await select(
    tx,
    `UPDATE children SET locality_id = $2, gp_practice_ods = coalesce($3, gp_practice_ods), status = 'active',
       address_line1 = coalesce($4, address_line1), address_line2 = CASE WHEN $4::text IS NULL THEN address_line2 ELSE $5 END,
       town = CASE WHEN $4::text IS NULL THEN town ELSE $6 END, postcode = coalesce($7, postcode),
       updated_at = now(), row_version = row_version + 1
     WHERE id = $1 RETURNING id`,
    [
      childId,
      m.localityId,
      m.gpPracticeOds,
      line1 ?? null,
      line2 ?? null,
      town ?? null,
      m.address?.postcode.toUpperCase() ?? null,
    ],
  );
}

/** The record was sent to another CHIS. */
export async function markMovedOut(tx: Db, childId: string): Promise<void> {
  await select(
    tx,
    `UPDATE children SET status = 'moved_out', updated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id`,
    [childId],
  );
}
