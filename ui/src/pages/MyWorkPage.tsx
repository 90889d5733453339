import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiProblem, PROBLEM, query } from '../api/client';
import type { QueueCounts, TaskPage, TaskRow } from '../api/types';
import { usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { Link, setSearch, useLocation } from '../app/router';
import { NotificationBanner } from '../components/Callouts';
import { AlertTag, childName } from '../components/ChildBanner';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { Button, Select } from '../components/Fields';
import { useFlash } from '../components/flash';
import { problemErrors } from '../components/Problem';
import { Due, PriorityTag, TaskStatusTag } from '../components/Tags';
import { formatAge } from '../format/dates';
import { formatNhsNumber } from '../format/nhs-number';
import { TableHead } from '../components/TableHead';

interface Queue {
  id: string;
  label: string;
  path: string;
  caption: string;
}

const FIXED: Queue[] = [
  { id: 'mine', label: 'Mine', path: '/tasks/queues/mine', caption: 'Tasks you have claimed' },
  {
    id: 'unclaimed',
    label: 'Unclaimed',
    path: '/tasks/queues/unclaimed',
    caption: "Your teams' tasks that nobody has claimed",
  },
  { id: 'due-today', label: 'Due today', path: '/tasks/queues/due-today', caption: 'Tasks due today' },
  { id: 'overdue', label: 'Overdue', path: '/tasks/queues/overdue', caption: 'Tasks past their due date' },
];

function queueOf(id: string, counts: QueueCounts | null, localities: Array<{ code: string; name: string }>): Queue {
  const fixed = FIXED.find((q) => q.id === id);
  if (fixed) return fixed;
  if (id.startsWith('locality:')) {
    const code = id.slice('locality:'.length);
    const name = localities.find((l) => l.code === code)?.name ?? code;
    return {
      id,
      label: name,
      path: `/tasks/queues/locality/${encodeURIComponent(code)}`,
      caption: `Open tasks in ${name}`,
    };
  }
  if (id.startsWith('process:')) {
    const key = id.slice('process:'.length);
    const name = counts?.processes.find((p) => p.key === key)?.name ?? key;
    return {
      id,
      label: name,
      path: `/tasks/queues/process/${encodeURIComponent(key)}`,
      caption: `Open tasks of ${name}`,
    };
  }
  return FIXED[0];
}

function countText(n: number | undefined, limit: number): string {
  if (n === undefined) return '…';
  return n >= limit ? `${limit}+` : String(n);
}

export default function MyWorkPage() {
  usePageTitle('My work');
  const user = useUser();
  const { search } = useLocation();
  const queueId = search.get('queue') ?? 'mine';
  const [counts, setCounts] = useState<QueueCounts | null>(null);
  const queue = queueOf(queueId, counts, user.localities);
  const [rows, setRows] = useState<TaskRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [notice, setNotice] = useFlash();
  const [loadedMore, setLoadedMore] = useState('');
  const [processChoice, setProcessChoice] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const generation = useRef(0);

  const loadCounts = useCallback(() => {
    api<QueueCounts>('/tasks/queues/counts')
      .then(setCounts)
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    const mine = ++generation.current;
    setRows(null);
    setNext(null);
    setLoadedMore('');
    api<TaskPage>(queue.path)
      .then((page) => {
        if (mine !== generation.current) return;
        setRows(page.tasks);
        setNext(page.next);
      })
      .catch((error: unknown) => mine === generation.current && (setRows([]), setErrors(problemErrors(error))));
    loadCounts();
  }, [queue.path, loadCounts]);

  const loadMore = async () => {
    if (!next) return;
    setBusy('more');
    try {
      const page = await api<TaskPage>(`${queue.path}${query({ cursor: next })}`);
      setRows((current) => [...(current ?? []), ...page.tasks]);
      setNext(page.next);
      setLoadedMore(`${page.tasks.length} more tasks shown`);
    } catch (error) {
      setErrors(problemErrors(error));
    } finally {
      setBusy(null);
    }
  };

  const claim = async (task: TaskRow) => {
    setBusy(task.id);
    setErrors([]);
    setNotice(null);
    try {
      const claimed = await api<TaskRow>(`/tasks/${task.id}/claim`, { body: { expectedVersion: task.rowVersion } });
      setRows((current) => (current ?? []).map((r) => (r.id === task.id ? { ...r, ...claimed, child: r.child } : r)));
      setNotice(`You claimed "${task.name}"${task.child ? ` for ${childName(task.child)}` : ''}.`);
      loadCounts();
    } catch (error) {
      if (error instanceof ApiProblem && error.is(PROBLEM.taskConflict)) {
        const by = error.extra.currentAssignee;
        setErrors([
          {
            fieldId: null,
            text:
              typeof by === 'string'
                ? `Someone else got there first: "${task.name}" is now claimed by ${by}.`
                : `"${task.name}" changed since this list was loaded: ${error.detail}`,
          },
        ]);
        setRows((current) =>
          (current ?? []).map((r) =>
            r.id === task.id
              ? {
                  ...r,
                  status: (error.extra.currentStatus as TaskRow['status']) ?? r.status,
                  assignee: (by as string | null) ?? r.assignee,
                }
              : r,
          ),
        );
      } else {
        setErrors(problemErrors(error));
      }
    } finally {
      setBusy(null);
    }
  };

  const limit = counts?.limit ?? 1000;
  const countFor = (id: string): number | undefined => {
    if (!counts) return undefined;
    if (id === 'mine') return counts.mine;
    if (id === 'unclaimed') return counts.unclaimed;
    if (id === 'due-today') return counts.dueToday;
    if (id === 'overdue') return counts.overdue;
    if (id.startsWith('locality:')) return counts.localities.find((l) => `locality:${l.code}` === id)?.count;
    if (id.startsWith('process:')) return counts.processes.find((p) => `process:${p.key}` === id)?.count;
    return undefined;
  };
  const tabs = [...FIXED, ...user.localities.map((l) => queueOf(`locality:${l.code}`, counts, user.localities))];
  if (queueId.startsWith('process:')) tabs.push(queue);

  return (
    <>
      {notice && (
        <NotificationBanner success>
          <p className="nhsuk-notification-banner__heading">{notice}</p>
        </NotificationBanner>
      )}
      <ErrorSummary errors={errors} />
      <h1>My work</h1>
      <nav className="nhsuk-tabs" aria-label="Queues">
        <ul className="nhsuk-tabs__list">
          {tabs.map((tab) => {
            const current = tab.id === queue.id;
            return (
              <li key={tab.id} className={`nhsuk-tabs__list-item${current ? ' nhsuk-tabs__list-item--selected' : ''}`}>
                <Link
                  className="nhsuk-tabs__tab"
                  to={`/my-work?queue=${encodeURIComponent(tab.id)}`}
                  aria-current={current ? 'page' : undefined}
                >
                  {tab.label}
                  <span className="app-count" aria-hidden={countFor(tab.id) === undefined || undefined}>
                    {countText(countFor(tab.id), limit)}
                    <span className="nhsuk-u-visually-hidden"> tasks</span>
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      {counts && counts.processes.length > 0 && (
        <form
          className="app-actions nhsuk-u-margin-bottom-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (processChoice) setSearch({ queue: `process:${processChoice}` });
          }}
        >
          <Select
            id="process-queue"
            label="Tasks of one process"
            value={processChoice}
            onChange={setProcessChoice}
            placeholder="Choose a process"
            choices={counts.processes.map((p) => ({
              value: p.key,
              label: `${p.name ?? p.key} (${countText(p.count, limit)})`,
            }))}
          />
          <Button type="submit" secondary className="app-table-button">
            Show tasks
          </Button>
        </form>
      )}
      <QueueTable caption={queue.caption} rows={rows} me={user.username} busy={busy} onClaim={(t) => void claim(t)} />
      <p className="nhsuk-u-visually-hidden" role="status">
        {loadedMore}
      </p>
      {next && (
        <Button secondary onClick={() => void loadMore()} disabled={busy === 'more'}>
          Show more tasks
        </Button>
      )}
    </>
  );
}

export function QueueTable({
  caption,
  rows,
  me,
  busy,
  onClaim,
}: {
  caption: string;
  rows: TaskRow[] | null;
  me: string;
  busy?: string | null;
  onClaim?(task: TaskRow): void;
}) {
  if (rows === null) {
    return (
      <p className="nhsuk-body" role="status">
        Loading tasks…
      </p>
    );
  }
  if (rows.length === 0) return <p className="nhsuk-body">There are no tasks here.</p>;
  return (
    <table className="nhsuk-table-responsive" data-testid="queue-table">
      <TableHead
        caption={caption}
        captionStyle="s"
        columns={[
          'Priority',
          'Task',
          'Child',
          'Due',
          'Status',
          { label: 'Action', visuallyHidden: true, omit: !onClaim },
        ]}
      />
      <tbody className="nhsuk-table__body">
        {rows.map((task) => (
          <tr className="nhsuk-table__row" key={task.id} data-task-id={task.id}>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                Priority{' '}
              </span>
              <PriorityTag priority={task.priority} />
            </td>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                Task{' '}
              </span>
              <Link to={`/tasks/${task.id}`}>{task.name}</Link>
              {task.escalatedAt && (
                <>
                  <br />
                  <strong className="nhsuk-tag nhsuk-tag--orange">Escalated</strong>
                </>
              )}
            </td>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                Child{' '}
              </span>
              {task.child ? (
                <>
                  {childName(task.child)} <AlertTag alert={task.child.safeguardingAlert} />
                  <br />
                  {/* One unit, so the age never starts a line with its separator ("· 2 days"). */}
                  <span className="nhsuk-body-s app-nowrap">
                    {formatNhsNumber(task.child.nhsNumber)} · {formatAge(task.child.dateOfBirth)}
                  </span>
                </>
              ) : task.childId ? (
                'Outside your localities'
              ) : (
                'No child'
              )}
            </td>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                Due{' '}
              </span>
              <Due dueAt={task.dueAt} />
            </td>
            <td className="nhsuk-table__cell">
              <span className="nhsuk-table-responsive__heading" aria-hidden="true">
                Status{' '}
              </span>
              <TaskStatusTag status={task.status} assignee={task.assignee} me={me} />
            </td>
            {onClaim && (
              <td className="nhsuk-table__cell">
                {task.status === 'open' && (
                  <Button
                    secondary
                    className="nhsuk-button--small app-table-button"
                    onClick={() => onClaim(task)}
                    disabled={busy === task.id}
                  >
                    Claim
                    <span className="nhsuk-u-visually-hidden">
                      {' '}
                      {task.name}
                      {task.child ? ` for ${childName(task.child)}` : ''}
                    </span>
                  </Button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
