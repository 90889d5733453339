/**
 * Implementations of the catalogue's safeguarding.* activities (declared in ../catalogue/safeguarding.ts):
 * adapters onto records/concerns (parse the input, name the actor, translate refusals).
 */
import { processActor } from '../../records/actor';
import {
  escalateOverdueConcern,
  openEscalation,
  recordChildProtectionAlert,
  recordConcernDecision,
} from '../../records/concerns/escalation';
import { raiseConcern } from '../../records/concerns/raise';
import { processKeyOfInstance } from '../../records/process-instances';
import type { CatalogueActivityMap } from '../catalogue';
import { SAFEGUARDING_ACTIVITIES } from '../catalogue/safeguarding';
import type { CatalogueDeps } from '../deps';
import { asActivity, asRunningProcess, auditBySystem, failure, parserFor, processInstanceActivity } from '../support';
import { processOutbox } from '../../engine-client/process-outbox';
import { assessWasNotBrought } from './was-not-brought';

export const ESCALATION_ACTOR = 'system:safeguarding-escalation';

export function createSafeguardingActivities(
  deps: CatalogueDeps,
): CatalogueActivityMap<keyof typeof SAFEGUARDING_ACTIVITIES> {
  const db = { sequelize: deps.sequelize };
  const parse = parserFor(SAFEGUARDING_ACTIVITIES);
  /** The escalation process's own steps: its instance is the one running the activity. */
  const escalationActor = () => ({ ...processActor(ESCALATION_ACTOR), ...processInstanceActivity() });
  return {
    'safeguarding.raiseConcern': async (raw) => {
      const type = 'safeguarding.raiseConcern';
      const input = parse(type, raw);
      if (!deps.client)
        throw failure(
          'ConfigurationError',
          `${type}: the worker has no Temporal client, so the escalation process cannot be started`,
        );
      const { processInstanceId, idempotencyKey } = processInstanceActivity();
      // The raising process's key names the actor; its instance id while the mirror row is not written yet.
      const name =
        input.raisedBy ?? `system:${(await processKeyOfInstance(db, processInstanceId)) ?? processInstanceId}`;
      const actor = processActor(name, processInstanceId);
      const concern = await asActivity(type, () =>
        raiseConcern(db, actor, {
          childId: input.childId,
          summary: input.reason,
          severity: input.severity,
          source: 'process',
          idempotencyKey,
          escalateFrom: { processInstanceId },
        }),
      );
      // After the commit: a retry finds the same concern and its outbox row, delivered at most once.
      const outbox = deps.outbox ?? processOutbox(db, { client: deps.client, taskQueue: deps.taskQueue });
      const outcome = await outbox.deliver(concern.escalation!);
      if (outcome.status === 'failed')
        throw new Error(`${type}: the escalation could not be started yet (${outcome.error}); it will be retried`);
      if (outcome.status === 'delivered' && outcome.result.started > 0) {
        await auditBySystem(db, actor, {
          action: 'concern.escalation.start',
          entityType: 'safeguarding_concern',
          entityId: concern.concernId,
          childId: concern.childId,
          detail: { started: outcome.result.started },
        });
      }
      return { concernId: concern.concernId };
    },
    'safeguarding.assessWasNotBrought': (input) => assessWasNotBrought(db, input),
    'safeguarding.recordAlert': async (raw) => {
      const type = 'safeguarding.recordAlert';
      const input = parse(type, raw);
      const { idempotencyKey } = processInstanceActivity();
      return asActivity(type, () =>
        recordChildProtectionAlert(
          db,
          asRunningProcess(ESCALATION_ACTOR),
          { nhsNumber: input.nhsNumber, childId: input.childId, ...input.alert },
          idempotencyKey,
        ),
      );
    },
    'safeguarding.openEscalation': async (raw) => {
      const type = 'safeguarding.openEscalation';
      const input = parse(type, raw);
      return asActivity(type, () => openEscalation(db, asRunningProcess(ESCALATION_ACTOR), input.concernId));
    },
    'safeguarding.escalateOverdue': async (raw) => {
      const type = 'safeguarding.escalateOverdue';
      const input = parse(type, raw);
      return asActivity(type, () => escalateOverdueConcern(db, escalationActor(), input.concernId, input.escalateTo));
    },
    'safeguarding.recordDecision': async (raw) => {
      const type = 'safeguarding.recordDecision';
      const input = parse(type, raw);
      return asActivity(type, () => recordConcernDecision(db, escalationActor(), input));
    },
  };
}
