/** Implementations of the catalogue's transfer.* activities (declared in ../catalogue/transfer.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import type { TRANSFER_ACTIVITIES } from '../catalogue/transfer';
import { assessMove } from './assess-move';
import { changeResponsibleLocality, completeOutbound } from './complete-transfer';
import { recordInbound } from './record-inbound';
import { requestTransfer } from './request-transfer';
import { decideTransfer, escalateTransfer, recordHandover, remindTransfer } from './transfer-steps';

export function createTransferActivities(deps: CatalogueDeps): CatalogueActivityMap<keyof typeof TRANSFER_ACTIVITIES> {
  const db = { sequelize: deps.sequelize };
  return {
    'transfer.assessMove': (input) => assessMove(db, input),
    'transfer.request': (input) => requestTransfer(deps, input),
    'transfer.recordInbound': (input) => recordInbound(deps, input),
    'transfer.decide': (input) => decideTransfer(db, input),
    'transfer.remind': (input) => remindTransfer(db, input),
    'transfer.escalate': (input) => escalateTransfer(db, input),
    'transfer.recordHandover': (input) => recordHandover(db, input),
    'transfer.changeResponsibleLocality': (input) => changeResponsibleLocality(db, input),
    'transfer.completeOutbound': (input) => completeOutbound(db, input),
  };
}
