import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { Workload } from '../api/types';
import { usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { ROLE_NAMES } from '../app/Layout';
import { Link } from '../app/router';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { problemErrors } from '../components/Problem';
import { TableHead } from '../components/TableHead';

/** Who holds how much work in the lead's localities, and what waits unclaimed in each team. */
export default function TeamPage() {
  usePageTitle('Team workload');
  const user = useUser();
  const [workload, setWorkload] = useState<Workload | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  useEffect(() => {
    api<Workload>('/safeguarding/workload')
      .then(setWorkload)
      .catch((e: unknown) => setErrors(problemErrors(e)));
  }, []);
  return (
    <>
      <ErrorSummary errors={errors} />
      <span className="nhsuk-caption-l">{user.localities.map((l) => l.name).join(', ')}</span>
      <h1>Team workload</h1>
      <p>To give a task to someone else, open the task and use &quot;Give this task to a colleague&quot;.</p>
      {!workload ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <table className="nhsuk-table" data-testid="workload-people">
            <TableHead
              caption="People"
              captionStyle="m"
              columns={[
                'Name',
                'Teams',
                { label: 'Tasks claimed', numeric: true },
                { label: 'Of which overdue', numeric: true },
              ]}
            />
            <tbody className="nhsuk-table__body">
              {workload.people.map((p) => (
                <tr key={p.username}>
                  <td className="nhsuk-table__cell">
                    {p.displayName}
                    <br />
                    <span className="nhsuk-body-s">{ROLE_NAMES[p.role]}</span>
                  </td>
                  <td className="nhsuk-table__cell">{p.teams.join(', ') || 'None'}</td>
                  <td className="nhsuk-table__cell nhsuk-table__cell--numeric">{p.claimed}</td>
                  <td className={`nhsuk-table__cell nhsuk-table__cell--numeric${p.overdue > 0 ? ' app-overdue' : ''}`}>
                    {p.overdue}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="nhsuk-table" data-testid="workload-teams">
            <TableHead
              caption="Unclaimed work by team"
              captionStyle="m"
              columns={['Team', { label: 'Unclaimed', numeric: true }, { label: 'Of which overdue', numeric: true }]}
            />
            <tbody className="nhsuk-table__body">
              {workload.teams.map((t) => (
                <tr key={t.code}>
                  <td className="nhsuk-table__cell">{t.name}</td>
                  <td className="nhsuk-table__cell nhsuk-table__cell--numeric">{t.unclaimed}</td>
                  <td className={`nhsuk-table__cell nhsuk-table__cell--numeric${t.overdue > 0 ? ' app-overdue' : ''}`}>
                    {t.overdue}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <Link to="/my-work?queue=unclaimed">Unclaimed tasks</Link>
          </p>
        </>
      )}
    </>
  );
}
