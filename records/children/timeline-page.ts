/**
 * One timeline of everything that happened to a child, newest first, a page at a time: the
 * record (birth, immunisations, screening), safeguarding (concerns and their notes), work
 * (tasks created, escalated, completed; process instances started and ended), movement
 * (transfers, address and GP changes), contact (emails about the child, appointments and
 * Was Not Brought), death notifications and child-protection alerts, and, for safeguarding
 * leads, who opened the record and why. Events without a time (dates) sort at the start of
 * their day. Opened under the relationship rule and audited `child.timeline`.
 */
import { MANDATED_CONTACTS } from '../../schedule/contacts';
import type { StaffActor } from '../actor';
import { select, type Db } from '../sql';
import { auditChildRead, openChildByNhsNumber } from './read';

export interface TimelineEntry {
  at: string;
  kind: string;
  summary: string;
  ref: string;
  /** Who did it, when known (a member of staff's username, or a system actor). */
  actor: string | null;
}

/** Position after the last entry of a page: entries strictly older come next. */
export interface TimelineCursor {
  at: string;
  order: number;
  ref: string;
}

export const TIMELINE_KINDS = [
  'birth',
  'immunisation',
  'screening',
  'concern_raised',
  'concern_note',
  'concern_escalation',
  'concern_closure',
  'task_created',
  'task_escalated',
  'task_completed',
  'process_started',
  'process_ended',
  'transfer_requested',
  'transfer_completed',
  'address_changed',
  'gp_changed',
  'appointment_attended',
  'appointment_was_not_brought',
  'child_protection_alert',
  'death_notified',
  'email',
  'record_opened',
  'break_glass',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

const day = (column: string) => `(${column})::timestamp AT TIME ZONE 'UTC'`;

/** An appointment for a mandated contact is named by it ("Health visitor 6–8 week review on …"). */
const CONTACT_LABELS = JSON.stringify(Object.fromEntries(MANDATED_CONTACTS.map((c) => [c.code, c.label])));

/**
 * Every source as (at, kind, summary, ref, actor, o); $1 child id, $2 NHS number, $3 include
 * access events, $9 contact labels. After a merge (merge.ts) the rows of the merged record were
 * moved, except the append-only audit rows (its id, through child_merges) and the processes
 * keyed by its number (through superseded_nhs_numbers).
 */
const SOURCES = `
  SELECT ${day('date_of_birth')} AS at, 'birth' AS kind, 'Born' AS summary, 'child:' || id AS ref, NULL::text AS actor, 0 AS o FROM children WHERE id = $1
  UNION ALL SELECT ${day('given_on')}, 'immunisation', vaccine || ' dose ' || dose || coalesce(' (' || given_by || ')', ''), 'immunisation:' || id, NULL, 1 FROM immunisation_events WHERE child_id = $1
  UNION ALL SELECT ${day('recorded_on')}, 'screening', programme || ': ' || outcome, 'screening:' || id, NULL, 1 FROM screening_results WHERE child_id = $1
  UNION ALL SELECT c.raised_at, 'concern_raised', c.summary, 'concern:' || c.id, s.username, 2
    FROM safeguarding_concerns c LEFT JOIN staff_users s ON s.id = c.raised_by WHERE c.child_id = $1
  UNION ALL SELECT n.created_at, 'concern_' || n.kind, left(n.body, 200), 'concern:' || n.concern_id, s.username, 3
    FROM safeguarding_concern_notes n JOIN safeguarding_concerns c ON c.id = n.concern_id LEFT JOIN staff_users s ON s.id = n.author_id
    WHERE c.child_id = $1 AND n.kind <> 'raised'
  UNION ALL SELECT created_at, 'task_created', name, 'task:' || id, NULL, 4 FROM human_tasks WHERE child_id = $1
  UNION ALL SELECT escalated_at, 'task_escalated', name || coalesce(': ' || escalation_reason, ''), 'task:' || id, NULL, 5 FROM human_tasks WHERE child_id = $1 AND escalated_at IS NOT NULL
  UNION ALL SELECT completed_at, 'task_completed', name || coalesce(' (' || outcome || ')', ''), 'task:' || id, completed_by, 6 FROM human_tasks WHERE child_id = $1 AND completed_at IS NOT NULL
  UNION ALL SELECT i.started_at, 'process_started', coalesce(d.name, d.key) || ' (version ' || d.version || ')', 'instance:' || i.id, s.username, 7
    FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id LEFT JOIN staff_users s ON s.id = i.started_by
    WHERE (i.business_key = $2 OR i.business_key IN (SELECT nhs_number::text FROM superseded_nhs_numbers WHERE child_id = $1))
  UNION ALL SELECT i.ended_at, 'process_ended', coalesce(d.name, d.key) || ': ' || i.status, 'instance:' || i.id, NULL, 8
    FROM process_instances i JOIN process_definitions d ON d.id = i.definition_id
    WHERE (i.business_key = $2 OR i.business_key IN (SELECT nhs_number::text FROM superseded_nhs_numbers WHERE child_id = $1)) AND i.ended_at IS NOT NULL
  UNION ALL SELECT requested_at, 'transfer_requested', replace(direction, '_', ' '), 'transfer:' || id, NULL, 9 FROM transfers WHERE child_id = $1
  UNION ALL SELECT completed_at, 'transfer_completed', replace(direction, '_', ' '), 'transfer:' || id, NULL, 10 FROM transfers WHERE child_id = $1 AND completed_at IS NOT NULL
  UNION ALL SELECT e.received_at,
      CASE e.kind
        WHEN 'address_change' THEN 'address_changed'
        WHEN 'gp_change' THEN 'gp_changed'
        WHEN 'appointment_outcome' THEN 'appointment_' || (e.payload->>'outcome')
        WHEN 'child_protection_alert' THEN 'child_protection_alert'
        ELSE 'death_notified' END,
      CASE e.kind
        WHEN 'address_change' THEN 'New address, postcode ' || CASE WHEN (SELECT restricted FROM children WHERE id = $1) THEN 'withheld (restricted record)' ELSE coalesce(e.payload->'address'->>'postcode', 'not given') END
        WHEN 'gp_change' THEN 'New GP practice ' || coalesce(e.payload->>'gpPracticeCode', 'not given')
        WHEN 'appointment_outcome' THEN coalesce($9::jsonb->>(e.payload->>'contact'), replace(e.payload->>'kind', '_', ' ')) || ' on ' || (e.payload->>'date')
          || CASE WHEN e.payload->>'outcome' = 'was_not_brought' THEN ': was not brought' ELSE ': attended' END
        WHEN 'child_protection_alert' THEN replace(e.payload->>'type', '_', ' ') || ' from ' || coalesce(e.payload->>'startDate', '') || ' (' || coalesce(e.payload->>'localAuthority', '') || ')'
        ELSE 'Death notified, date of death ' || coalesce(e.payload->>'dateOfDeath', 'not given') END,
      'event:' || e.id, NULL, 11
    FROM inbound_events e
    WHERE e.child_id = $1 AND e.kind IN ('address_change', 'gp_change', 'appointment_outcome', 'child_protection_alert', 'death_notification')
  UNION ALL SELECT coalesce(n.sent_at, n.created_at), 'email',
      n.subject || ' to ' || CASE WHEN n.template = 'family-reminder' AND (SELECT restricted FROM children WHERE id = $1) THEN 'the family (restricted record)' ELSE n.recipient END || CASE n.status WHEN 'sent' THEN '' WHEN 'failed' THEN ' (not delivered yet)' ELSE ' (queued)' END,
      'email:' || n.id, NULL, 12
    FROM notifications n WHERE n.child_id = $1
  UNION ALL SELECT a.occurred_at, CASE a.action WHEN 'child.break_glass' THEN 'break_glass' ELSE 'record_opened' END,
      CASE a.action WHEN 'child.break_glass' THEN 'Opened from outside the child''s localities: ' || coalesce(a.reason, 'no reason recorded') ELSE 'Record opened' END,
      'audit:' || a.id, a.actor_username, 13
    FROM audit_events a WHERE $3 AND a.action IN ('child.read', 'child.break_glass')
      AND (a.child_id = $1 OR a.child_id IN (SELECT merged_child_id FROM child_merges WHERE into_child_id = $1))`;

/** A page of the timeline, newest first, optionally only some kinds. */
export async function readChildTimelinePage(
  db: Db,
  actor: StaffActor,
  nhsNumber: string,
  options: {
    includeAccess: boolean;
    kinds: readonly TimelineKind[] | null;
    before: TimelineCursor | null;
    limit: number;
  },
): Promise<{ nhsNumber: string; entries: TimelineEntry[]; next: TimelineCursor | null }> {
  const { child, brokeGlass } = await openChildByNhsNumber(db, actor, nhsNumber, 'child.timeline');
  const rows = await select<TimelineEntry & { o: number; atExact: string }>(
    db,
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
            to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_exact, kind, summary, ref, actor, o
     FROM (${SOURCES}) e
     WHERE at IS NOT NULL
       AND ($4::text[] IS NULL OR kind = ANY($4::text[]))
       AND ($5::timestamptz IS NULL OR (at, o, ref) < ($5::timestamptz, $6::int, $7::text))
     ORDER BY at DESC, o DESC, ref DESC LIMIT $8`,
    [
      child.id,
      child.nhsNumber,
      options.includeAccess,
      options.kinds,
      options.before?.at ?? null,
      options.before?.order ?? 0,
      options.before?.ref ?? '',
      options.limit + 1,
      CONTACT_LABELS,
    ],
  );
  await auditChildRead(db, actor, 'child.timeline', child, brokeGlass);
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    nhsNumber: child.nhsNumber,
    entries: page.map(({ at, kind, summary, ref, actor }) => ({ at, kind, summary, ref, actor })),
    next: rows.length > options.limit && last ? { at: last.atExact, order: last.o, ref: last.ref } : null,
  };
}
