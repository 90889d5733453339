/** Implementations of the catalogue's safeguarding.* activities (declared in ../catalogue/safeguarding.ts). */
import type { CatalogueActivityMap } from '../catalogue-activities';
import type { CatalogueDeps } from '../deps';
import { SAFEGUARDING_ACTIVITIES } from '../catalogue/safeguarding';
import { selectOne, type Db } from '../../db/repositories/sql';
import { asRunningProcess, auditBySystem, failure, parseInput, processInstanceActivity } from '../support';
import { escalateOverdue, openEscalation, recordAlert, recordDecision } from './escalation-steps';
import { insertConcernOnce, publishConcernRaised } from './raise-concern';
import { assessWasNotBrought } from './was-not-brought';

/** The raising process's key (for the audit actor), or its instance id when it is not mirrored yet. */
async function processKeyOf(db: Db, processInstanceId: string): Promise<string> {
  const row = await selectOne<{ key: string }>(
    db,
    'SELECT d.key FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id WHERE i.id = $1',
    [processInstanceId],
  );
  return row?.key ?? processInstanceId;
}

export { publishConcernRaised, ESCALATION_RAISED_MESSAGE } from './raise-concern';

export function createSafeguardingActivities(
  deps: CatalogueDeps,
): CatalogueActivityMap<keyof typeof SAFEGUARDING_ACTIVITIES> {
  const db = { sequelize: deps.sequelize };
  return {
    'safeguarding.raiseConcern': async (raw) => {
      const input = parseInput(
        'safeguarding.raiseConcern',
        SAFEGUARDING_ACTIVITIES['safeguarding.raiseConcern'].input,
        raw,
      );
      if (!deps.client)
        throw failure(
          'ConfigurationError',
          'safeguarding.raiseConcern: the worker has no Temporal client, so the escalation process cannot be started',
        );
      const { processInstanceId, idempotencyKey } = processInstanceActivity();
      const actor = input.raisedBy ?? `system:${await processKeyOf(db, processInstanceId)}`;
      const concern = await insertConcernOnce(db, {
        childId: input.childId,
        reason: input.reason,
        severity: input.severity,
        source: 'process',
        idempotencyKey,
        actor,
      });
      // After the commit: a retry finds the same concern and publishes again, which starts nothing new.
      const { started } = await publishConcernRaised(
        { sequelize: deps.sequelize, client: deps.client, taskQueue: deps.taskQueue },
        concern,
        processInstanceId,
      );
      if (started > 0) {
        await auditBySystem(db, asRunningProcess(actor), {
          action: 'concern.escalation.start',
          entityType: 'safeguarding_concern',
          entityId: concern.concernId,
          childId: concern.childId,
          detail: { started },
        });
      }
      return { concernId: concern.concernId };
    },
    'safeguarding.assessWasNotBrought': (input) => assessWasNotBrought(db, input),
    'safeguarding.recordAlert': (input) => recordAlert(db, input),
    'safeguarding.openEscalation': (input) => openEscalation(db, input),
    'safeguarding.escalateOverdue': (input) => escalateOverdue(db, input),
    'safeguarding.recordDecision': (input) => recordDecision(db, input),
  };
}
