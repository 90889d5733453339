/**
 * Opening a transfer: a move within or out of the region (transfer.request), or a record
 * received from another CHIS (transfer.recordInbound). One row per process instance, so a retry
 * finds it again; the child's other transfers in flight are superseded (cancelled) in the same
 * transaction and their ids returned, for the caller to tell their processes.
 */
import type { ProcessActor } from '../actor';
import { writeAudit } from '../audit';
import type { SafeguardingAlert } from '../children/child-rows';
import { childFactsById, childFactsByNhsNumber, needsSafeguardingHandover } from '../children/facts';
import { createOrUpdateFromTransfer } from '../children/register';
import { invalid, notFound, RecordRefusal } from '../errors';
import { localityByCode, localityById, practiceByCode } from '../localities';
import { inTransaction, type Db } from '../sql';
import { localityOfPostcode } from './assess';
import { insertTransfer, supersedeOpenTransfers, transferById, transferOfInstance } from './rows';

type RunningProcess = ProcessActor & { processInstanceId: string };

export interface MoveToRequest {
  childId: string;
  moveKind: 'within_region' | 'out_of_region';
  fromLocality: string;
  toLocality?: string | null;
  postcodeDistrict?: string | null;
  oldGpPracticeCode?: string | null;
  gpPracticeCode?: string | null;
}

export interface OpenedTransfer {
  transferId: string;
  otherChis: string | null;
  /** The child's NHS number: the correlation key for telling the superseded processes. */
  nhsNumber: string;
  /** Transfers this one cancelled (their processes are to be told). */
  superseded: string[];
}

export async function requestTransfer(db: Db, actor: RunningProcess, input: MoveToRequest): Promise<OpenedTransfer> {
  return inTransaction(db, async (tx) => {
    const existing = await transferOfInstance(tx, actor.processInstanceId);
    if (existing) {
      const nhs = (await childFactsById(tx, existing.childId))!.nhsNumber;
      return {
        transferId: existing.id,
        otherChis: existing.otherChis,
        superseded: (existing.detail.superseded as string[] | undefined) ?? [],
        nhsNumber: nhs,
      };
    }
    const child = await childFactsById(tx, input.childId, true);
    if (!child) throw notFound(`no child record ${input.childId}`);
    const from = await localityByCode(tx, input.fromLocality);
    if (!from) throw invalid(`fromLocality "${input.fromLocality}" is not a locality of the region`);
    let toId: number | null = null;
    let otherChis: string | null = null;
    if (input.moveKind === 'within_region') {
      if (!input.toLocality) throw invalid('toLocality is required for a move within the region');
      const to = await localityByCode(tx, input.toLocality);
      if (!to) throw invalid(`toLocality "${input.toLocality}" is not a locality of the region`);
      if (to.id === from.id) throw invalid(`the child already lives in ${to.code}; there is nothing to transfer`);
      toId = to.id;
    } else {
      // The receiving CHIS is confirmed by the records team when they send the record.
      otherChis = `CHIS covering postcode district ${input.postcodeDistrict ?? 'unknown'}`;
    }
    const superseded = await supersedeOpenTransfers(tx, child.childId, actor.processInstanceId);
    const transferId = await insertTransfer(tx, {
      childId: child.childId,
      direction: input.moveKind,
      fromLocalityId: from.id,
      toLocalityId: toId,
      otherChis,
      processInstanceId: actor.processInstanceId,
      detail: {
        oldGpPracticeCode: input.oldGpPracticeCode ?? child.gpPracticeOds,
        newGpPracticeCode: input.gpPracticeCode ?? null,
        superseded,
      },
    });
    await writeAudit(tx, actor, {
      action: 'transfer.request',
      entityType: 'transfer',
      entityId: transferId,
      childId: child.childId,
      reason:
        input.moveKind === 'within_region' ? `move from ${from.code} to ${input.toLocality}` : 'move out of the region',
      detail: {
        direction: input.moveKind,
        fromLocality: from.code,
        toLocality: input.toLocality ?? null,
        otherChis,
        superseded,
      },
    });
    return { transferId, otherChis, superseded, nhsNumber: child.nhsNumber };
  });
}

export interface InboundRecord {
  nhsNumber: string;
  fromChis: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'male' | 'female' | 'indeterminate' | 'unknown';
  address: { lines: string[]; postcode: string };
  gpPracticeCode?: string | null;
  safeguardingAlert: SafeguardingAlert;
}

export interface InboundTransfer {
  transferId: string;
  moveKind: 'into_region';
  created: boolean;
  childId: string;
  nhsNumber: string;
  dateOfBirth: string;
  fromLocality: null;
  toLocality: string;
  localityId: number;
  oldGpPracticeCode: null;
  safeguardingAlert: SafeguardingAlert;
  openConcerns: number;
  needsSafeguardingHandover: boolean;
  moveReason: 'inbound-transfer';
}

/**
 * A child's record arrives from another CHIS: matched by NHS number or created (never two
 * records), and an inbound transfer opened for the receiving locality to accept.
 */
export async function recordInboundTransfer(
  db: Db,
  actor: RunningProcess,
  t: InboundRecord,
  today: string,
): Promise<{ transfer: InboundTransfer; superseded: string[] }> {
  if (t.dateOfBirth > today) throw invalid(`transfer.dateOfBirth ${t.dateOfBirth} is in the future`);
  return inTransaction(db, async (tx) => {
    const existing = await transferOfInstance(tx, actor.processInstanceId);
    if (existing)
      return {
        transfer: await inboundFacts(tx, existing.id, existing.detail.childCreated === true),
        superseded: (existing.detail.superseded as string[] | undefined) ?? [],
      };

    const practice = t.gpPracticeCode ? await practiceByCode(tx, t.gpPracticeCode) : null;
    const { district, locality: byPostcode } = await localityOfPostcode(tx, t.address.postcode);
    const to = byPostcode ?? (practice ? await localityById(tx, practice.localityId) : null);
    if (!to) {
      throw new RecordRefusal(
        'out_of_region',
        `postcode district ${district} is outside the region and the child has no GP practice in it; the record belongs to another CHIS`,
      );
    }
    const created = await createOrUpdateFromTransfer(tx, {
      nhsNumber: t.nhsNumber,
      givenName: t.givenName,
      familyName: t.familyName,
      dateOfBirth: t.dateOfBirth,
      sex: t.sex,
      address: t.address,
      gpPracticeOds: practice?.odsCode ?? null,
      safeguardingAlert: t.safeguardingAlert,
      localityId: to.id,
    });
    const child = await childFactsByNhsNumber(tx, t.nhsNumber);
    if (!child) throw new Error(`the record for ${t.nhsNumber} vanished`);

    const superseded = await supersedeOpenTransfers(tx, child.childId, actor.processInstanceId);
    const transferId = await insertTransfer(tx, {
      childId: child.childId,
      direction: 'into_region',
      fromLocalityId: null,
      toLocalityId: to.id,
      otherChis: t.fromChis,
      processInstanceId: actor.processInstanceId,
      detail: {
        childCreated: created,
        oldGpPracticeCode: null,
        newGpPracticeCode: practice?.odsCode ?? null,
        superseded,
      },
    });
    await writeAudit(tx, actor, {
      action: created ? 'child.create' : 'child.match',
      entityType: 'child',
      entityId: child.childId,
      childId: child.childId,
      reason: `record received from ${t.fromChis}`,
      detail: { transferId },
    });
    await writeAudit(tx, actor, {
      action: 'transfer.request',
      entityType: 'transfer',
      entityId: transferId,
      childId: child.childId,
      reason: `inbound from ${t.fromChis}`,
      detail: { direction: 'into_region', toLocality: to.code, otherChis: t.fromChis, superseded },
    });
    return { transfer: await inboundFacts(tx, transferId, created), superseded };
  });
}

async function inboundFacts(db: Db, transferId: string, created: boolean): Promise<InboundTransfer> {
  const row = (await transferById(db, transferId))!;
  const child = (await childFactsById(db, row.childId))!;
  const to = (await localityById(db, row.toLocalityId!))!;
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
