/**
 * Implementations of the catalogue's notify.* activities (declared in ../catalogue/notify.ts).
 *
 * Each writes its outbox row and an audit event in one transaction, keyed by the activity
 * (workflow, run, activity id), so a retried activity finds its row instead of writing a
 * second one; then it delivers that row at once. If delivery fails the activity fails and
 * Temporal retries it (MESSAGING policy); meanwhile the outbox relay may deliver the row
 * first. Either way it goes out once.
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
import { DeliveryError } from '../../mail/delivery';
import { TemplateModelError } from '../../mail/templates';
import type { CatalogueActivityMap } from '../catalogue-activities';
import { NOTIFY_ACTIVITIES } from '../catalogue/notify';
import type { CatalogueDeps } from '../deps';
import { bpmnError } from '../engine/bpmn-error';
import { auditBySystem, BAD_INPUT, currentProcessCall, parseInput } from '../support';

/**
 * The key is the same for every retry of one activity, and differs between activities and runs;
 * `notify:` keeps it apart from other domains' keys in the outbox.
 */
function currentCall(): { idempotencyKey: string; actor: string } {
  const { idempotencyKey, actor } = currentProcessCall();
  return { idempotencyKey: `notify:${idempotencyKey}`, actor };
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

/** Delivers now when a mail service is present; a failure is retryable (Temporal backs off). */
async function deliver(deps: CatalogueDeps, type: string, enqueued: Enqueued): Promise<boolean> {
  if (!deps.mail) return false;
  try {
    await deps.mail.deliverNotification(enqueued.id);
    return true;
  } catch (error) {
    if (error instanceof DeliveryError) {
      throw ApplicationFailure.retryable(
        `${type}: ${error.message} (the message stays in the outbox and will be retried)`,
        'DeliveryError',
      );
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
    'notify.emailGpPractice': async (raw) => {
      const type = 'notify.emailGpPractice';
      const input = parseInput(type, NOTIFY_ACTIVITIES[type].input, raw, BAD_INPUT);
      const call = currentCall();
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
      const delivered = await deliver(deps, type, enqueued);
      Context.current().log.info(
        `${type}: ${input.template} for child ${input.childId} to practice ${gpPracticeCode}`,
        { notificationId: enqueued.id, delivered },
      );
      return { notificationId: enqueued.id, messageId: enqueued.messageId, recipient, delivered };
    },

    'notify.remindFamily': async (raw) => {
      const type = 'notify.remindFamily';
      const input = parseInput(type, NOTIFY_ACTIVITIES[type].input, raw, BAD_INPUT);
      const call = currentCall();
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
      const delivered = await deliver(deps, type, enqueued);
      return { sentVia: channel, notificationId: enqueued.id, delivered };
    },
  };
}
