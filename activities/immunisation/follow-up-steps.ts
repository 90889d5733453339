/**
 * The steps of the `immunisation-follow-up` process that touch the record: check the dose at
 * the start, count Was Not Brought appointments (and decide on escalation), close the
 * follow-up. Each is audited; each is safe to retry.
 */
import { randomUUID } from 'node:crypto';
import type { ActivityInput, ActivityOutput } from '../catalogue';
import { IMMUNISATION_ACTIVITIES } from '../catalogue/immunisation';
import { inTransaction, selectOne, type Db } from '../../records/sql';
import { auditBySystem, notFound, parseInput } from '../support';
import { scheduleForChild } from '../../records/immunisations/schedule-facts';
import { runningActivity, todayInEngland } from './support';

const PROCESS_KEY = 'immunisation-follow-up';
/** Alerts under which one Was Not Brought is enough (CP-IS: child protection plan or looked after). */
const CHILD_PROTECTION_ALERTS = new Set(['child_protection_plan', 'looked_after']);

type Alert = ActivityOutput<'immunisation.checkDose'>['safeguardingAlert'];

export async function checkDose(
  db: Db,
  raw: ActivityInput<'immunisation.checkDose'>,
): Promise<ActivityOutput<'immunisation.checkDose'>> {
  const input = parseInput('immunisation.checkDose', IMMUNISATION_ACTIVITIES['immunisation.checkDose'].input, raw);
  const asOf = input.asOf ?? todayInEngland();
  const row = await selectOne<{ status: string; safeguardingAlert: Alert; offerUntil: string | null }>(
    db,
    `SELECT c.status, c.safeguarding_alert,
            (SELECT f.offer_until::text FROM immunisation_follow_ups f WHERE f.child_id = c.id AND f.dose_code = $2) AS offer_until
     FROM children c WHERE c.id = $1`,
    [input.childId, input.doseCode],
  );
  if (!row) throw notFound(`immunisation.checkDose: no child record ${input.childId}`);
  // The same rules as the sweep: an equivalent product counts (a 6-in-1 after the first birthday for Hib/MenC).
  const evaluated = row.status === 'active' ? await scheduleForChild(db, input.childId, { asOf }) : null;
  const dose = evaluated?.schedule.doses.find((d) => d.code === input.doseCode);
  const closeAs =
    row.status !== 'active'
      ? 'child_inactive'
      : dose?.status === 'given'
        ? 'given'
        : dose === undefined || dose.status === 'not_offered' || (row.offerUntil !== null && row.offerUntil < asOf)
          ? 'no_longer_offered'
          : null;
  await auditBySystem(db, runningActivity(PROCESS_KEY, `direct-check-${randomUUID()}`), {
    action: 'immunisation.dose_checked',
    entityType: 'child',
    entityId: input.childId,
    childId: input.childId,
    detail: {
      doseCode: input.doseCode,
      asOf,
      stillMissing: closeAs === null,
      closeAs,
      ...(dose?.given ? { givenAs: dose.given.product, givenOn: dose.given.on } : {}),
    },
  });
  return { stillMissing: closeAs === null, closeAs, safeguardingAlert: row.safeguardingAlert };
}

/** Whether an appointment outcome is about this follow-up's vaccine. */
function isForVaccine(appointment: { kind?: string; vaccine?: string } | undefined, vaccine: string): boolean {
  if (appointment?.vaccine !== undefined && appointment.vaccine !== vaccine) return false;
  if (appointment?.kind !== undefined && !/immuni[sz]ation|vaccin/i.test(appointment.kind)) return false;
  return true;
}

export async function recordWasNotBrought(
  db: Db,
  raw: ActivityInput<'immunisation.recordWasNotBrought'>,
): Promise<ActivityOutput<'immunisation.recordWasNotBrought'>> {
  const input = parseInput(
    'immunisation.recordWasNotBrought',
    IMMUNISATION_ACTIVITIES['immunisation.recordWasNotBrought'].input,
    raw,
  );
  const who = runningActivity(PROCESS_KEY, `direct-wnb-${randomUUID()}`);
  // The same missed appointment reaches every follow-up of the child (one per dose): its key
  // lets each count it once and only one of them escalate it.
  const appointmentKey = input.appointment?.date
    ? `${input.appointment.kind ?? 'immunisation'}/${input.appointment.date}`
    : who.idempotencyKey;
  return inTransaction(db, async (tx) => {
    const f = await selectOne<{ id: string; wasNotBrought: string[]; safeguardingAlert: Alert }>(
      tx,
      `SELECT f.id, f.was_not_brought, c.safeguarding_alert FROM immunisation_follow_ups f JOIN children c ON c.id = f.child_id
       WHERE f.child_id = $1 AND f.dose_code = $2 FOR UPDATE OF f`,
      [input.childId, input.doseCode],
    );
    if (!f)
      throw notFound(
        `immunisation.recordWasNotBrought: no follow-up of dose ${input.doseCode} for child ${input.childId}`,
      );
    const limit = CHILD_PROTECTION_ALERTS.has(f.safeguardingAlert)
      ? input.childProtectionLimit
      : input.wasNotBroughtLimit;
    const relevant = isForVaccine(input.appointment, input.vaccine);
    const counted = relevant && !f.wasNotBrought.includes(appointmentKey);
    const count = f.wasNotBrought.length + (counted ? 1 : 0);
    if (counted) {
      await tx.sequelize.query(
        'UPDATE immunisation_follow_ups SET was_not_brought = array_append(was_not_brought, $2) WHERE id = $1',
        {
          bind: [f.id, appointmentKey],
          transaction: tx.transaction,
        },
      );
    }
    let escalate = false;
    if (relevant && count >= limit) {
      await tx.sequelize.query(
        'INSERT INTO immunisation_wnb_escalations (child_id, appointment_key, follow_up_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        { bind: [input.childId, appointmentKey, f.id], transaction: tx.transaction },
      );
      const owner = await selectOne<{ followUpId: string }>(
        tx,
        'SELECT follow_up_id FROM immunisation_wnb_escalations WHERE child_id = $1 AND appointment_key = $2',
        [input.childId, appointmentKey],
      );
      // Escalated by the child-level was-not-brought process already: not a second time.
      const byChild = await selectOne(
        tx,
        'SELECT 1 FROM was_not_brought_escalations WHERE child_id = $1 AND appointment_key = $2',
        [input.childId, appointmentKey],
      );
      escalate = owner?.followUpId === f.id && byChild === null;
      if (escalate) {
        await tx.sequelize.query(
          'UPDATE immunisation_follow_ups SET escalated_at = COALESCE(escalated_at, now()) WHERE id = $1',
          { bind: [f.id], transaction: tx.transaction },
        );
      }
    }
    await auditBySystem(tx, who, {
      action: 'immunisation.was_not_brought_recorded',
      entityType: 'immunisation_follow_up',
      entityId: f.id,
      childId: input.childId,
      detail: { doseCode: input.doseCode, appointmentKey, counted, wasNotBroughtCount: count, limit, escalate },
    });
    return { counted, wasNotBroughtCount: count, limit, escalate, safeguardingAlert: f.safeguardingAlert };
  });
}

export async function closeFollowUp(
  db: Db,
  raw: ActivityInput<'immunisation.closeFollowUp'>,
): Promise<ActivityOutput<'immunisation.closeFollowUp'>> {
  const input = parseInput(
    'immunisation.closeFollowUp',
    IMMUNISATION_ACTIVITIES['immunisation.closeFollowUp'].input,
    raw,
  );
  return inTransaction(db, async (tx) => {
    const closed = await selectOne<{ id: string }>(
      tx,
      `UPDATE immunisation_follow_ups SET status = 'closed', outcome = $3, closed_at = now()
       WHERE child_id = $1 AND dose_code = $2 AND status = 'open' RETURNING id`,
      [input.childId, input.doseCode, input.outcome],
    );
    if (closed) {
      await auditBySystem(tx, runningActivity(PROCESS_KEY, `direct-close-${randomUUID()}`), {
        action: 'immunisation.follow_up_closed',
        entityType: 'immunisation_follow_up',
        entityId: closed.id,
        childId: input.childId,
        detail: { doseCode: input.doseCode, outcome: input.outcome },
      });
    }
    return { closed: closed !== null };
  });
}
