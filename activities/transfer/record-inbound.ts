/**
 * transfer.recordInbound: a child's record arrives from another CHIS. The child is matched by
 * NHS number or created (never two records), and an inbound transfer is opened for the
 * receiving locality to accept. One transaction; a retry finds the same transfer again.
 */
import { TRANSFER_ACTIVITIES } from '../catalogue/transfer';
import type { ActivityOutput } from '../catalogue';
import type { CatalogueDeps } from '../deps';
import { selectOne, inTransaction, type Db } from '../../db/repositories/sql';
import {
  asRunningProcess,
  auditBySystem,
  authorisedNhsNumber,
  failure,
  parseInput,
  processInstanceActivity,
} from '../support';
import { MOVER_ACTOR } from './assess-move';
import {
  childById,
  childByNhsNumber,
  localityById,
  localityOfPostcode,
  needsSafeguardingHandover,
  practiceByCode,
} from './child-facts';
import { tellSuperseded } from './supersede';
import { insertTransfer, supersedeOpenTransfers, transferOfInstance } from './transfer-rows';

type Output = ActivityOutput<'transfer.recordInbound'>;

export async function recordInbound(deps: CatalogueDeps, raw: unknown): Promise<Output> {
  const db = { sequelize: deps.sequelize };
  const input = parseInput('transfer.recordInbound', TRANSFER_ACTIVITIES['transfer.recordInbound'].input, raw);
  const t = input.transfer;
  const { processInstanceId } = processInstanceActivity();
  // The child is the instance's business key (authorised by the inbound-transfer route), never a variable.
  const { nhsNumber } = await authorisedNhsNumber(db, 'transfer.recordInbound', input.nhsNumber);
  if (t.dateOfBirth > new Date().toISOString().slice(0, 10))
    throw failure('ValidationError', `transfer.recordInbound: transfer.dateOfBirth ${t.dateOfBirth} is in the future`);

  const recorded = await inTransaction(db, async (tx) => {
    const existing = await transferOfInstance(tx, processInstanceId);
    if (existing)
      return {
        out: await facts(tx, existing.id, existing.detail.childCreated === true),
        superseded: (existing.detail.superseded as string[] | undefined) ?? [],
      };

    const practice = t.gpPracticeCode ? await practiceByCode(tx, t.gpPracticeCode) : null;
    const { district, locality: byPostcode } = await localityOfPostcode(tx, t.address.postcode);
    const to = byPostcode ?? (practice ? await localityById(tx, practice.localityId) : null);
    if (!to) {
      throw failure(
        'OutOfRegionError',
        `transfer.recordInbound: postcode district ${district} is outside the region and the child has no GP practice in it; the record belongs to another CHIS`,
      );
    }

    let child = await childByNhsNumber(tx, nhsNumber);
    let created = false;
    if (!child) {
      const [line1, line2, town] = t.address.lines;
      const row = await selectOne<{ id: string }>(
        tx,
        `INSERT INTO children (nhs_number, given_name, family_name, date_of_birth, sex, address_line1, address_line2, town, postcode, locality_id,
           gp_practice_ods, safeguarding_alert)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (nhs_number) DO NOTHING RETURNING id`,
        [
          nhsNumber,
          t.givenName,
          t.familyName,
          t.dateOfBirth,
          t.sex,
          line1,
          line2 ?? null,
          town ?? null,
          t.address.postcode.toUpperCase(),
          to.id,
          practice?.odsCode ?? null,
          t.safeguardingAlert,
        ],
      );
      created = row !== null;
      child = await childByNhsNumber(tx, nhsNumber);
    } else if (t.safeguardingAlert !== 'none' && child.safeguardingAlert === 'none') {
      // The sending CHIS knows of an alert our record lacks: keep the stronger information.
      await tx.sequelize.query(
        'UPDATE children SET safeguarding_alert = $2, updated_at = now(), row_version = row_version + 1 WHERE id = $1',
        {
          bind: [child.childId, t.safeguardingAlert],
          transaction: tx.transaction,
        },
      );
    }
    if (!child) throw new Error(`transfer.recordInbound: the record for ${nhsNumber} vanished`);

    const superseded = await supersedeOpenTransfers(tx, child.childId, processInstanceId);
    const transferId = await insertTransfer(tx, {
      childId: child.childId,
      direction: 'into_region',
      fromLocalityId: null,
      toLocalityId: to.id,
      otherChis: t.fromChis,
      processInstanceId,
      detail: {
        childCreated: created,
        oldGpPracticeCode: null,
        newGpPracticeCode: practice?.odsCode ?? null,
        superseded,
      },
    });
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
      action: created ? 'child.create' : 'child.match',
      entityType: 'child',
      entityId: child.childId,
      childId: child.childId,
      reason: `record received from ${t.fromChis}`,
      detail: { transferId },
    });
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
      action: 'transfer.request',
      entityType: 'transfer',
      entityId: transferId,
      childId: child.childId,
      reason: `inbound from ${t.fromChis}`,
      detail: { direction: 'into_region', toLocality: to.code, otherChis: t.fromChis, superseded },
    });
    return { out: await facts(tx, transferId, created), superseded };
  });
  await tellSuperseded(deps, nhsNumber, recorded.superseded, processInstanceId);
  return recorded.out;
}

async function facts(db: Db, transferId: string, created: boolean): Promise<Output> {
  const row = await selectOne<{ childId: string; toLocalityId: number }>(
    db,
    'SELECT child_id, to_locality_id FROM transfers WHERE id = $1',
    [transferId],
  );
  const child = (await childById(db, row!.childId))!;
  const to = (await localityById(db, row!.toLocalityId))!;
  return {
    transferId,
    moveKind: 'into_region',
    created,
    childId: child.childId,
    nhsNumber: child.nhsNumber,
    dateOfBirth: child.dateOfBirth,
    fromLocality: null,
    toLocality: to.code,
    localityId: to.id,
    oldGpPracticeCode: null,
    safeguardingAlert: child.safeguardingAlert,
    openConcerns: child.openConcerns,
    needsSafeguardingHandover: needsSafeguardingHandover(child),
    moveReason: 'inbound-transfer',
  };
}
