import { useCallback, useEffect, useState } from 'react';
import { api, query } from '../api/client';
import type { ConcernRow, SafeguardingSummary, TaskPage, TaskRow } from '../api/types';
import { usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { Link } from '../app/router';
import { AlertTag, childName } from '../components/ChildBanner';
import { ConcernStatusTag } from '../components/ConcernTags';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { problemErrors } from '../components/Problem';
import { Waited } from '../components/Sla';
import { PriorityTag, TaskStatusTag } from '../components/Tags';
import { formatNhsNumber } from '../format/nhs-number';
import { AlertsTable, useAlerts } from './AlertsPage';
import { TableHead } from '../components/TableHead';

function Card({
  count,
  label,
  to,
  limit,
  urgent,
}: {
  count: number | undefined;
  label: string;
  to: string;
  limit: number;
  urgent?: boolean;
}) {
  return (
    <li className="nhsuk-grid-column-one-quarter nhsuk-card-group__item">
      <div className="nhsuk-card nhsuk-card--clickable">
        <div className="nhsuk-card__content">
          <p
            className={`nhsuk-heading-xl nhsuk-u-margin-bottom-1${urgent && count ? ' app-overdue' : ''}`}
            aria-hidden="true"
          >
            {count === undefined ? '…' : count >= limit ? `${limit}+` : count}
          </p>
          <h2 className="nhsuk-card__heading nhsuk-heading-s">
            <Link className="nhsuk-card__link" to={to}>
              <span className="nhsuk-u-visually-hidden">
                {count === undefined ? '' : count >= limit ? `${limit} or more ` : `${count} `}
              </span>
              {label}
            </Link>
          </h2>
        </div>
      </div>
    </li>
  );
}

/** The safeguarding lead's day: what was escalated, what waits, who broke glass, in their localities. */
export default function SafeguardingPage() {
  usePageTitle('Safeguarding dashboard');
  const user = useUser();
  const [summary, setSummary] = useState<SafeguardingSummary | null>(null);
  const [escalated, setEscalated] = useState<TaskRow[] | null>(null);
  const [concerns, setConcerns] = useState<ConcernRow[] | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const alerts = useAlerts(true, setErrors);

  const load = useCallback(() => {
    const fail = (e: unknown) => setErrors(problemErrors(e));
    api<SafeguardingSummary>('/safeguarding/summary').then(setSummary).catch(fail);
    api<TaskPage>(`/tasks/queues/escalated${query({ limit: 10 })}`)
      .then((p) => setEscalated(p.tasks))
      .catch(fail);
    api<{ concerns: ConcernRow[] }>(`/concerns${query({ status: 'active', limit: 10 })}`)
      .then((r) => setConcerns(r.concerns))
      .catch(fail);
  }, []);
  useEffect(load, [load]);

  const limit = summary?.limit ?? 1000;
  const localities = user.localities.map((l) => l.name).join(', ');
  return (
    <>
      <ErrorSummary errors={errors} />
      <span className="nhsuk-caption-l">{localities}</span>
      <h1>Safeguarding dashboard</h1>
      <ul className="nhsuk-grid-row nhsuk-card-group">
        <Card count={summary?.escalatedTasks} label="Escalated tasks" to="#escalated-tasks" limit={limit} urgent />
        <Card
          count={
            summary
              ? summary.concerns.open +
                summary.concerns.escalated +
                summary.concerns.monitoring +
                summary.concerns.referred
              : undefined
          }
          label="Open concerns"
          to="/concerns"
          limit={limit}
        />
        <Card count={summary?.openAlerts} label="Break-glass alerts to acknowledge" to="/alerts" limit={limit} urgent />
        <Card count={summary?.overdueTasks} label="Overdue tasks" to="/my-work?queue=overdue" limit={limit} urgent />
      </ul>

      <h2 className="nhsuk-heading-m" id="escalated-tasks">
        Escalated tasks
      </h2>
      {escalated === null ? (
        <p role="status">Loading…</p>
      ) : escalated.length === 0 ? (
        <p>No escalated tasks in your localities.</p>
      ) : (
        <table className="nhsuk-table" data-testid="escalated-tasks">
          <TableHead
            caption="Escalated tasks, highest priority first"
            columns={['Task', 'Child', 'Waiting', 'Status']}
          />
          <tbody className="nhsuk-table__body">
            {escalated.map((t) => (
              <tr key={t.id}>
                <td className="nhsuk-table__cell">
                  <PriorityTag priority={t.priority} /> <Link to={`/tasks/${t.id}`}>{t.name}</Link>
                  {t.escalationReason && (
                    <>
                      <br />
                      <span className="nhsuk-body-s">{t.escalationReason}</span>
                    </>
                  )}
                </td>
                <td className="nhsuk-table__cell">
                  {t.child ? (
                    <>
                      {childName(t.child)} <AlertTag alert={t.child.safeguardingAlert} />
                      <br />
                      <span className="nhsuk-body-s app-nowrap">{formatNhsNumber(t.child.nhsNumber)}</span>
                    </>
                  ) : (
                    'Not shown'
                  )}
                </td>
                <td className="nhsuk-table__cell">
                  <Waited since={t.escalatedAt ?? t.createdAt} dueAt={t.dueAt} />
                </td>
                <td className="nhsuk-table__cell">
                  <TaskStatusTag status={t.status} assignee={t.assignee} me={user.username} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 className="nhsuk-heading-m">Concerns waiting for a decision</h2>
      {concerns === null ? (
        <p role="status">Loading…</p>
      ) : concerns.length === 0 ? (
        <p>No open concerns in your localities.</p>
      ) : (
        <ConcernTable concerns={concerns} />
      )}
      <p>
        <Link to="/concerns">All concerns</Link>
      </p>

      <h2 className="nhsuk-heading-m">Break-glass alerts to acknowledge</h2>
      <AlertsTable {...alerts} />
      <p>
        <Link to="/alerts">All break-glass alerts</Link> · <Link to="/team">Team workload</Link>
      </p>
    </>
  );
}

export function ConcernTable({ concerns }: { concerns: ConcernRow[] }) {
  return (
    <table className="nhsuk-table" data-testid="concerns-table">
      <TableHead caption="Concerns, escalated first" columns={['Concern', 'Child', 'Waiting', 'Status']} />
      <tbody className="nhsuk-table__body">
        {concerns.map((c) => (
          <tr key={c.id}>
            <td className="nhsuk-table__cell">
              <Link to={`/concerns/${c.id}`}>{c.summary.length > 120 ? `${c.summary.slice(0, 117)}…` : c.summary}</Link>
            </td>
            <td className="nhsuk-table__cell">
              {c.child ? (
                <>
                  {childName(c.child)}
                  <br />
                  <span className="nhsuk-body-s app-nowrap">{formatNhsNumber(c.child.nhsNumber)}</span>
                </>
              ) : (
                <span className="app-nowrap">{formatNhsNumber(c.nhsNumber)}</span>
              )}
            </td>
            <td className="nhsuk-table__cell">
              {c.status === 'closed' ? (
                'Closed'
              ) : (
                <Waited since={c.escalatedAt ?? c.raisedAt} dueAt={c.decision?.dueAt ?? null} />
              )}
            </td>
            <td className="nhsuk-table__cell">
              <ConcernStatusTag status={c.status} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
