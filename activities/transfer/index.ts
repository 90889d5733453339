/**
 * Implementations of the catalogue's transfer.* activities (declared in ../catalogue/transfer.ts):
 * adapters onto records/transfers (parse the input, name the actor, translate refusals), plus
 * telling superseded instances through the engine.
 */
import { enqueueGpPracticeEmail } from '../../mail/outbox';
import { assessMove, MOVER_ACTOR } from '../../records/transfers/assess';
import { changeResponsibleLocality, completeOutbound } from '../../records/transfers/complete';
import { recordInboundTransfer, requestTransfer } from '../../records/transfers/open';
import { decideTransfer, escalateTransfer, recordHandover, remindTransfer } from '../../records/transfers/steps';
import type { CatalogueActivityMap } from '../catalogue';
import { TRANSFER_ACTIVITIES } from '../catalogue/transfer';
import type { CatalogueDeps } from '../deps';
import { asActivity, asRunningProcess, authorisedNhsNumber, parserFor, processInstanceActivity } from '../support';
import { tellSuperseded } from './supersede';

type TransferType = keyof typeof TRANSFER_ACTIVITIES;

export function createTransferActivities(deps: CatalogueDeps): CatalogueActivityMap<TransferType> {
  const db = { sequelize: deps.sequelize };
  const parse = parserFor(TRANSFER_ACTIVITIES);
  const mover = () => asRunningProcess(MOVER_ACTOR);
  /** Steps on the instance's own tasks and rows: the instance is the one running the activity. */
  const moverInstance = () => ({ ...mover(), processInstanceId: processInstanceActivity().processInstanceId });
  return {
    'transfer.assessMove': async (raw) => {
      const input = parse('transfer.assessMove', raw);
      return asActivity('transfer.assessMove', () => assessMove(db, mover(), input));
    },
    'transfer.request': async (raw) => {
      const input = parse('transfer.request', raw);
      const actor = moverInstance();
      const opened = await asActivity('transfer.request', () => requestTransfer(db, actor, input));
      // After the commit (a retry repeats it): the superseded instances stop waiting for their tasks.
      await tellSuperseded(deps, opened.nhsNumber, opened.superseded, actor.processInstanceId);
      return { transferId: opened.transferId, otherChis: opened.otherChis };
    },
    'transfer.recordInbound': async (raw) => {
      const input = parse('transfer.recordInbound', raw);
      const actor = moverInstance();
      // The child is the instance's business key (authorised by the inbound-transfer route), never a variable.
      const { nhsNumber } = await authorisedNhsNumber(db, 'transfer.recordInbound', input.nhsNumber);
      const today = new Date().toISOString().slice(0, 10);
      const recorded = await asActivity('transfer.recordInbound', () =>
        recordInboundTransfer(db, actor, { nhsNumber, ...input.transfer }, today),
      );
      await tellSuperseded(deps, nhsNumber, recorded.superseded, actor.processInstanceId);
      return recorded.transfer;
    },
    'transfer.decide': async (raw) => {
      const input = parse('transfer.decide', raw);
      return asActivity('transfer.decide', () => decideTransfer(db, mover(), input));
    },
    'transfer.remind': async (raw) => {
      const input = parse('transfer.remind', raw);
      return asActivity('transfer.remind', () => remindTransfer(db, moverInstance(), input.transferId));
    },
    'transfer.escalate': async (raw) => {
      const input = parse('transfer.escalate', raw);
      return asActivity('transfer.escalate', () => escalateTransfer(db, moverInstance(), input));
    },
    'transfer.recordHandover': async (raw) => {
      const input = parse('transfer.recordHandover', raw);
      return asActivity('transfer.recordHandover', () => recordHandover(db, mover(), input));
    },
    'transfer.changeResponsibleLocality': async (raw) => {
      const input = parse('transfer.changeResponsibleLocality', raw);
      return asActivity('transfer.changeResponsibleLocality', () =>
        changeResponsibleLocality(db, mover(), input, enqueueGpPracticeEmail),
      );
    },
    'transfer.completeOutbound': async (raw) => {
      const input = parse('transfer.completeOutbound', raw);
      return asActivity('transfer.completeOutbound', () =>
        completeOutbound(db, mover(), input, enqueueGpPracticeEmail),
      );
    },
  };
}
