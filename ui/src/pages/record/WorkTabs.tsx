import { useEffect, useState } from 'react';
import { api, query } from '../../api/client';
import type { InstanceSummary, TaskPage, TaskRow } from '../../api/types';
import { Loading } from '../../app/App';
import { useUser } from '../../app/auth';
import { ErrorSummary, type SummaryError } from '../../components/ErrorSummary';
import { problemErrors } from '../../components/Problem';
import { formatDateTime } from '../../format/dates';
import { QueueTable } from '../MyWorkPage';

export function TasksTab({ nhsNumber, reason }: { nhsNumber: string; reason: string | null }) {
  const user = useUser();
  const [rows, setRows] = useState<TaskRow[] | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  useEffect(() => {
    api<TaskPage>(`/children/${nhsNumber}/tasks${query({ limit: 100 })}`, { accessReason: reason })
      .then((p) => setRows(p.tasks))
      .catch((e: unknown) => (setRows([]), setErrors(problemErrors(e))));
  }, [nhsNumber, reason]);
  return (
    <>
      <ErrorSummary errors={errors} />
      <h2 className="nhsuk-heading-m">Open tasks</h2>
      <QueueTable caption="The child's open tasks" rows={rows} me={user.username} />
    </>
  );
}

const STATUS: Record<string, string> = {
  running: 'nhsuk-tag--blue',
  completed: 'nhsuk-tag--green',
  incident: 'nhsuk-tag--red',
  cancelled: 'nhsuk-tag--grey',
  terminated: 'nhsuk-tag--grey',
  failed: 'nhsuk-tag--red',
};

export function ProcessesTab({ nhsNumber, reason }: { nhsNumber: string; reason: string | null }) {
  const [instances, setInstances] = useState<InstanceSummary[] | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  useEffect(() => {
    api<{ instances: InstanceSummary[] }>(`/process-instances${query({ businessKey: nhsNumber, limit: 100 })}`, {
      accessReason: reason,
    })
      .then((r) => setInstances(r.instances))
      .catch((e: unknown) => (setInstances([]), setErrors(problemErrors(e))));
  }, [nhsNumber, reason]);
  return (
    <>
      <ErrorSummary errors={errors} />
      <h2 className="nhsuk-heading-m">Processes</h2>
      {instances === null ? (
        <Loading />
      ) : instances.length === 0 ? (
        <p>No processes have run for this child.</p>
      ) : (
        <table className="nhsuk-table">
          <caption className="nhsuk-u-visually-hidden">Process instances for this child</caption>
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col">Process</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {instances.map((i) => (
              <tr key={i.id}>
                <td className="nhsuk-table__cell">
                  {i.definitionName ?? i.key} <span className="nhsuk-body-s">(version {i.version})</span>
                </td>
                <td className="nhsuk-table__cell">
                  <strong className={`nhsuk-tag ${STATUS[i.status] ?? 'nhsuk-tag--grey'}`}>
                    {i.status.charAt(0).toUpperCase() + i.status.slice(1)}
                  </strong>
                </td>
                <td className="nhsuk-table__cell">{formatDateTime(i.startedAt)}</td>
                <td className="nhsuk-table__cell">{i.endedAt ? formatDateTime(i.endedAt) : 'Still running'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
