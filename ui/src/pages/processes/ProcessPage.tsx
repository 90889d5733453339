/** S11 One process: its versions with who deployed them and what still runs on each; links to edit, compare, instances, heat map. */
import { useEffect, useState } from 'react';
import { ApiProblem } from '../../api/client';
import { processApi, type VersionRow } from '../../api/processes';
import { Loading } from '../../app/App';
import { useUser } from '../../app/auth';
import { Link, useParams } from '../../app/router';
import { formatDateTime } from '../../format/dates';
import { listDrafts } from '../../manager/drafts';
import { canEdit } from './ProcessesPage';
import { TableHead } from '../../components/TableHead';

export default function ProcessPage() {
  const { key } = useParams<'key'>();
  const user = useUser();
  const [versions, setVersions] = useState<VersionRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const draft = listDrafts().find((d) => d.key === key);
  useEffect(() => {
    processApi
      .versions(key)
      .then((r) => setVersions(r.versions))
      .catch((e: unknown) => setProblem(e instanceof ApiProblem ? e.detail || e.title : String(e)));
  }, [key]);
  const latest = versions?.[0];
  const enc = encodeURIComponent(key);
  return (
    <>
      <span className="nhsuk-caption-l">Process</span>
      <h1>{latest?.name ?? key}</h1>
      {problem && (
        <div className="nhsuk-error-summary" role="alert">
          <p className="nhsuk-body">{problem}</p>
        </div>
      )}
      {!versions && !problem && <Loading />}
      {latest && (
        <>
          <ul className="nhsuk-list">
            {canEdit(user.role) && (
              <li>
                <Link to={`/processes/${enc}/edit`}>Open version {latest.version} in the editor</Link>
              </li>
            )}
            {canEdit(user.role) && draft && (
              <li>
                <Link to={`/processes/${enc}/edit?draft=yes`}>
                  Open your draft (saved {formatDateTime(draft.savedAt)})
                </Link>
              </li>
            )}
            {versions!.length > 1 && (
              <li>
                <Link to={`/processes/${enc}/compare?from=${versions![1].version}&to=${latest.version}`}>
                  Compare version {versions![1].version} with version {latest.version}
                </Link>
              </li>
            )}
            <li>
              <Link to={`/processes/${enc}/live?version=${latest.version}`}>Where running instances are now</Link>
            </li>
            <li>
              <Link to={`/instances?key=${enc}`}>Instances of this process</Link>
            </li>
          </ul>
          <table className="nhsuk-table">
            <TableHead
              caption="Versions"
              captionStyle="plain"
              columns={['Version', 'Deployed', 'Running instances', { label: 'Actions', visuallyHidden: true }]}
            />
            <tbody className="nhsuk-table__body">
              {versions!.map((v, i) => (
                <tr className="nhsuk-table__row" key={v.version}>
                  <td className="nhsuk-table__cell">{v.version}</td>
                  <td className="nhsuk-table__cell">
                    {formatDateTime(v.deployedAt)} by {v.deployedBy ?? 'start-up'}
                  </td>
                  <td className="nhsuk-table__cell">
                    {v.instances.running}
                    {v.instances.incident > 0 && ` (${v.instances.incident} with incident)`}
                  </td>
                  <td className="nhsuk-table__cell">
                    <Link to={`/instances?key=${enc}&version=${v.version}`}>
                      Instances<span className="nhsuk-u-visually-hidden"> of version {v.version}</span>
                    </Link>
                    {i + 1 < versions!.length && (
                      <>
                        {' · '}
                        <Link to={`/processes/${enc}/compare?from=${versions![i + 1].version}&to=${v.version}`}>
                          Changes<span className="nhsuk-u-visually-hidden"> in version {v.version}</span>
                        </Link>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
