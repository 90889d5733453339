/**
 * The identity a process is about comes from its business key, as recorded when the instance
 * started (authorised by the API's start contract or by the inbound-event route that published
 * its message), never from a process variable: a variable can be set by whoever starts the
 * process or sends it a message, the business key only by whoever was allowed to start it.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { inboundEventSender } from '../../records/inbound-events';
import { businessKeyOfInstance } from '../../records/process-instances';
import type { Db } from '../../records/sql';
import { currentProcessInstance } from './running-activity';

/** What an audit row needs to name who caused a process's change. */
export interface AuthorisedKey {
  nhsNumber: string;
  /** Username of whoever started the instance through the API (null: a message, a timer, another process). */
  startedBy: string | null;
}

// The instance's first activity can run before the row the workflow mirrors is written (both
// are local activities of one workflow task): wait briefly rather than fail and back off.
const ROW_WAIT_MS = 5_000;
const ROW_POLL_MS = 20;

/**
 * The NHS number of the running activity's process instance. A variable that names another
 * child is refused (non-retryable); outside a process (a direct call by trusted code) the
 * caller's value is used as is.
 */
export async function authorisedNhsNumber(db: Db, activityType: string, claimed: string): Promise<AuthorisedKey> {
  const instanceId = currentProcessInstance();
  if (!instanceId) return { nhsNumber: claimed, startedBy: null };
  const deadline = Date.now() + ROW_WAIT_MS;
  const read = () => businessKeyOfInstance(db, instanceId);
  let row = await read();
  while (!row && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, ROW_POLL_MS));
    row = await read();
  }
  if (!row)
    throw ApplicationFailure.retryable(
      `${activityType}: process instance ${instanceId} is not recorded yet, so its business key is not known`,
      'InstanceNotRecorded',
    );
  if (row.businessKey === null || !/^\d{10}$/.test(row.businessKey))
    throw ApplicationFailure.nonRetryable(
      `${activityType}: the process instance's business key (${row.businessKey ?? 'none'}) is not an NHS number; the child's identity comes only from it`,
      'ValidationError',
    );
  if (claimed !== row.businessKey)
    throw ApplicationFailure.nonRetryable(
      `${activityType}: nhsNumber ${claimed} is not the process instance's business key (${row.businessKey}); the child's identity comes only from the business key`,
      'ValidationError',
    );
  return { nhsNumber: row.businessKey, startedBy: row.startedBy };
}

/** The inbound event that started the process, when the variable names one stored for this child. */
export async function inboundEventOf(
  db: Db,
  eventId: string | undefined,
  nhsNumber: string,
): Promise<{ id: string; receivedBy: string | null } | null> {
  if (!eventId || !/^[0-9a-f-]{36}$/i.test(eventId)) return null;
  return inboundEventSender(db, eventId, nhsNumber);
}
