/**
 * transfer.assessMove: where a change of address or of GP takes the child.
 *
 * The responsible locality follows the postcode: a new address outside the region hands the
 * record to the CHIS of that area (the family registers with a GP there). A change of GP for a
 * child whose recorded postcode is outside the region (a child we hold because of their GP)
 * follows the new practice; with neither in the region the child moves out of the region.
 */
import { TRANSFER_ACTIVITIES } from '../catalogue/transfer';
import type { ActivityOutput } from '../catalogue';
import type { Db } from '../../db/repositories/sql';
import { asRunningProcess, auditBySystem, failure, parseInput } from '../support';
import {
  childById,
  childByNhsNumber,
  localityById,
  localityByCode,
  localityOfPostcode,
  needsSafeguardingHandover,
  practiceByCode,
  type LocalityRef,
} from './child-facts';

export const MOVER_ACTOR = 'system:child-mover';

export async function assessMove(db: Db, raw: unknown): Promise<ActivityOutput<'transfer.assessMove'>> {
  const input = parseInput('transfer.assessMove', TRANSFER_ACTIVITIES['transfer.assessMove'].input, raw);
  const child =
    input.childId !== undefined ? await childById(db, input.childId) : await childByNhsNumber(db, input.nhsNumber!);
  if (!child)
    throw failure(
      'NotFoundError',
      `transfer.assessMove: no child record for ${input.childId !== undefined ? `id ${input.childId}` : `NHS number ${input.nhsNumber}`}`,
    );
  if (input.nhsNumber !== undefined && input.nhsNumber !== child.nhsNumber) {
    throw failure(
      'ValidationError',
      `transfer.assessMove: child ${child.childId} has NHS number ${child.nhsNumber}, not ${input.nhsNumber}`,
    );
  }

  const from: LocalityRef | null = input.previousLocality
    ? await localityByCode(db, input.previousLocality)
    : await localityById(db, child.localityId);
  if (!from)
    throw failure(
      'ValidationError',
      `transfer.assessMove: previousLocality "${input.previousLocality}" is not a locality of the region`,
    );

  const postcode = input.address?.postcode ?? child.postcode;
  const { district, locality: byPostcode } = await localityOfPostcode(db, postcode);
  let to = byPostcode;
  const gpCode = input.gpPracticeCode ?? child.gpPracticeOds;
  if (!to && !input.address && gpCode) {
    const practice = await practiceByCode(db, gpCode);
    if (practice) to = await localityById(db, practice.localityId);
  }
  const moveKind = to === null ? 'out_of_region' : to.code === from.code ? 'none' : 'within_region';

  await auditBySystem(db, asRunningProcess(MOVER_ACTOR), {
    action: 'transfer.assess',
    entityType: 'child',
    entityId: child.childId,
    childId: child.childId,
    reason: input.address ? 'change of address' : 'change of GP',
    detail: { moveKind, fromLocality: from.code, toLocality: to?.code ?? null, postcodeDistrict: district },
  });
  return {
    moveKind,
    postcodeDistrict: district,
    childId: child.childId,
    nhsNumber: child.nhsNumber,
    dateOfBirth: child.dateOfBirth,
    fromLocality: from.code,
    toLocality: to?.code ?? null,
    // Tasks of the process belong to the receiving locality (the sending one when leaving the region).
    localityId: to?.id ?? from.id,
    oldGpPracticeCode: input.previousGpPracticeCode ?? child.gpPracticeOds,
    safeguardingAlert: child.safeguardingAlert,
    openConcerns: child.openConcerns,
    needsSafeguardingHandover: needsSafeguardingHandover(child),
    moveReason: input.address ? 'address-change' : 'gp-change',
  };
}
