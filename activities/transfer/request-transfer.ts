/** transfer.request: the transfer record of this process instance (a retry finds it again). */
import { TRANSFER_ACTIVITIES } from '../catalogue/transfer';
import type { ActivityOutput } from '../catalogue';
import type { CatalogueDeps } from '../deps';
import { inTransaction } from '../../db/repositories/sql';
import { asRunningProcess, auditBySystem, failure, parseInput, processInstanceActivity } from '../support';
import { MOVER_ACTOR } from './assess-move';
import { childById, localityByCode } from './child-facts';
import { tellSuperseded } from './supersede';
import { insertTransfer, supersedeOpenTransfers, transferOfInstance } from './transfer-rows';

export async function requestTransfer(deps: CatalogueDeps, raw: unknown): Promise<ActivityOutput<'transfer.request'>> {
  const input = parseInput('transfer.request', TRANSFER_ACTIVITIES['transfer.request'].input, raw);
  const { processInstanceId } = processInstanceActivity();
  const db = { sequelize: deps.sequelize };
  const opened = await inTransaction(db, async (tx) => {
    const existing = await transferOfInstance(tx, processInstanceId);
    if (existing) {
      const nhs = (await childById(tx, existing.childId))!.nhsNumber;
      return {
        transferId: existing.id,
        otherChis: existing.otherChis,
        superseded: (existing.detail.superseded as string[] | undefined) ?? [],
        nhsNumber: nhs,
      };
    }

    const child = await childById(tx, input.childId, true);
    if (!child) throw failure('NotFoundError', `transfer.request: no child record ${input.childId}`);
    const from = await localityByCode(tx, input.fromLocality);
    if (!from)
      throw failure(
        'ValidationError',
        `transfer.request: fromLocality "${input.fromLocality}" is not a locality of the region`,
      );
    let toId: number | null = null;
    let otherChis: string | null = null;
    if (input.moveKind === 'within_region') {
      if (!input.toLocality)
        throw failure('ValidationError', 'transfer.request: toLocality is required for a move within the region');
      const to = await localityByCode(tx, input.toLocality);
      if (!to)
        throw failure(
          'ValidationError',
          `transfer.request: toLocality "${input.toLocality}" is not a locality of the region`,
        );
      if (to.id === from.id)
        throw failure(
          'ValidationError',
          `transfer.request: the child already lives in ${to.code}; there is nothing to transfer`,
        );
      toId = to.id;
    } else {
      // The receiving CHIS is confirmed by the records team when they send the record.
      otherChis = `CHIS covering postcode district ${input.postcodeDistrict ?? 'unknown'}`;
    }
    const superseded = await supersedeOpenTransfers(tx, child.childId, processInstanceId);
    const transferId = await insertTransfer(tx, {
      childId: child.childId,
      direction: input.moveKind,
      fromLocalityId: from.id,
      toLocalityId: toId,
      otherChis,
      processInstanceId,
      detail: {
        oldGpPracticeCode: input.oldGpPracticeCode ?? child.gpPracticeOds,
        newGpPracticeCode: input.gpPracticeCode ?? null,
        superseded,
      },
    });
    await auditBySystem(tx, asRunningProcess(MOVER_ACTOR), {
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
  // After the commit (a retry repeats it): the superseded instances stop waiting for their tasks.
  await tellSuperseded(deps, opened.nhsNumber, opened.superseded, processInstanceId);
  return { transferId: opened.transferId, otherChis: opened.otherChis };
}
