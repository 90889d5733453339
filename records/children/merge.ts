/**
 * Two records of one child merged after PDS superseded the NHS number of one by the other's
 * (PDS keeps the surviving record and points the superseded number at it; the local record of
 * the superseded number must follow: NHS England, "Personal Demographics Service – superseded
 * (merged) NHS numbers"). The superseded number's record is moved onto the surviving one, in one
 * transaction, and removed:
 * - everything about the child moves, each table by its owner module: contacts, immunisations,
 *   screening, appointments and Was Not Brought, follow-ups, concerns, transfers, tasks, emails,
 *   break-glass alerts, inbound events (its address and GP changes), the numbers it superseded;
 * - its processes go on under the number they started with: the superseded number stays linked
 *   to the surviving record, so events under either number reach every process of the child
 *   (process-instances.ts) and a process that knows the old record's id still finds the child
 *   (child_merges, ./facts.ts);
 * - the surviving record keeps its demographics (PDS's current answer), takes the stronger
 *   safeguarding alert and the restriction of either; what the merged record said otherwise,
 *   and every duplicate row set aside, is kept in its `child_merges` row, so nothing is lost;
 * - refused (nothing written) while something cannot be decided safely: PDS has not superseded
 *   the number by the surviving one, the records disagree on a death, each has a transfer or an
 *   open follow-up of one dose in flight, or a dose is recorded on different dates and the caller
 *   has not said which is right (`keep`); each conflict is named with how to resolve it;
 * - idempotent: a merge repeated finds its row and changes nothing.
 * Audited `child.merge` (who, when, why, what moved) on the surviving record, naming both.
 */
import type { Actor } from '../actor';
import { writeAudit } from '../audit';
import { moveBreakGlassAlertsOnMerge } from '../break-glass-alerts';
import { moveConcernsOnMerge } from '../concerns/rows';
import { moveContactsOnMerge } from '../contacts';
import { moveAppointmentsOnMerge } from '../appointments';
import { RecordRefusal } from '../errors';
import { followUpsOpenOnBoth, moveFollowUpsOnMerge } from '../immunisations/follow-ups';
import { doseDateConflicts, moveImmunisationsOnMerge } from '../immunisations/given';
import { moveInboundEventsOnMerge } from '../inbound-events';
import { moveNotificationsOnMerge } from '../outbox';
import { moveScreeningOnMerge } from '../screening/results';
import { inTransaction, select, selectOne, type Db } from '../sql';
import { moveTasksOnMerge } from '../tasks/rows';
import { moveTransfersOnMerge, openTransferOf } from '../transfers/rows';
import { moveWasNotBroughtOnMerge } from '../was-not-brought';

/** Which record's date of a dose recorded on both is right. */
export interface DoseDateResolution {
  vaccine: string;
  dose: number;
  keep: 'surviving' | 'merged';
}

export interface MergeRequest {
  /** The superseded NHS number, whose record is merged away. */
  mergedNhsNumber: string;
  /** The current NHS number, whose record survives. */
  intoNhsNumber: string;
  reason: string;
  resolutions?: readonly DoseDateResolution[];
}

export interface MergeConflict {
  kind: 'not_superseded' | 'death' | 'transfers_in_flight' | 'follow_ups_open' | 'dose_dates';
  detail: string;
  /** How the records team resolves it before merging again. */
  resolve: string;
  [key: string]: unknown;
}

/** A merge refused: what conflicts, and how each is resolved. */
export class MergeConflicts extends RecordRefusal {
  constructor(readonly conflicts: MergeConflict[]) {
    super(
      'conflict',
      `The records cannot be merged yet: ${conflicts.map((c) => c.detail).join('; ')}. Nothing was changed.`,
    );
    this.name = 'MergeConflicts';
  }
}

export interface MergeOutcome {
  mergeId: string;
  /** False when the merge had been done already (nothing changed now). */
  mergedNow: boolean;
  mergedChildId: string;
  mergedNhsNumber: string;
  intoChildId: string;
  intoNhsNumber: string;
  mergedBy: string;
  mergedAt: Date;
  moved: Record<string, number>;
  setAside: number;
  resolved: unknown[];
}

interface MergeRow {
  id: string;
  mergedChildId: string;
  mergedNhsNumber: string;
  intoChildId: string;
  intoNhsNumber: string;
  mergedBy: string;
  mergedAt: Date;
  moved: Record<string, number>;
  setAside: unknown[];
  resolved: unknown[];
}

const outcomeOf = (r: MergeRow, mergedNow: boolean): MergeOutcome => ({
  mergeId: r.id,
  mergedNow,
  mergedChildId: r.mergedChildId,
  mergedNhsNumber: r.mergedNhsNumber,
  intoChildId: r.intoChildId,
  intoNhsNumber: r.intoNhsNumber,
  mergedBy: r.mergedBy,
  mergedAt: r.mergedAt,
  moved: r.moved,
  setAside: r.setAside.length,
  resolved: r.resolved,
});

const MERGE_COLUMNS = `id, merged_child_id, merged_nhs_number, into_child_id, into_nhs_number, merged_by, merged_at, moved, set_aside, resolved`;

interface ChildRow {
  id: string;
  nhsNumber: string;
  status: string;
  safeguardingAlert: string;
  restricted: boolean;
  record: Record<string, unknown>;
}

const ALERT_STRENGTH: Record<string, number> = { none: 0, concern: 1, looked_after: 2, child_protection_plan: 3 };

const actorName = (actor: Actor) => (actor.kind === 'staff' ? actor.username : actor.name);

async function conflictsOf(
  tx: Db,
  from: ChildRow,
  into: ChildRow,
  linkedTo: string | null,
  resolutions: readonly DoseDateResolution[],
): Promise<{ conflicts: MergeConflict[]; keepMerged: DoseDateResolution[] }> {
  const conflicts: MergeConflict[] = [];
  if (linkedTo !== into.id)
    conflicts.push({
      kind: 'not_superseded',
      detail: `PDS has not superseded NHS number ${from.nhsNumber} by ${into.nhsNumber}`,
      resolve: 'look the superseded number up on PDS first: only two records PDS says are one child are merged',
    });
  // Not one child as far as PDS knows: nothing else to weigh.
  if (conflicts.length > 0) return { conflicts, keepMerged: [] };
  if ((from.status === 'deceased') !== (into.status === 'deceased'))
    conflicts.push({
      kind: 'death',
      detail: `one record says the child died, the other does not (${from.nhsNumber}: ${from.status}, ${into.nhsNumber}: ${into.status})`,
      resolve:
        'check the death on PDS and record it on the surviving record (or correct the record that is wrong) first',
    });
  const [fromTransfer, intoTransfer] = [await openTransferOf(tx, from.id), await openTransferOf(tx, into.id)];
  if (fromTransfer && intoTransfer)
    conflicts.push({
      kind: 'transfers_in_flight',
      detail: `both records have a transfer in flight (transfers ${fromTransfer} and ${intoTransfer})`,
      resolve: 'complete or cancel one of the two transfers first: a child has one move at a time',
      transferIds: [fromTransfer, intoTransfer],
    });
  const followUps = await followUpsOpenOnBoth(tx, from.id, into.id);
  if (followUps.length > 0)
    conflicts.push({
      kind: 'follow_ups_open',
      detail: `both records follow up the same overdue dose (${followUps.map((f) => f.doseCode).join(', ')})`,
      resolve: "cancel the merged record's follow-up process of the dose first (the surviving record's goes on)",
      followUps,
    });
  const dates = await doseDateConflicts(tx, from.id, into.id);
  const keepMerged: DoseDateResolution[] = [];
  const unresolved = dates.filter((d) => {
    const r = resolutions.find((x) => x.vaccine === d.vaccine && x.dose === d.dose);
    if (r?.keep === 'merged') keepMerged.push(r);
    return r === undefined;
  });
  if (unresolved.length > 0)
    conflicts.push({
      kind: 'dose_dates',
      detail: `a dose is recorded on both records on different dates (${unresolved
        .map(
          (d) =>
            `${d.vaccine} dose ${d.dose}: ${d.mergedGivenOn} on ${from.nhsNumber}, ${d.survivingGivenOn} on ${into.nhsNumber}`,
        )
        .join('; ')})`,
      resolve:
        "check the GP practice's record of the dose and merge again saying which date is right for each " +
        '(resolutions: {vaccine, dose, keep: "surviving" | "merged"}); the other date is kept in the merge record',
      doses: unresolved,
    });
  return { conflicts, keepMerged };
}

/** Merges the record of `mergedNhsNumber` onto the record of `intoNhsNumber` (see the file's comment). */
export async function mergeChildRecords(db: Db, actor: Actor, m: MergeRequest): Promise<MergeOutcome> {
  return inTransaction(db, async (tx) => {
    const done = await selectOne<MergeRow>(
      tx,
      `SELECT ${MERGE_COLUMNS} FROM child_merges WHERE merged_nhs_number = $1`,
      [m.mergedNhsNumber],
    );
    if (done) {
      if (done.intoNhsNumber !== m.intoNhsNumber)
        throw new MergeConflicts([
          {
            kind: 'not_superseded',
            detail: `the record of ${m.mergedNhsNumber} was merged into the record of ${done.intoNhsNumber} already`,
            resolve: `open the record of ${done.intoNhsNumber}`,
          },
        ]);
      return outcomeOf(done, false);
    }
    // Both rows locked, lower id first, so two merges of one pair cannot interleave.
    const rows = await select<ChildRow>(
      tx,
      `SELECT c.id, c.nhs_number, c.status, c.safeguarding_alert, c.restricted, to_jsonb(c) AS record
       FROM children c WHERE c.nhs_number = ANY($1::char(10)[]) ORDER BY c.id FOR UPDATE`,
      [[m.mergedNhsNumber, m.intoNhsNumber]],
    );
    const from = rows.find((r) => r.nhsNumber === m.mergedNhsNumber);
    const into = rows.find((r) => r.nhsNumber === m.intoNhsNumber);
    if (!from || !into || m.mergedNhsNumber === m.intoNhsNumber)
      throw new RecordRefusal(
        'not_found',
        !into
          ? `No child has NHS number ${m.intoNhsNumber}`
          : m.mergedNhsNumber === m.intoNhsNumber
            ? 'A record cannot be merged into itself'
            : `No child record has NHS number ${m.mergedNhsNumber}`,
      );
    const link = await selectOne<{ childId: string }>(
      tx,
      'SELECT child_id FROM superseded_nhs_numbers WHERE nhs_number = $1',
      [from.nhsNumber],
    );
    const { conflicts, keepMerged } = await conflictsOf(tx, from, into, link?.childId ?? null, m.resolutions ?? []);
    if (conflicts.length > 0) throw new MergeConflicts(conflicts);

    const contacts = await moveContactsOnMerge(tx, from.id, into.id);
    const immunisations = await moveImmunisationsOnMerge(tx, from.id, into.id, keepMerged);
    const followUps = await moveFollowUpsOnMerge(tx, from.id, into.id);
    const wasNotBrought = await moveWasNotBroughtOnMerge(tx, from.id, into.id);
    const moved: Record<string, number> = {
      contacts: contacts.moved,
      immunisations: immunisations.moved,
      immunisationFollowUps: followUps.moved,
      wasNotBroughtEscalations: wasNotBrought.moved,
      appointments: await moveAppointmentsOnMerge(tx, from.id, into.id),
      screeningResults: await moveScreeningOnMerge(tx, from.id, into.id),
      concerns: await moveConcernsOnMerge(tx, from.id, into.id),
      transfers: await moveTransfersOnMerge(tx, from.id, into.id),
      tasks: await moveTasksOnMerge(tx, from.id, into.id),
      notifications: await moveNotificationsOnMerge(tx, from.id, into.id),
      breakGlassAlerts: await moveBreakGlassAlertsOnMerge(tx, from.id, into.id),
      inboundEvents: await moveInboundEventsOnMerge(tx, from.id, into.id),
    };
    // The numbers the merged record had superseded, and its own, now lead to the surviving record.
    const numbers = await select(
      tx,
      'UPDATE superseded_nhs_numbers SET child_id = $2, current_nhs_number = $3 WHERE child_id = $1 RETURNING nhs_number',
      [from.id, into.id, into.nhsNumber],
    );
    moved.supersededNhsNumbers = numbers.length;
    // A record merged into the merged one before: its id now leads to the surviving record too.
    await select(
      tx,
      'UPDATE child_merges SET into_child_id = $2, into_nhs_number = $3 WHERE into_child_id = $1 RETURNING id',
      [from.id, into.id, into.nhsNumber],
    );
    const alert =
      ALERT_STRENGTH[from.safeguardingAlert] > ALERT_STRENGTH[into.safeguardingAlert]
        ? from.safeguardingAlert
        : into.safeguardingAlert;
    const restricted = from.restricted || into.restricted;
    const resolved: unknown[] = [
      ...(m.resolutions ?? []).map((r) => ({ kind: 'dose_date', ...r })),
      ...(alert !== into.safeguardingAlert
        ? [
            {
              kind: 'safeguarding_alert',
              kept: alert,
              surviving: into.safeguardingAlert,
              merged: from.safeguardingAlert,
            },
          ]
        : []),
      ...(restricted !== into.restricted ? [{ kind: 'restricted', kept: true, from: 'merged record' }] : []),
      ...contacts.noLongerMain.map((id) => ({ kind: 'main_contact', contactId: id, now: 'ordinary contact' })),
    ];
    await select(
      tx,
      `UPDATE children SET safeguarding_alert = $2, restricted = $3, updated_at = now(), row_version = row_version + 1
       WHERE id = $1 RETURNING id`,
      [into.id, alert, restricted],
    );
    const setAside = [
      ...contacts.duplicates.map((row) => ({ table: 'contacts', row })),
      ...immunisations.setAside.map((row) => ({ table: 'immunisation_events', row })),
      ...followUps.setAside.map((row) => ({ table: 'immunisation_follow_ups', row })),
      ...wasNotBrought.setAside.map((row) => ({ table: 'was_not_brought_escalations', row })),
    ];
    await select(tx, 'DELETE FROM children WHERE id = $1 RETURNING id', [from.id]);
    const row = (await selectOne<MergeRow>(
      tx,
      `INSERT INTO child_merges (merged_child_id, merged_nhs_number, into_child_id, into_nhs_number, merged_by, reason, merged_record, moved, set_aside, resolved)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${MERGE_COLUMNS}`,
      [
        from.id,
        from.nhsNumber,
        into.id,
        into.nhsNumber,
        actorName(actor),
        m.reason,
        JSON.stringify(from.record),
        JSON.stringify(moved),
        JSON.stringify(setAside),
        JSON.stringify(resolved),
      ],
    ))!;
    await writeAudit(tx, actor, {
      action: 'child.merge',
      entityType: 'child',
      entityId: into.nhsNumber,
      childId: into.id,
      childIds: [from.id, into.id],
      reason: m.reason,
      detail: {
        mergeId: row.id,
        mergedNhsNumber: from.nhsNumber,
        mergedChildId: from.id,
        moved,
        setAside: setAside.map((s) => s.table),
        resolved,
      },
    });
    return outcomeOf(row, true);
  });
}

/** The records merged into this one, oldest first: the record shows them ("merged from"). */
export function mergesInto(
  db: Db,
  childId: string,
): Promise<
  Array<{ mergedNhsNumber: string; mergedChildId: string; mergedBy: string; mergedAt: Date; reason: string }>
> {
  return select(
    db,
    `SELECT merged_nhs_number, merged_child_id, merged_by, merged_at, reason FROM child_merges
     WHERE into_child_id = $1 ORDER BY merged_at, id`,
    [childId],
  );
}

/** The record a merged record's id now leads to (itself when it was not merged). */
export async function survivingChildId(db: Db, childId: string): Promise<string> {
  const row = await selectOne<{ intoChildId: string }>(
    db,
    'SELECT into_child_id FROM child_merges WHERE merged_child_id = $1',
    [childId],
  );
  return row?.intoChildId ?? childId;
}
