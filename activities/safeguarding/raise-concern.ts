/**
 * The `safeguardingEscalationRaised` message that starts the safeguarding-escalation process
 * for a concern raised by a caseworker (the API) or a process (`safeguarding.raiseConcern`).
 */
import type { RaisedConcern } from '../../records/concerns/raise';
import type { PublishDeps } from '../engine/publish-message';
import { publishMessage } from '../engine/publish-message';

export const ESCALATION_RAISED_MESSAGE = 'safeguardingEscalationRaised';

/**
 * Starts the escalation process for a concern (correlation key: the child's NHS number). The
 * key `concern-<id>` makes a repeated publish start nothing new.
 */
export function publishConcernRaised(
  deps: PublishDeps,
  c: Pick<RaisedConcern, 'concernId' | 'childId' | 'nhsNumber' | 'reason' | 'severity'>,
  sourceInstanceId = '',
): Promise<{ delivered: number; started: number }> {
  return publishMessage(
    deps,
    {
      name: ESCALATION_RAISED_MESSAGE,
      correlationKey: c.nhsNumber,
      variables: {
        concernId: c.concernId,
        childId: c.childId,
        nhsNumber: c.nhsNumber,
        reason: c.reason,
        severity: c.severity,
      },
      sourceInstanceId,
    },
    `concern-${c.concernId}`,
  );
}
