/**
 * `immunisation_follow_ups` and `immunisation_wnb_escalations`: one row per child and overdue
 * dose, recorded by the sweep (sweeps.ts), started as an `immunisation-follow-up` process, counted
 * Was Not Brought against, escalated at most once per missed appointment, closed. The steps'
 * decisions and their audit rows are the callers' (activities/immunisation/follow-up-steps.ts),
 * written in the same transaction.
 */
import { select, selectOne, type Db } from '../sql';
import type { SafeguardingAlert } from '../children/child-rows';

/** What checking a dose needs: the child's status and alert, and until when the dose is offered. */
export function readDoseCheck(
  db: Db,
  childId: string,
  doseCode: string,
): Promise<{ status: string; safeguardingAlert: SafeguardingAlert; offerUntil: string | null } | null> {
  return selectOne(
    db,
    `SELECT c.status, c.safeguarding_alert,
            (SELECT f.offer_until::text FROM immunisation_follow_ups f WHERE f.child_id = c.id AND f.dose_code = $2) AS offer_until
     FROM children c WHERE c.id = $1`,
    [childId, doseCode],
  );
}

/** The follow-up of a dose, locked for the rest of the transaction (misses reported at once count one after the other). */
export function lockFollowUp(
  tx: Db,
  childId: string,
  doseCode: string,
): Promise<{ id: string; wasNotBrought: string[]; safeguardingAlert: SafeguardingAlert } | null> {
  return selectOne(
    tx,
    `SELECT f.id, f.was_not_brought, c.safeguarding_alert FROM immunisation_follow_ups f JOIN children c ON c.id = f.child_id
     WHERE f.child_id = $1 AND f.dose_code = $2 FOR UPDATE OF f`,
    [childId, doseCode],
  );
}

export async function countWasNotBrought(tx: Db, followUpId: string, appointmentKey: string): Promise<void> {
  await select(
    tx,
    'UPDATE immunisation_follow_ups SET was_not_brought = array_append(was_not_brought, $2) WHERE id = $1 RETURNING 1',
    [followUpId, appointmentKey],
  );
}

/**
 * Claims the escalation of a missed appointment for this follow-up: true only for the first
 * follow-up of the child to claim it (one per dose sees the same missed appointment).
 */
export async function claimWasNotBroughtEscalation(
  tx: Db,
  e: { childId: string; appointmentKey: string; followUpId: string },
): Promise<boolean> {
  await select(
    tx,
    `INSERT INTO immunisation_wnb_escalations (child_id, appointment_key, follow_up_id) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [e.childId, e.appointmentKey, e.followUpId],
  );
  const owner = await selectOne<{ followUpId: string }>(
    tx,
    'SELECT follow_up_id FROM immunisation_wnb_escalations WHERE child_id = $1 AND appointment_key = $2',
    [e.childId, e.appointmentKey],
  );
  return owner?.followUpId === e.followUpId;
}

export async function markFollowUpEscalated(tx: Db, followUpId: string): Promise<void> {
  await select(
    tx,
    'UPDATE immunisation_follow_ups SET escalated_at = COALESCE(escalated_at, now()) WHERE id = $1 RETURNING 1',
    [followUpId],
  );
}

/** Whether a follow-up already escalated this appointment (then the child-level process does not). */
export async function escalatedByFollowUp(db: Db, childId: string, appointmentKey: string): Promise<boolean> {
  return (
    (await selectOne(db, 'SELECT 1 FROM immunisation_wnb_escalations WHERE child_id = $1 AND appointment_key = $2', [
      childId,
      appointmentKey,
    ])) !== null
  );
}

/** Closes the open follow-up of a dose; null when there was none open. */
export function closeOpenFollowUp(
  tx: Db,
  childId: string,
  doseCode: string,
  outcome: string,
): Promise<{ id: string } | null> {
  return selectOne(
    tx,
    `UPDATE immunisation_follow_ups SET status = 'closed', outcome = $3, closed_at = now()
     WHERE child_id = $1 AND dose_code = $2 AND status = 'open' RETURNING id`,
    [childId, doseCode, outcome],
  );
}

export interface PendingFollowUp {
  id: string;
  workflowId: string;
  childId: string;
  nhsNumber: string;
  doseCode: string;
  vaccine: string;
  dose: number;
  dueOn: string;
  overdueOn: string;
  offerUntil: string;
  locality: string;
  localityId: number;
  gpPracticeCode: string | null;
  preferredContact: string | null;
  safeguardingAlert: string;
}

/** Follow-ups not started yet, with what their process needs (the child's current locality, practice and contact preference). */
export function pendingFollowUps(db: Db, batchSize: number): Promise<PendingFollowUp[]> {
  return select(
    db,
    `SELECT f.id, f.workflow_id, f.child_id::text AS child_id, c.nhs_number, f.dose_code, f.vaccine, f.dose,
            f.due_on::text AS due_on, f.overdue_on::text AS overdue_on, f.offer_until::text AS offer_until,
            l.code AS locality, c.locality_id, c.gp_practice_ods AS gp_practice_code,
            (SELECT ct.preferred_method FROM contacts ct WHERE ct.child_id = c.id ORDER BY ct.is_primary DESC, ct.id LIMIT 1) AS preferred_contact,
            c.safeguarding_alert
     FROM immunisation_follow_ups f
     JOIN children c ON c.id = f.child_id
     JOIN localities l ON l.id = c.locality_id
     WHERE f.started_at IS NULL
     ORDER BY f.id
     LIMIT $1`,
    [batchSize],
  );
}

export async function markFollowUpsStarted(db: Db, ids: readonly string[]): Promise<void> {
  await select(db, 'UPDATE immunisation_follow_ups SET started_at = now() WHERE id = ANY($1::bigint[]) RETURNING 1', [
    ids,
  ]);
}

/** Doses both records of one child are following up with a process still open: a merge would end one of them. */
export function followUpsOpenOnBoth(
  db: Db,
  from: string,
  into: string,
): Promise<Array<{ doseCode: string; mergedWorkflowId: string; survivingWorkflowId: string }>> {
  return select(
    db,
    `SELECT f.dose_code, f.workflow_id AS merged_workflow_id, i.workflow_id AS surviving_workflow_id
     FROM immunisation_follow_ups f JOIN immunisation_follow_ups i ON i.child_id = $2 AND i.dose_code = f.dose_code
     WHERE f.child_id = $1 AND f.status = 'open' AND i.status = 'open' ORDER BY f.dose_code`,
    [from, into],
  );
}

/**
 * A merge (children/merge.ts): the merged record's follow-ups and Was Not Brought escalations
 * move to `into`. Of a dose followed up on both (one closed: followUpsOpenOnBoth refuses two
 * open), the open one stays, else the surviving record's; the other row is removed and returned,
 * to be kept in the merge record, as is an escalation of a missed appointment escalated on both.
 */
export async function moveFollowUpsOnMerge(
  tx: Db,
  from: string,
  into: string,
): Promise<{ moved: number; setAside: unknown[] }> {
  const surviving = await select<{ row: unknown }>(
    tx,
    `DELETE FROM immunisation_follow_ups i WHERE i.child_id = $2 AND i.status = 'closed'
       AND EXISTS (SELECT 1 FROM immunisation_follow_ups f WHERE f.child_id = $1 AND f.dose_code = i.dose_code AND f.status = 'open')
     RETURNING to_jsonb(i) AS row`,
    [from, into],
  );
  const merged = await select<{ row: unknown }>(
    tx,
    `DELETE FROM immunisation_follow_ups f WHERE f.child_id = $1
       AND EXISTS (SELECT 1 FROM immunisation_follow_ups i WHERE i.child_id = $2 AND i.dose_code = f.dose_code)
     RETURNING to_jsonb(f) AS row`,
    [from, into],
  );
  const escalations = await select<{ row: unknown }>(
    tx,
    `DELETE FROM immunisation_wnb_escalations f WHERE f.child_id = $1
       AND EXISTS (SELECT 1 FROM immunisation_wnb_escalations i WHERE i.child_id = $2 AND i.appointment_key = f.appointment_key)
     RETURNING to_jsonb(f) AS row`,
    [from, into],
  );
  const moved = await select(tx, 'UPDATE immunisation_follow_ups SET child_id = $2 WHERE child_id = $1 RETURNING id', [
    from,
    into,
  ]);
  await select(tx, 'UPDATE immunisation_wnb_escalations SET child_id = $2 WHERE child_id = $1 RETURNING child_id', [
    from,
    into,
  ]);
  return { moved: moved.length, setAside: [...surviving, ...merged, ...escalations].map((r) => r.row) };
}
