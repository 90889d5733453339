/** S11 Processes: every definition with its latest version, who deployed it, and what still runs on each version. */
import { useEffect, useState } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type DefinitionSummary } from '../../api/processes';
import { Loading } from '../../app/App';
import { useUser } from '../../app/auth';
import { Link } from '../../app/router';
import { formatDateTime } from '../../format/dates';
import { listDrafts } from '../../manager/drafts';
import '../../manager/manager.css';
import { TableHead } from '../../components/TableHead';

export const canEdit = (role: string) => role === 'service_manager' || role === 'administrator';

export function runningText(d: DefinitionSummary): string {
  if (d.instances.running === 0) return 'None';
  return d.instances.byVersion.map((v) => `${v.running} on v${v.version}`).join(', ');
}

export default function ProcessesPage() {
  const user = useUser();
  const [definitions, setDefinitions] = useState<DefinitionSummary[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const drafts = listDrafts();
  useEffect(() => {
    processApi
      .definitions()
      .then((r) => setDefinitions(r.definitions))
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, []);
  return (
    <>
      <h1>Processes</h1>
      {canEdit(user.role) && (
        <p>
          <Link className="nhsuk-button" to="/processes/new">
            Create a new process
          </Link>
        </p>
      )}
      {problem && (
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body">{problem}</p>
        </div>
      )}
      {!definitions && !problem && <Loading />}
      {definitions && (
        <table className="nhsuk-table">
          <TableHead
            caption="Deployed processes"
            columns={['Process', 'Latest version', 'Deployed', 'Running instances']}
          />
          <tbody className="nhsuk-table__body">
            {definitions.map((d) => (
              <tr className="nhsuk-table__row" key={d.key}>
                <td className="nhsuk-table__cell">
                  <Link to={`/processes/${encodeURIComponent(d.key)}`}>{d.name ?? d.key}</Link>
                  <span className="chis-element-id">{d.key}</span>
                </td>
                <td className="nhsuk-table__cell">{d.version}</td>
                <td className="nhsuk-table__cell">
                  {formatDateTime(d.deployedAt)}
                  <br />
                  by {d.deployedBy ?? 'start-up (definitions folder)'}
                </td>
                <td className="nhsuk-table__cell">
                  {runningText(d)}
                  {d.instances.incident > 0 && (
                    <>
                      {' '}
                      <strong className="nhsuk-tag nhsuk-tag--red">{d.instances.incident} with incident</strong>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit(user.role) && drafts.length > 0 && (
        <>
          <h2>Drafts in this browser</h2>
          <ul className="nhsuk-list nhsuk-list--bullet">
            {drafts.map((d) => (
              <li key={d.key}>
                <Link to={`/processes/${encodeURIComponent(d.key)}/edit?draft=yes`}>{d.key}</Link>, saved{' '}
                {formatDateTime(d.savedAt)}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
