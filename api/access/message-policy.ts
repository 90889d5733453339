/**
 * Who may publish which BPMN message through the API (POST /api/messages, and a message to one
 * instance). A message is part of a declared contract, like a start (./start-policy.ts):
 * - a message this system publishes itself, with its own validation and record changes (an
 *   inbound event, a raised concern, a superseded transfer), comes only from there: publishing
 *   it by hand would change a child's processes without the record change it stands for;
 * - a message that starts a process (a message start event of a deployed definition's latest
 *   version) is an event from another system: integration accounts only, with the variables
 *   that start event's form declares (administrators for a process with a timer start);
 * - any other message is an operational correction (service managers, administrators) and
 *   must be one that a deployed process waits for;
 * - nobody sets a key-derived variable (`nhsNumber`, `childId`) through a message.
 */
import type { CompiledGraph } from '../../bpmn/graph';
import { MANDATED_CONTACTS } from '../../schedule/contacts';
import type { Role } from '../../records/staff';
import { ApiError } from '../api-error';

/** Messages this system publishes itself, and where from. */
export const SYSTEM_MESSAGES: Readonly<Record<string, string>> = {
  birthNotified: 'POST /api/events/birth-notifications',
  childAddressChanged: 'POST /api/events/address-changes',
  childGpChanged: 'POST /api/events/gp-changes',
  inboundTransferReceived: 'POST /api/events/inbound-transfers',
  immunisationGiven: 'POST /api/events/immunisations',
  bloodSpotOutcomeRecorded: 'POST /api/events/screening-outcomes',
  hearingOutcomeRecorded: 'POST /api/events/screening-outcomes',
  nipeOutcomeRecorded: 'POST /api/events/screening-outcomes',
  appointmentAttended: 'POST /api/events/appointment-outcomes',
  appointmentWasNotBrought: 'POST /api/events/appointment-outcomes',
  ...Object.fromEntries(MANDATED_CONTACTS.map((c) => [c.recordedMessage, 'POST /api/events/appointment-outcomes'])),
  newBirthRegistered: 'the new-birth-registration process (it starts child-health-reviews)',
  childProtectionAlertReceived: 'POST /api/events/child-protection-alerts',
  childDied: 'POST /api/events/death-notifications',
  safeguardingEscalationRaised: 'POST /api/children/{nhsNumber}/concerns (or a process raising a concern)',
  transferSuperseded: 'the child-mover process (a newer transfer of the same child)',
};

/** Where a message this system publishes itself comes from; null for any other message. */
export function systemPublisherOf(name: string): string | null {
  return Object.hasOwn(SYSTEM_MESSAGES, name) ? SYSTEM_MESSAGES[name] : null;
}

/** Roles that may send a message that starts no process (an operational correction). */
export const CORRECTION_ROLES: readonly Role[] = ['service_manager', 'administrator'];

/** 403 when the message is one this system publishes itself (for every role). */
export function mustNotBeSystemMessage(name: string, role: Role): void {
  const publisher = systemPublisherOf(name);
  if (publisher)
    throw ApiError.forbidden(`Your role (${role}) may not publish ${name}: it comes only from ${publisher}`);
}

/** 422 unless the instance's process can wait for a message of this name. */
export function mustBeAwaitedBy(graph: CompiledGraph, name: string): void {
  if (graph.messageNames.includes(name)) return;
  const message = `process ${graph.processId} never waits for a message ${name} (it waits for: ${graph.messageNames.join(', ') || 'none'})`;
  throw ApiError.unprocessable(`The message cannot reach this instance: ${message}`, [{ field: 'body.name', message }]);
}
