/**
 * Implementations of the catalogue's notify.* activities (declared in ../catalogue/notify.ts):
 * adapters onto mail/notifications.ts, which writes the outbox row and its audit event in one
 * transaction and returns; the outbox relay delivers the row (mail/outbox-relay.ts), so a
 * process never waits for a mail server. The row is keyed by the business step (process
 * instance and BPMN element instance), so a retried activity, and an incident retry that runs
 * the step again as a new activity, find the row of the first attempt: one email, one Message-ID.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { emailGpPractice, remindFamily } from '../../mail/notifications';
import { OutboxInputError } from '../../mail/outbox';
import { TemplateModelError } from '../../mail/templates';
import { processActor } from '../../records/actor';
import { RecordRefusal } from '../../records/errors';
import type { Db } from '../../records/sql';
import type { JobContext } from '../../workflows/contract';
import type { CatalogueActivityMap } from '../catalogue';
import { NOTIFY_ACTIVITIES } from '../catalogue/notify';
import type { CatalogueDeps } from '../deps';
import { activityFailureOf, BAD_INPUT, currentProcessCall, parserFor } from '../support';

/**
 * The outbox key of the running step: `notify:<process instance>/<element instance>` when the
 * engine says which BPMN element instance runs it, the same for every attempt of that step,
 * incident retries included (they schedule a new activity), and different for every other step
 * (a loop or multi-instance makes a new element instance each time). Activities scheduled
 * without it (by workflow code before element instance ids were passed, or called directly)
 * keep the old per-activity key `notify:<workflow>/<run>/<activity id>`, so their retries still
 * find their row. `notify:` keeps the keys apart from other domains' keys in the outbox.
 */
function notifyCall(job: JobContext | undefined): { idempotencyKey: string; actor: string } {
  const { idempotencyKey, actor, processInstanceId } = currentProcessCall();
  const step = typeof job?.elementInstanceId === 'string' && job.elementInstanceId ? job.elementInstanceId : null;
  return { idempotencyKey: step ? `notify:${processInstanceId}/${step}` : `notify:${idempotencyKey}`, actor };
}

/**
 * Bad data that a retry cannot fix becomes a non-retryable ValidationError; a family without the
 * contact details is a NoContactDetailsError, worded as it is; the rest as every activity.
 */
async function asNotify<T>(type: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OutboxInputError || error instanceof TemplateModelError)
      throw ApplicationFailure.nonRetryable(`${type}: ${error.message}`, 'ValidationError');
    if (error instanceof RecordRefusal && error.kind === 'no_contact_details')
      throw ApplicationFailure.nonRetryable(error.message, 'NoContactDetailsError');
    throw activityFailureOf(type, error);
  }
}

export function createNotifyActivities(
  deps: CatalogueDeps,
): Partial<CatalogueActivityMap<keyof typeof NOTIFY_ACTIVITIES>> {
  const db: Db = { sequelize: deps.sequelize };
  const parse = parserFor(NOTIFY_ACTIVITIES, BAD_INPUT);
  // Notification audit rows carry no process instance in their detail (never have).
  const actorOf = (call: { actor: string }) => processActor(call.actor);
  return {
    'notify.emailGpPractice': async (raw, job) => {
      const type = 'notify.emailGpPractice';
      const input = parse(type, raw);
      const call = notifyCall(job);
      const { enqueued, gpPracticeCode, recipient } = await asNotify(type, () =>
        emailGpPractice(db, actorOf(call), { idempotencyKey: call.idempotencyKey, ...input }),
      );
      if (enqueued.created) deps.wakeOutboxRelay?.();
      Context.current().log.info(
        `${type}: ${input.template} for child ${input.childId} to practice ${gpPracticeCode} is in the outbox`,
        { notificationId: enqueued.id, created: enqueued.created },
      );
      return { notificationId: enqueued.id, messageId: enqueued.messageId, recipient };
    },

    'notify.remindFamily': async (raw, job) => {
      const type = 'notify.remindFamily';
      const input = parse(type, raw);
      const call = notifyCall(job);
      const { enqueued, channel } = await asNotify(type, () =>
        remindFamily(db, actorOf(call), { idempotencyKey: call.idempotencyKey, ...input }),
      );
      if (enqueued.created) deps.wakeOutboxRelay?.();
      return { sentVia: channel, notificationId: enqueued.id };
    },
  };
}
