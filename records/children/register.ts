/**
 * A child's record comes into being: from a birth notification (child.createOrMatchRecord) or
 * a record received from another CHIS (transfer.recordInbound, records/transfers). One record
 * per NHS number, whoever asks and however often: INSERT … ON CONFLICT (nhs_number) DO NOTHING,
 * then the existing row.
 */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { addMotherFromBirthNotification } from '../contacts';
import { RecordRefusal } from '../errors';
import { recordedResult, recordResult } from '../idempotency';
import { routeByPostcode, type LocalityRouting } from '../localities';
import { inTransaction, selectOne, type Db } from '../sql';
import { childIdOfNumberOrSupersededSql, type SafeguardingAlert } from './child-rows';

export interface BornChild {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'male' | 'female' | 'indeterminate' | 'unknown';
  address: { lines: string[]; postcode: string };
  gpPracticeCode?: string | null;
  mother?: { name: string } | null;
}

/** Who caused a record to be created or matched, for its audit row. */
export interface RecordCause {
  /** The person who started the instance through the API. */
  startedBy: string | null;
  /** The inbound event that started it, and the account that sent that. */
  inboundEventId: string | null;
  receivedBy: string | null;
}

export interface CreatedOrMatched extends Pick<LocalityRouting, 'inRegion' | 'via'> {
  childId: string;
  /** True for the process that created the record, on every retry too. */
  created: boolean;
  locality: string | null;
  localityId: number | null;
}

/** The record of this NHS number, or of the number that superseded it (PDS): never a second record for one child. */
function idOfNhsNumber(db: Db, nhsNumber: string): Promise<{ id: string } | null> {
  return selectOne<{ id: string }>(
    db,
    `SELECT id FROM (SELECT id, 0 AS o FROM children WHERE nhs_number = $1
       UNION ALL SELECT child_id, 1 FROM superseded_nhs_numbers WHERE nhs_number = $1) x ORDER BY o LIMIT 1`,
    [nhsNumber],
  );
}

/** The key under which a process records the child it created (a retry's first attempt may have committed). */
const createdKey = (processInstanceId: string, childId: string) => `child.create:${processInstanceId}:${childId}`;

/**
 * Creates the record of a notified birth, or matches the existing one for this NHS number
 * (audited as child.create / child.match). The responsible locality comes from the postcode,
 * else the GP practice; neither in the region is refused (out_of_region).
 */
export async function createOrMatchChild(
  db: Db,
  actor: ProcessActor,
  input: BornChild,
  cause: RecordCause | null = null,
): Promise<CreatedOrMatched> {
  const routing = await routeByPostcode(db, input.address.postcode, input.gpPracticeCode);
  return inTransaction(db, async (tx) => {
    const existing = await idOfNhsNumber(tx, input.nhsNumber);
    if (existing) return matched(tx, existing.id);
    if (routing.localityId === null) {
      throw new RecordRefusal(
        'out_of_region',
        `postcode ${input.address.postcode} is outside the region and GP practice ${input.gpPracticeCode ?? '(none)'} is not a practice of the region`,
      );
    }
    const [line1, line2, ...rest] = input.address.lines;
    const inserted = await selectOne<{ id: string }>(
      tx,
      `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, address_line2, town, postcode, locality_id, gp_practice_ods)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT ods_code FROM gp_practices WHERE ods_code = upper($11)))
       ON CONFLICT (nhs_number) DO NOTHING RETURNING id`,
      [
        input.nhsNumber,
        input.givenName,
        input.familyName,
        input.dateOfBirth,
        input.sex,
        line1,
        line2 ?? null,
        rest.length ? rest.join(', ') : null,
        input.address.postcode.toUpperCase(),
        routing.localityId,
        input.gpPracticeCode ?? null,
      ],
    );
    // Created by a concurrent caller between our read and our insert.
    if (!inserted) return matched(tx, (await idOfNhsNumber(tx, input.nhsNumber))!.id);
    if (input.mother) await addMotherFromBirthNotification(tx, inserted.id, input.mother.name);
    if (actor.processInstanceId)
      await recordResult(tx, createdKey(actor.processInstanceId, inserted.id), 'child.create', {
        childId: inserted.id,
      });
    await writeAudit(tx, actor, {
      action: 'child.create',
      entityType: 'child',
      entityId: input.nhsNumber,
      childId: inserted.id,
      detail: {
        locality: routing.locality,
        via: routing.via,
        gpPracticeCode: input.gpPracticeCode ?? null,
        // Who caused it: the person who started the instance, or the event and the account that sent it.
        ...cause,
      },
    });
    return {
      childId: inserted.id,
      created: true,
      locality: routing.locality,
      localityId: routing.localityId,
      inRegion: routing.inRegion,
      via: routing.via,
    };
  });

  async function matched(tx: Db, id: string): Promise<CreatedOrMatched> {
    const child = await selectOne<{ localityId: number; locality: string }>(
      tx,
      'SELECT c.locality_id, l.code AS locality FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = $1',
      [id],
    );
    // A retry whose first attempt committed but whose reply was lost must still say "created",
    // or the process would take the record it just made for somebody else's.
    const createdByThisProcess =
      actor.processInstanceId !== null && (await recordedResult(tx, createdKey(actor.processInstanceId, id))) !== null;
    if (!createdByThisProcess) {
      await writeAudit(tx, actor, {
        action: 'child.match',
        entityType: 'child',
        entityId: input.nhsNumber,
        childId: id,
        detail: { matchedBy: 'nhs_number', ...cause },
      });
    }
    // The record keeps its responsible locality: a matched child's locality changes only through a transfer.
    return {
      childId: id,
      created: createdByThisProcess,
      locality: child!.locality,
      localityId: child!.localityId,
      inRegion: routing.inRegion,
      via: routing.via,
    };
  }
}

export interface TransferredChild {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'male' | 'female' | 'indeterminate' | 'unknown';
  address: { lines: string[]; postcode: string };
  gpPracticeOds: string | null;
  safeguardingAlert: SafeguardingAlert;
  localityId: number;
}

/**
 * The record received from another CHIS, in the caller's transaction: created when we hold
 * none (true), else the existing one gets the sender's alert when it has none (false). The
 * caller (records/transfers) audits the creation or match with the transfer.
 */
export async function createOrUpdateFromTransfer(tx: Db, c: TransferredChild): Promise<boolean> {
  // A child sent under a number PDS superseded is the record that carries the current one: no second record.
  const existing = await selectOne<{ id: string; safeguardingAlert: SafeguardingAlert }>(
    tx,
    `SELECT id, safeguarding_alert FROM children WHERE id = ${childIdOfNumberOrSupersededSql('$1')}`,
    [c.nhsNumber],
  );
  if (existing) {
    // The sending CHIS knows of an alert our record lacks: keep the stronger information.
    if (c.safeguardingAlert !== 'none' && existing.safeguardingAlert === 'none') {
      await selectOne(
        tx,
        'UPDATE children SET safeguarding_alert = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1 RETURNING id',
        [existing.id, c.safeguardingAlert],
      );
    }
    return false;
  }
  const [line1, line2, town] = c.address.lines;
  const row = await selectOne<{ id: string }>(
    tx,
    `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, address_line2, town, postcode, locality_id,
       gp_practice_ods, safeguarding_alert)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (nhs_number) DO NOTHING RETURNING id`,
    [
      c.nhsNumber,
      c.givenName,
      c.familyName,
      c.dateOfBirth,
      c.sex,
      line1,
      line2 ?? null,
      town ?? null,
      c.address.postcode.toUpperCase(),
      c.localityId,
      c.gpPracticeOds,
      c.safeguardingAlert,
    ],
  );
  return row !== null;
}
