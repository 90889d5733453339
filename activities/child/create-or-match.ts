/**
 * child.createOrMatchRecord: one record per NHS number, whoever asks and however often.
 * INSERT … ON CONFLICT (nhs_number) DO NOTHING, then the existing row: a retried activity, a
 * repeated notification or a birth notified for a child already known all end on one record.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { CHILD_ACTIVITIES } from '../catalogue/child';
import type { ActivityOutput } from '../catalogue';
import { inTransaction, selectOne, type Db } from '../../db/repositories/sql';
import { auditBySystem, authorisedNhsNumber, inboundEventOf, systemActorOfInstance } from '../support';
import { routeByPostcode } from './locality';

type Input = z.infer<(typeof CHILD_ACTIVITIES)['child.createOrMatchRecord']['input']>;

export async function createOrMatchRecord(
  db: Db,
  claimed: Input,
): Promise<ActivityOutput<'child.createOrMatchRecord'>> {
  const who = await systemActorOfInstance(db);
  // The NHS number is the instance's business key, which its start authorised; a variable naming another child is refused.
  const key = await authorisedNhsNumber(db, 'child.createOrMatchRecord', claimed.nhsNumber);
  const input: Input = { ...claimed, nhsNumber: key.nhsNumber };
  const inboundEvent = await inboundEventOf(db, claimed.inboundEventId, key.nhsNumber);
  const cause = {
    startedBy: key.startedBy,
    inboundEventId: inboundEvent?.id ?? null,
    receivedBy: inboundEvent?.receivedBy ?? null,
  };
  const routing = await routeByPostcode(db, input.address.postcode, input.gpPracticeCode);
  return inTransaction(db, async (tx) => {
    const existing = await selectOne<{ id: string }>(tx, 'SELECT id FROM children WHERE nhs_number = $1', [
      input.nhsNumber,
    ]);
    if (existing) return matched(tx, who, existing.id, input);
    if (routing.localityId === null) {
      throw ApplicationFailure.nonRetryable(
        `child.createOrMatchRecord: postcode ${input.address.postcode} is outside the region and GP practice ${input.gpPracticeCode ?? '(none)'} is not a practice of the region`,
        'OutOfRegionError',
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
    if (!inserted) {
      // Created by a concurrent caller between our read and our insert.
      const row = await selectOne<{ id: string }>(tx, 'SELECT id FROM children WHERE nhs_number = $1', [
        input.nhsNumber,
      ]);
      return matched(tx, who, row!.id, input);
    }
    if (input.mother) {
      await selectOne(
        tx,
        `INSERT INTO contacts (child_id, relationship, name, preferred_method, is_primary) VALUES ($1, 'mother', $2, 'letter', true) RETURNING id`,
        [inserted.id, input.mother.name],
      );
    }
    await auditBySystem(tx, who, {
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

  async function matched(
    tx: Db,
    w: typeof who,
    id: string,
    i: Input,
  ): Promise<ActivityOutput<'child.createOrMatchRecord'>> {
    const child = await selectOne<{ localityId: number; locality: string; postcode: string }>(
      tx,
      'SELECT c.locality_id, l.code AS locality, c.postcode FROM children c JOIN localities l ON l.id = c.locality_id WHERE c.id = $1',
      [id],
    );
    // A retry whose first attempt committed but whose reply was lost must still say "created",
    // or the process would take the record it just made for somebody else's.
    const createdByThisProcess =
      w.processInstanceId !== null &&
      (await selectOne(
        tx,
        `SELECT 1 AS yes FROM audit_events WHERE child_id = $1 AND action = 'child.create' AND detail->>'processInstanceId' = $2 LIMIT 1`,
        [id, w.processInstanceId],
      )) !== null;
    if (!createdByThisProcess) {
      await auditBySystem(tx, w, {
        action: 'child.match',
        entityType: 'child',
        entityId: i.nhsNumber,
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
