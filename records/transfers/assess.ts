/**
 * Where a change of address or of GP takes the child (transfer.assessMove).
 *
 * The responsible locality follows the postcode: a new address outside the region hands the
 * record to the CHIS of that area (the family registers with a GP there). A change of GP for a
 * child whose recorded postcode is outside the region (a child we hold because of their GP)
 * follows the new practice; with neither in the region the child moves out of the region.
 */
import { postcodeDistrict } from '../../db/reference/region';
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import { childFactsById, childFactsByNhsNumber, needsSafeguardingHandover } from '../children/facts';
import type { SafeguardingAlert } from '../children/child-rows';
import { invalid, notFound } from '../errors';
import { localityByCode, localityById, localityOfDistrict, practiceByCode, type LocalityRef } from '../localities';
import type { Db } from '../sql';

export const MOVER_ACTOR = 'system:child-mover';

export interface MoveToAssess {
  childId?: string;
  nhsNumber?: string;
  /** New address (address change); absent for a change of GP. */
  address?: { lines: string[]; postcode: string };
  gpPracticeCode?: string | null;
  previousGpPracticeCode?: string | null;
  previousLocality?: string | null;
}

export interface AssessedMove {
  moveKind: 'none' | 'within_region' | 'out_of_region';
  postcodeDistrict: string | null;
  childId: string;
  nhsNumber: string;
  dateOfBirth: string;
  fromLocality: string;
  toLocality: string | null;
  localityId: number;
  oldGpPracticeCode: string | null;
  safeguardingAlert: SafeguardingAlert;
  openConcerns: number;
  needsSafeguardingHandover: boolean;
  moveReason: 'address-change' | 'gp-change';
}

/** The locality of a postcode's district, or null when the district is outside the region. A malformed postcode is refused. */
export async function localityOfPostcode(
  db: Db,
  postcode: string,
): Promise<{ district: string; locality: LocalityRef | null }> {
  const district = postcodeDistrict(postcode);
  if (!district) throw invalid(`postcode "${postcode}" is not a UK postcode (e.g. B15 2TT)`);
  return { district, locality: await localityOfDistrict(db, district) };
}

export async function assessMove(db: Db, actor: ProcessActor, input: MoveToAssess): Promise<AssessedMove> {
  const child =
    input.childId !== undefined
      ? await childFactsById(db, input.childId)
      : await childFactsByNhsNumber(db, input.nhsNumber!);
  if (!child)
    throw notFound(
      `no child record for ${input.childId !== undefined ? `id ${input.childId}` : `NHS number ${input.nhsNumber}`}`,
    );
  if (input.nhsNumber !== undefined && input.nhsNumber !== child.nhsNumber)
    throw invalid(`child ${child.childId} has NHS number ${child.nhsNumber}, not ${input.nhsNumber}`);

  const from: LocalityRef | null = input.previousLocality
    ? await localityByCode(db, input.previousLocality)
    : await localityById(db, child.localityId);
  if (!from) throw invalid(`previousLocality "${input.previousLocality}" is not a locality of the region`);

  const postcode = input.address?.postcode ?? child.postcode;
  const { district, locality: byPostcode } = await localityOfPostcode(db, postcode);
  let to = byPostcode;
  const gpCode = input.gpPracticeCode ?? child.gpPracticeOds;
  if (!to && !input.address && gpCode) {
    const practice = await practiceByCode(db, gpCode);
    if (practice) to = await localityById(db, practice.localityId);
  }
  const moveKind = to === null ? 'out_of_region' : to.code === from.code ? 'none' : 'within_region';

  await writeAudit(db, actor, {
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
