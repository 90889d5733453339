/**
 * Implementations of the catalogue's notify.* activities (declared in ../catalogue/notify.ts).
 *
 * Each writes its outbox row and an audit event in one transaction and returns: the outbox
 * relay delivers the row (mail/outbox-relay.ts), so a process never waits for a mail server.
 * The row is keyed by the business step (process instance and BPMN element instance), so a
 * retried activity, and an incident retry that runs the step again as a new activity, find the
 * row of the first attempt: one email, one Message-ID.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  enqueueGpPracticeEmail,
  enqueueMessage,
  initialsOf,
  OutboxInputError,
  type Channel,
  type Enqueued,
} from '../../db/repositories/outbox';
import { inTransaction, selectOne, type Db } from '../../db/repositories/sql';
import { TemplateModelError } from '../../mail/templates';
import type { JobContext } from '../../workflows/messages';
import type { CatalogueActivityMap } from '../catalogue-activities';
import { NOTIFY_ACTIVITIES } from '../catalogue/notify';
import type { CatalogueDeps } from '../deps';
import { bpmnError } from '../engine/bpmn-error';
import { auditBySystem, BAD_INPUT, currentProcessCall, parseInput } from '../support';

/**
 * The outbox key of the running step: `notify:<process instance>/<element instance>` when the
 * engine says which BPMN element instance runs it, the same for every attempt of that step,
 * incident retries included (they schedule a new activity), and different for every other step
 * (a loop or multi-instance makes a new element instance each time). Activities scheduled
 * without it (by workflow code before element instance ids were passed, or called directly)
 * keep the old per-activity key `notify:<workflow>/<run>/<activity id>`, so their retries still
 * find their row. `notify:` keeps the keys apart from other domains' keys in the outbox.
 */
export function notifyCall(job: JobContext | undefined): { idempotencyKey: string; actor: string } {
  const { idempotencyKey, actor, processInstanceId } = currentProcessCall();
  const step = typeof job?.elementInstanceId === 'string' && job.elementInstanceId ? job.elementInstanceId : null;
  return { idempotencyKey: step ? `notify:${processInstanceId}/${step}` : `notify:${idempotencyKey}`, actor };
}

/** Bad data that a retry cannot fix becomes a non-retryable ValidationError. */
async function rejectingBadInput<T>(type: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OutboxInputError || error instanceof TemplateModelError) {
      throw ApplicationFailure.nonRetryable(`${type}: ${error.message}`, 'ValidationError');
    }
    throw error;
  }
}

async function auditEnqueued(
  tx: Db,
  actor: string,
  enqueued: Enqueued,
  childId: string,
  detail: Record<string, unknown>,
): Promise<void> {
  if (!enqueued.created) return; // a retry: the first attempt audited it
  // Notification rows carry no process instance in their detail (never have).
  await auditBySystem(
    tx,
    { actor, processInstanceId: null },
    {
      action: 'notification.enqueued',
      entityType: 'notification',
      entityId: enqueued.id,
      childId,
      detail: { ...detail, messageId: enqueued.messageId },
    },
  );
}

/** BPMN error code for a reminder withheld because the child's record is no longer active. */
export const CHILD_INACTIVE = 'CHILD_INACTIVE';

/**
 * A family is never reminded about a child whose record is no longer active: a reminder about
 * a child who has died does real harm, and one who moved out of the region is another CHIS's to
 * follow up. The withholding is audited; the BPMN error lets the process close its follow-up.
 */
async function refuseInactiveChild(db: Db, actor: string, childId: string, reminder: string): Promise<void> {
  const child = await selectOne<{ status: string }>(db, 'SELECT status FROM children WHERE id = $1', [childId]);
  if (!child || child.status === 'active') return; // a missing record is reported by the lookup that follows
  await auditBySystem(
    db,
    { actor, processInstanceId: null },
    {
      action: 'notification.withheld',
      entityType: 'child',
      entityId: childId,
      childId,
      reason: `child record is ${child.status}`,
      detail: { template: 'family-reminder', reminder },
    },
  );
  throw bpmnError(
    CHILD_INACTIVE,
    `notify.remindFamily: child ${childId} is recorded as ${child.status}; no reminder sent`,
  );
}

interface FamilyContact {
  name: string;
  email: string | null;
  phone: string | null;
  preferredMethod: 'email' | 'sms' | 'letter' | 'phone';
  addressLine1: string;
  addressLine2: string | null;
  town: string | null;
  postcode: string;
  givenName: string;
  familyName: string;
}

/** The channel for a reminder: the override if the contact can take it, else their preference. */
function channelFor(contact: FamilyContact, override: Channel | undefined): Channel {
  const wanted: Channel = override ?? (contact.preferredMethod === 'phone' ? 'sms' : contact.preferredMethod);
  if (wanted === 'email' && !contact.email)
    throw ApplicationFailure.nonRetryable('the family contact has no email address', 'NoContactDetailsError');
  if (wanted === 'sms' && !contact.phone)
    throw ApplicationFailure.nonRetryable('the family contact has no phone number', 'NoContactDetailsError');
  return wanted;
}

function recipientFor(contact: FamilyContact, channel: Channel): string {
  if (channel === 'email') return contact.email!;
  if (channel === 'sms') return contact.phone!;
  return [contact.name, contact.addressLine1, contact.addressLine2, contact.town, contact.postcode]
    .filter(Boolean)
    .join(', ');
}

export function createNotifyActivities(
  deps: CatalogueDeps,
): Partial<CatalogueActivityMap<keyof typeof NOTIFY_ACTIVITIES>> {
  const db: Db = { sequelize: deps.sequelize };
  return {
    'notify.emailGpPractice': async (raw, job) => {
      const type = 'notify.emailGpPractice';
      const input = parseInput(type, NOTIFY_ACTIVITIES[type].input, raw, BAD_INPUT);
      const call = notifyCall(job);
      const { enqueued, gpPracticeCode } = await rejectingBadInput(type, () =>
        inTransaction(db, async (tx) => {
          let code = input.gpPracticeCode;
          if (!code) {
            const child = await selectOne<{ gpPracticeOds: string | null }>(
              tx,
              'SELECT gp_practice_ods FROM children WHERE id = $1',
              [input.childId],
            );
            if (!child) throw new OutboxInputError(`no child record with id ${input.childId}`);
            if (!child.gpPracticeOds)
              throw new OutboxInputError(
                `child ${input.childId} has no registered GP practice and no gpPracticeCode was given`,
              );
            code = child.gpPracticeOds;
          }
          const e = await enqueueGpPracticeEmail(tx, {
            idempotencyKey: call.idempotencyKey,
            gpPracticeCode: code,
            template: input.template,
            childId: input.childId,
            details: input.details,
          });
          await auditEnqueued(tx, call.actor, e, input.childId, {
            channel: 'email',
            template: input.template,
            gpPracticeCode: code,
          });
          return { enqueued: e, gpPracticeCode: code };
        }),
      );
      const recipient = (await selectOne<{ recipient: string }>(
        db,
        'SELECT recipient FROM notifications WHERE id = $1',
        [enqueued.id],
      ))!.recipient;
      if (enqueued.created) deps.wakeOutboxRelay?.();
      Context.current().log.info(
        `${type}: ${input.template} for child ${input.childId} to practice ${gpPracticeCode} is in the outbox`,
        { notificationId: enqueued.id, created: enqueued.created },
      );
      return { notificationId: enqueued.id, messageId: enqueued.messageId, recipient };
    },

    'notify.remindFamily': async (raw, job) => {
      const type = 'notify.remindFamily';
      const input = parseInput(type, NOTIFY_ACTIVITIES[type].input, raw, BAD_INPUT);
      const call = notifyCall(job);
      await refuseInactiveChild(db, call.actor, input.childId, input.reminder);
      const { enqueued, channel } = await rejectingBadInput(type, () =>
        inTransaction(db, async (tx) => {
          const contact = await selectOne<FamilyContact>(
            tx,
            `SELECT ct.name, ct.email, ct.phone, ct.preferred_method, c.address_line1, c.address_line2, c.town, c.postcode, c.given_name, c.family_name
             FROM children c JOIN contacts ct ON ct.child_id = c.id
             WHERE c.id = $1 ORDER BY ct.is_primary DESC, ct.id LIMIT 1`,
            [input.childId],
          );
          if (!contact) {
            const exists = await selectOne(tx, 'SELECT 1 FROM children WHERE id = $1', [input.childId]);
            if (!exists) throw new OutboxInputError(`no child record with id ${input.childId}`);
            throw ApplicationFailure.nonRetryable(
              `child ${input.childId} has no family contact on record`,
              'NoContactDetailsError',
            );
          }
          const ch = channelFor(contact, input.preferredContact);
          const e = await enqueueMessage(tx, {
            channel: ch,
            idempotencyKey: call.idempotencyKey,
            to: recipientFor(contact, ch),
            template: 'family-reminder',
            childId: input.childId,
            model: {
              initials: initialsOf(contact.givenName, contact.familyName),
              reminder: input.reminder,
              about: input.about,
              dueOn: input.dueOn,
            },
          });
          await auditEnqueued(tx, call.actor, e, input.childId, {
            channel: ch,
            template: 'family-reminder',
            reminder: input.reminder,
          });
          return { enqueued: e, channel: ch };
        }),
      );
      if (enqueued.created) deps.wakeOutboxRelay?.();
      return { sentVia: channel, notificationId: enqueued.id };
    },
  };
}
