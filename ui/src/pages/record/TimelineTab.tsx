import { useEffect, useState } from 'react';
import { api, query } from '../../api/client';
import type { Timeline, TimelineEntry } from '../../api/types';
import { Loading } from '../../app/App';
import { Link } from '../../app/router';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { Button } from '../../components/Fields';
import { problemErrors } from '../../components/Problem';
import { formatDateTime } from '../../format/dates';

/** Timeline kinds in groups a person filters by. */
const GROUPS: Array<{ id: string; label: string; kinds: string[]; leadsOnly?: boolean }> = [
  { id: 'record', label: 'Birth, immunisations and screening', kinds: ['birth', 'immunisation', 'screening'] },
  {
    id: 'work',
    label: 'Tasks and processes',
    kinds: ['task_created', 'task_escalated', 'task_completed', 'process_started', 'process_ended'],
  },
  {
    id: 'safeguarding',
    label: 'Safeguarding',
    kinds: ['concern_raised', 'concern_note', 'concern_escalation', 'concern_closure', 'child_protection_alert'],
  },
  {
    id: 'moves',
    label: 'Moves, address and GP changes',
    kinds: ['transfer_requested', 'transfer_completed', 'address_changed', 'gp_changed', 'death_notified'],
  },
  {
    id: 'contact',
    label: 'Appointments and emails',
    kinds: ['appointment_attended', 'appointment_was_not_brought', 'email'],
  },
  { id: 'access', label: 'Who opened the record', kinds: ['record_opened', 'break_glass'], leadsOnly: true },
];

const LABELS: Record<string, string> = {
  birth: 'Birth',
  immunisation: 'Immunisation',
  screening: 'Screening result',
  concern_raised: 'Concern raised',
  concern_note: 'Concern note',
  concern_escalation: 'Concern escalated',
  concern_closure: 'Concern closed',
  task_created: 'Task created',
  task_escalated: 'Task escalated',
  task_completed: 'Task completed',
  process_started: 'Process started',
  process_ended: 'Process ended',
  transfer_requested: 'Transfer requested',
  transfer_completed: 'Transfer completed',
  address_changed: 'Address changed',
  gp_changed: 'GP practice changed',
  appointment_attended: 'Appointment attended',
  appointment_was_not_brought: 'Was Not Brought',
  child_protection_alert: 'Child protection alert',
  death_notified: 'Death notified',
  email: 'Email',
  record_opened: 'Record opened',
  break_glass: 'Opened with a stated reason',
};

function linkOf(entry: TimelineEntry): string | null {
  const [type, id] = entry.ref.split(':');
  if (type === 'task') return `/tasks/${id}`;
  if (type === 'concern') return `/concerns/${id}`;
  return null;
}

export function TimelineTab({
  nhsNumber,
  reason,
  showAccess,
}: {
  nhsNumber: string;
  reason: string | null;
  showAccess: boolean;
}) {
  const groups = GROUPS.filter((g) => showAccess || !g.leadsOnly);
  const [group, setGroup] = useState('all');
  const [entries, setEntries] = useState<TimelineEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const kinds = group === 'all' ? null : (groups.find((g) => g.id === group)?.kinds.join(',') ?? null);

  useEffect(() => {
    setEntries(null);
    api<Timeline>(`/children/${nhsNumber}/timeline${query({ kinds, limit: 50 })}`, { accessReason: reason })
      .then((t) => (setEntries(t.events), setNext(t.next)))
      .catch((e: unknown) => (setEntries([]), setErrors(problemErrors(e))));
  }, [nhsNumber, reason, kinds]);

  const older = async () => {
    if (!next) return;
    try {
      const t = await api<Timeline>(`/children/${nhsNumber}/timeline${query({ kinds, limit: 50, cursor: next })}`, {
        accessReason: reason,
      });
      setEntries((e) => [...(e ?? []), ...t.events]);
      setNext(t.next);
    } catch (e) {
      setErrors(problemErrors(e));
    }
  };

  return (
    <>
      <ErrorSummary errors={errors} />
      <h2 className="nhsuk-heading-m">Timeline</h2>
      <div className="nhsuk-form-group">
        <fieldset className="nhsuk-fieldset">
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Show</legend>
          <div className="nhsuk-radios nhsuk-radios--small nhsuk-radios--inline">
            {[{ id: 'all', label: 'Everything' }, ...groups].map((g) => (
              <div className="nhsuk-radios__item" key={g.id}>
                <input
                  className="nhsuk-radios__input"
                  id={`timeline-${g.id}`}
                  name="timeline-group"
                  type="radio"
                  checked={group === g.id}
                  onChange={() => setGroup(g.id)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={`timeline-${g.id}`}>
                  {g.label}
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </div>
      {entries === null ? (
        <Loading />
      ) : entries.length === 0 ? (
        <p>Nothing to show.</p>
      ) : (
        <ol className="app-timeline" aria-label="Timeline, newest first" data-testid="timeline">
          {entries.map((e) => {
            const link = linkOf(e);
            return (
              <li key={`${e.ref}-${e.kind}-${e.at}`} data-kind={e.kind}>
                <span className="app-timeline__when nhsuk-body-s">
                  {formatDateTime(e.at)}
                  {e.actor ? ` · ${e.actor}` : ''}
                </span>
                <strong
                  className={
                    e.kind === 'appointment_was_not_brought' || e.kind === 'break_glass' ? 'app-overdue' : undefined
                  }
                >
                  {LABELS[e.kind] ?? e.kind}
                </strong>
                : {link ? <Link to={link}>{e.summary}</Link> : e.summary}
              </li>
            );
          })}
        </ol>
      )}
      {next && (
        <Button secondary onClick={() => void older()}>
          Show older events
        </Button>
      )}
    </>
  );
}
