/**
 * A look-up of a patient on PDS (the national demographics service), audited against the
 * child's record when we hold one, and what PDS says that the record must follow:
 * - a superseded NHS number (PDS answered with the current one): the record takes the current
 *   number and keeps the old one linked (superseded_nhs_numbers), audited
 *   `child.nhs_number_superseded`. When another record already holds the current number (two
 *   records for one child) the old number is linked to that one and both records are left for
 *   the records team to merge (the audit row says so); nothing is moved automatically.
 * - a restricted (S-flagged) record: `children.restricted`, audited `child.restricted`.
 * - a death on PDS: the record is marked deceased (transfers in flight cancelled) as a death
 *   notification would, audited `child.death_from_pds`; the caller tells the child's processes.
 */
import { todayInLondon } from '../../core/uk-time';
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { inTransaction, select, selectOne, type Db } from '../sql';
import { childIdOfNhsNumber, childIdOfNhsNumberOrSuperseded } from './child-rows';
import { recordDeath } from './death';

export async function auditPdsLookup(db: Db, actor: ProcessActor, nhsNumber: string, found: boolean): Promise<void> {
  await writeAudit(db, actor, {
    action: 'pds.lookup',
    entityType: 'pds_patient',
    entityId: nhsNumber,
    childId: await childIdOfNhsNumberOrSuperseded(db, nhsNumber),
    detail: { found },
  });
}

export interface PdsFindings {
  /** The NHS number asked for. */
  askedNhsNumber: string;
  /** The patient's current NHS number on PDS. */
  nhsNumber: string;
  restricted: boolean;
  deceased: boolean;
  dateOfDeath: string | null;
}

export interface PdsFollowUp {
  /** The record the findings were applied to (null: we hold no record under either number). */
  childId: string | null;
  /** The number the record now carries. */
  nhsNumber: string;
  superseded: boolean;
  /** Another record held the current number already: linked, left to merge. */
  duplicateRecordId: string | null;
  restrictedNow: boolean;
  /** The death was recorded now (it was not on the record before). */
  deathRecorded: boolean;
}

async function followSupersededNumber(
  tx: Db,
  actor: ProcessActor,
  childId: string,
  from: string,
  to: string,
): Promise<string | null> {
  const holder = await childIdOfNhsNumber(tx, to);
  const survivor = holder ?? childId;
  if (holder === null)
    await select(
      tx,
      'UPDATE children SET nhs_number = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id',
      [childId, to],
    );
  await select(
    tx,
    `INSERT INTO superseded_nhs_numbers (nhs_number, child_id, current_nhs_number) VALUES ($1, $2, $3)
     ON CONFLICT (nhs_number) DO NOTHING RETURNING nhs_number`,
    [from, survivor, to],
  );
  const duplicate = holder !== null && holder !== childId ? childId : null;
  await writeAudit(tx, actor, {
    action: 'child.nhs_number_superseded',
    entityType: 'child',
    entityId: to,
    childId: survivor,
    detail: {
      supersededNhsNumber: from,
      nhsNumber: to,
      ...(duplicate
        ? { duplicateRecordId: duplicate, merge: 'left to the records team: two records for one child' }
        : {}),
    },
  });
  return duplicate;
}

/** Applies what PDS said to the record of `askedNhsNumber`, in one transaction. */
export async function followPdsFindings(db: Db, actor: ProcessActor, f: PdsFindings): Promise<PdsFollowUp> {
  return inTransaction(db, async (tx) => {
    const child = await selectOne<{ id: string; restricted: boolean; status: string }>(
      tx,
      'SELECT id, restricted, status FROM children WHERE nhs_number = $1 FOR UPDATE',
      [f.askedNhsNumber],
    );
    const out: PdsFollowUp = {
      childId: child?.id ?? null,
      nhsNumber: f.askedNhsNumber,
      superseded: f.nhsNumber !== f.askedNhsNumber,
      duplicateRecordId: null,
      restrictedNow: false,
      deathRecorded: false,
    };
    if (!child) return out;
    if (out.superseded) {
      out.duplicateRecordId = await followSupersededNumber(tx, actor, child.id, f.askedNhsNumber, f.nhsNumber);
      if (out.duplicateRecordId === null) out.nhsNumber = f.nhsNumber;
    }
    if (f.restricted && !child.restricted) {
      await select(tx, 'UPDATE children SET restricted = true, updated_at = now() WHERE id = $1 RETURNING id', [
        child.id,
      ]);
      await writeAudit(tx, actor, {
        action: 'child.restricted',
        entityType: 'child',
        entityId: out.nhsNumber,
        childId: child.id,
        reason: 'restricted (S-flagged) on PDS: no address or contact details are shown or sent on',
      });
      out.restrictedNow = true;
    }
    if (f.deceased && child.status !== 'deceased') {
      const dateOfDeath = f.dateOfDeath ?? todayInLondon(Date.now());
      const { cancelledTransfers } = await recordDeath(tx, child.id, dateOfDeath);
      await writeAudit(tx, actor, {
        action: 'child.death_from_pds',
        entityType: 'child',
        entityId: out.nhsNumber,
        childId: child.id,
        detail: {
          dateOfDeath,
          dateOfDeathFromPds: f.dateOfDeath !== null,
          previousStatus: child.status,
          cancelledTransfers,
        },
      });
      out.deathRecorded = true;
    }
    return out;
  });
}
