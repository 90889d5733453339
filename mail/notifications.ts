/**
 * Telling a GP practice or a family about a child, for a process step (notify.* activities):
 * the message rendered and written to the outbox with its audit event in one transaction, keyed
 * by the step so a retry finds its row. The outbox relay delivers; no process waits for a mail
 * server.
 */
import type { ProcessActor } from '../records/actor';
import { writeAudit } from '../records/audit';
import { childRowById } from '../records/children/child-rows';
import { familyContactOf, type FamilyContact } from '../records/contacts';
import { ProcessRuleBroken, RecordRefusal } from '../records/errors';
import { getNotification, type Channel, type Enqueued } from '../records/outbox';
import { inTransaction, type Db } from '../records/sql';
import { enqueueGpPracticeEmail, enqueueMessage, initialsOf, OutboxInputError } from './outbox';
import type { GpPracticeTemplateName } from './templates';

/** BPMN error code for a reminder withheld because the child's record is no longer active. */
const CHILD_INACTIVE = 'CHILD_INACTIVE';

async function auditEnqueued(
  tx: Db,
  actor: ProcessActor,
  enqueued: Enqueued,
  childId: string,
  detail: Record<string, unknown>,
): Promise<void> {
  if (!enqueued.created) return; // a retry: the first attempt audited it
  await writeAudit(tx, actor, {
    action: 'notification.enqueued',
    entityType: 'notification',
    entityId: enqueued.id,
    childId,
    detail: { ...detail, messageId: enqueued.messageId },
  });
}

/** The practice's email about the child; the practice is the child's registered one unless given. */
export async function emailGpPractice(
  db: Db,
  actor: ProcessActor,
  e: {
    idempotencyKey: string;
    childId: string;
    gpPracticeCode?: string | null;
    template: GpPracticeTemplateName;
    details?: Record<string, unknown>;
  },
): Promise<{ enqueued: Enqueued; gpPracticeCode: string; recipient: string }> {
  const done = await inTransaction(db, async (tx) => {
    let code = e.gpPracticeCode;
    if (!code) {
      const child = await childRowById(tx, e.childId);
      if (!child) throw new OutboxInputError(`no child record with id ${e.childId}`);
      if (!child.gpPracticeOds)
        throw new OutboxInputError(`child ${e.childId} has no registered GP practice and no gpPracticeCode was given`);
      code = child.gpPracticeOds;
    }
    const enqueued = await enqueueGpPracticeEmail(tx, {
      idempotencyKey: e.idempotencyKey,
      gpPracticeCode: code,
      template: e.template,
      childId: e.childId,
      details: e.details,
    });
    await auditEnqueued(tx, actor, enqueued, e.childId, {
      channel: 'email',
      template: e.template,
      gpPracticeCode: code,
    });
    return { enqueued, gpPracticeCode: code };
  });
  const recipient = (await getNotification(db, done.enqueued.id))!.recipient;
  return { ...done, recipient };
}

/** The channel for a reminder: the override if the contact can take it, else their preference. */
function channelFor(contact: FamilyContact, override: Channel | undefined): Channel {
  const wanted: Channel = override ?? (contact.preferredMethod === 'phone' ? 'sms' : contact.preferredMethod);
  // The address of a record restricted on PDS is never written into the outbox (nor shown with it).
  if (wanted === 'letter' && contact.restricted)
    throw new RecordRefusal('no_contact_details', 'the record is restricted on PDS: no letter is sent to its address');
  if (wanted === 'email' && !contact.email)
    throw new RecordRefusal('no_contact_details', 'the family contact has no email address');
  if (wanted === 'sms' && !contact.phone)
    throw new RecordRefusal('no_contact_details', 'the family contact has no phone number');
  return wanted;
}

function recipientFor(contact: FamilyContact, channel: Channel): string {
  if (channel === 'email') return contact.email!;
  if (channel === 'sms') return contact.phone!;
  return [contact.name, contact.addressLine1, contact.addressLine2, contact.town, contact.postcode]
    .filter(Boolean)
    .join(', ');
}

/**
 * A reminder to the family by their preferred contact. Never for a child whose record is no
 * longer active: a reminder about a child who has died does real harm, and one who moved out of
 * the region is another CHIS's to follow up. The withholding is audited, and refused as the BPMN
 * error CHILD_INACTIVE so that the process can close its follow-up.
 */
export async function remindFamily(
  db: Db,
  actor: ProcessActor,
  r: {
    idempotencyKey: string;
    childId: string;
    reminder: string;
    about?: string;
    dueOn?: string;
    preferredContact?: Channel;
  },
): Promise<{ enqueued: Enqueued; channel: Channel }> {
  const child = await childRowById(db, r.childId);
  // A missing record is reported by the lookup that follows.
  if (child && child.status !== 'active') {
    await writeAudit(db, actor, {
      action: 'notification.withheld',
      entityType: 'child',
      entityId: r.childId,
      childId: r.childId,
      reason: `child record is ${child.status}`,
      detail: { template: 'family-reminder', reminder: r.reminder },
    });
    throw new ProcessRuleBroken(CHILD_INACTIVE, `child ${r.childId} is recorded as ${child.status}; no reminder sent`);
  }
  return inTransaction(db, async (tx) => {
    const contact = await familyContactOf(tx, r.childId);
    if (!contact) {
      if (!(await childRowById(tx, r.childId))) throw new OutboxInputError(`no child record with id ${r.childId}`);
      throw new RecordRefusal('no_contact_details', `child ${r.childId} has no family contact on record`);
    }
    const channel = channelFor(contact, r.preferredContact);
    const enqueued = await enqueueMessage(tx, {
      channel,
      idempotencyKey: r.idempotencyKey,
      to: recipientFor(contact, channel),
      template: 'family-reminder',
      childId: r.childId,
      model: {
        initials: initialsOf(contact.givenName, contact.familyName),
        reminder: r.reminder,
        about: r.about,
        dueOn: r.dueOn,
      },
    });
    await auditEnqueued(tx, actor, enqueued, r.childId, {
      channel,
      template: 'family-reminder',
      reminder: r.reminder,
    });
    return { enqueued, channel };
  });
}
