import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiProblem, PROBLEM } from '../api/client';
import type { Task, TaskDetail } from '../api/types';
import { Loading, usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { ROLE_NAMES } from '../app/Layout';
import { Link, navigate, useParams } from '../app/router';
import { InsetText, NotificationBanner } from '../components/Callouts';
import { ChildBanner, childName } from '../components/ChildBanner';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { Button } from '../components/Fields';
import { setFlash } from '../components/flash';
import { problemErrors } from '../components/Problem';
import { SummaryList } from '../components/SummaryList';
import { Due, PriorityTag, TaskStatusTag } from '../components/Tags';
import { formatDate, formatDateTime } from '../format/dates';
import { collectData, type FieldValue } from '../forms/values';
import { fieldId, formParts, inputsOf } from '../forms/schema';
import { TaskForm } from '../forms/TaskForm';
import { AssignPanel } from './task/AssignPanel';
import { readable } from './task/readable';
import { taskDetails } from './task/task-details';
import { reasonFor, rememberReason, taskReasonKey } from '../api/access-reasons';
import { BreakGlassForm, REASON_MAX, REASON_MIN } from '../components/BreakGlass';

/** Candidate groups as people know them: a team by its name, a role (every caseworker, every lead) by its name. */
function groupNames(task: TaskDetail): string {
  const teams = new Map(task.candidateTeams.map((t) => [t.code, t.name]));
  return task.candidateGroups
    .map((g) => teams.get(g) ?? (g in ROLE_NAMES ? `Any ${ROLE_NAMES[g as keyof typeof ROLE_NAMES].toLowerCase()}` : g))
    .join(', ');
}

export default function TaskPage() {
  const { id } = useParams<'id'>();
  const user = useUser();
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [loadProblem, setLoadProblem] = useState<ApiProblem | null>(null);
  const [values, setValues] = useState<Record<string, FieldValue>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [conflict, setConflict] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [needsReason, setNeedsReason] = useState<{ min: number; max: number } | null>(null);
  // A task about a child the person has no relationship with opens only with a stated reason (break glass).
  const accessReason = reasonFor(taskReasonKey(id));
  usePageTitle(task ? task.name : 'Task');

  const load = useCallback(async () => {
    try {
      setTask(await api<TaskDetail>(`/tasks/${id}`, { accessReason: reasonFor(taskReasonKey(id)) }));
      setLoadProblem(null);
      setNeedsReason(null);
    } catch (error) {
      if (error instanceof ApiProblem && error.is(PROBLEM.accessReasonRequired)) {
        setNeedsReason({
          min: Number(error.extra.minReasonLength ?? REASON_MIN),
          max: Number(error.extra.maxReasonLength ?? REASON_MAX),
        });
      } else if (error instanceof ApiProblem) setLoadProblem(error);
      else throw error;
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const parts = useMemo(() => (task ? formParts(task.form.schema, task.form.fields, task.input) : []), [task]);
  const fields = useMemo(() => inputsOf(parts), [parts]);

  if (needsReason) {
    return (
      <BreakGlassForm
        heading="Why do you need to open this task?"
        about="The task is about a child you have no working relationship with (not in your localities, not routed to you)."
        min={needsReason.min}
        max={needsReason.max}
        onReason={(reason) => {
          rememberReason(taskReasonKey(id), reason);
          setNeedsReason(null);
          void load();
        }}
        onCancel={() => navigate('/my-work')}
      />
    );
  }
  if (loadProblem) {
    return (
      <>
        <h1>
          {loadProblem.status === 404
            ? 'Task not found'
            : loadProblem.status === 403
              ? 'You cannot open this task'
              : 'The task could not be loaded'}
        </h1>
        <p>{loadProblem.detail}</p>
        <p>
          <Link to="/my-work">Go back to My work</Link>
        </p>
      </>
    );
  }
  if (!task) return <Loading />;

  const mine = task.status === 'claimed' && task.assignee === user.username;
  const isLead = user.role === 'safeguarding_lead';
  const labelOf = (key: string) => fields.find((f) => f.key === key)?.label ?? key;

  /** A refused change: a conflict asks to reload; field problems go to their fields. */
  const refused = (error: unknown) => {
    if (error instanceof ApiProblem && (error.is(PROBLEM.taskConflict) || error.status === 409)) {
      const by = error.extra.currentAssignee;
      setConflict(true);
      // Show the task as it is now (who has it), until the person reloads it.
      if (error.is(PROBLEM.taskConflict)) {
        setTask((t) =>
          t
            ? {
                ...t,
                status: (error.extra.currentStatus as Task['status']) ?? t.status,
                assignee: typeof by === 'string' ? by : null,
                rowVersion: Number(error.extra.currentVersion ?? t.rowVersion),
              }
            : t,
        );
      }
      setErrors([
        {
          fieldId: null,
          text:
            error.extra.currentStatus === 'claimed' && typeof by === 'string' && by !== user.username
              ? `Someone else got there first: this task is now claimed by ${by}.`
              : `This task has changed since you opened it: ${error.detail}`,
        },
      ]);
      return;
    }
    if (error instanceof ApiProblem && error.errors.some((e) => e.field.startsWith('body.data.'))) {
      const byField: Record<string, string> = {};
      for (const e of error.errors) {
        if (e.field.startsWith('body.data.')) {
          const key = e.field.slice('body.data.'.length);
          byField[key] = `${labelOf(key)} ${e.message}`;
        }
      }
      setFieldErrors(byField);
      setErrors(
        error.errors.map((e) => {
          const key = e.field.startsWith('body.data.') ? e.field.slice('body.data.'.length) : null;
          return { fieldId: key ? fieldId(key) : null, text: key ? byField[key] : `${e.field} ${e.message}` };
        }),
      );
      return;
    }
    setErrors(problemErrors(error));
  };

  const change = async (action: 'claim' | 'unclaim') => {
    setBusy(true);
    setErrors([]);
    setNotice(null);
    try {
      const changed = await api<Task>(`/tasks/${task.id}/${action}`, {
        body: { expectedVersion: task.rowVersion },
        accessReason,
      });
      setTask(merged(task, changed));
      setNotice(
        action === 'claim'
          ? 'You claimed this task. Record the outcome below when you have done it.'
          : 'You unclaimed this task: it is back in its queue.',
      );
    } catch (error) {
      refused(error);
    } finally {
      setBusy(false);
    }
  };

  const complete = async (event: FormEvent) => {
    event.preventDefault();
    setErrors([]);
    setNotice(null);
    const { data, problems } = collectData(fields, values);
    setFieldErrors(problems);
    if (Object.keys(problems).length > 0) {
      setErrors(Object.entries(problems).map(([key, text]) => ({ fieldId: fieldId(key), text })));
      return;
    }
    setBusy(true);
    try {
      await api<Task>(`/tasks/${task.id}/complete`, {
        body: { data, expectedVersion: task.rowVersion },
        accessReason,
      });
      setFlash(`"${task.name}" completed${task.child ? ` for ${childName(task.child)}` : ''}.`);
      navigate('/my-work?queue=mine');
    } catch (error) {
      refused(error);
      setBusy(false);
    }
  };

  const rows = [
    { key: 'Status', value: <TaskStatusTag status={task.status} assignee={task.assignee} me={user.username} /> },
    { key: 'Priority', value: <PriorityTag priority={task.priority} /> },
    { key: 'Due', value: <Due dueAt={task.dueAt} /> },
    ...(task.followUpAt ? [{ key: 'Follow up from', value: formatDate(task.followUpAt) }] : []),
    { key: 'Created', value: formatDateTime(task.createdAt) },
    ...(task.escalatedAt
      ? [
          {
            key: 'Escalated',
            value: `${formatDateTime(task.escalatedAt)}${task.escalationReason ? `: ${task.escalationReason}` : ''}`,
          },
        ]
      : []),
    ...(task.candidateGroups.length > 0 ? [{ key: 'Team', value: groupNames(task) }] : []),
  ];
  const details = taskDetails(task.input);

  return (
    <>
      <Link className="nhsuk-back-link" to="/my-work">
        Back to My work
      </Link>
      {notice && (
        <NotificationBanner success>
          <p className="nhsuk-notification-banner__heading">{notice}</p>
        </NotificationBanner>
      )}
      <ErrorSummary errors={errors} title={conflict ? 'This task has changed' : 'There is a problem'} />
      {conflict && (
        <Button
          secondary
          onClick={() => {
            setConflict(false);
            setErrors([]);
            setFieldErrors({});
            void load();
          }}
        >
          Reload the task
        </Button>
      )}
      <span className="nhsuk-caption-l">
        {task.definition
          ? `${task.definition.name ?? task.definition.key} (version ${task.definition.version})`
          : 'Task'}
      </span>
      <h1>{task.name}</h1>
      {task.child ? (
        <ChildBanner child={task.child} />
      ) : task.childId ? (
        <InsetText>
          <p>
            This task&apos;s child is outside your localities.{' '}
            {task.businessKey && (
              <Link to={`/children/${task.businessKey}`}>Open the child&apos;s record (you will be asked why)</Link>
            )}
          </p>
        </InsetText>
      ) : null}
      <SummaryList rows={rows} />
      {details.length > 0 && (
        <section aria-labelledby="task-details-heading" data-testid="task-details">
          <h2 className="nhsuk-heading-m" id="task-details-heading">
            Details
          </h2>
          <SummaryList rows={details} />
        </section>
      )}

      {task.status === 'open' && (
        <div className="nhsuk-button-group">
          <Button onClick={() => void change('claim')} disabled={busy}>
            Claim this task
          </Button>
        </div>
      )}
      {task.status === 'claimed' && !mine && (
        <InsetText>
          <p>
            {task.assignee} is working on this task
            {task.claimedAt ? ` (claimed ${formatDateTime(task.claimedAt)})` : ''}.
          </p>
        </InsetText>
      )}
      {mine && (
        <form onSubmit={(e) => void complete(e)} noValidate>
          <h2 className="nhsuk-heading-m">Record the outcome</h2>
          {parts.length === 0 ? (
            <p>This task has no form: complete it when it is done.</p>
          ) : (
            <TaskForm
              parts={parts}
              values={values}
              errors={fieldErrors}
              onChange={(key, value) => setValues((v) => ({ ...v, [key]: value }))}
            />
          )}
          <div className="nhsuk-button-group">
            <Button type="submit" disabled={busy}>
              Complete task
            </Button>
            <Button secondary onClick={() => void change('unclaim')} disabled={busy}>
              Unclaim
            </Button>
          </div>
        </form>
      )}
      {task.status === 'completed' && (
        <>
          <InsetText>
            <p>
              Completed by {task.completedBy ?? 'Not known'} on {formatDateTime(task.completedAt)}
              {task.outcome ? ` (${task.outcome})` : ''}.
            </p>
          </InsetText>
          {task.data && Object.keys(task.data).length > 0 && (
            <SummaryList
              rows={Object.entries(task.data).map(([key, value]) => ({
                key: labelOf(key),
                value: readable(value) ?? 'Not given',
              }))}
            />
          )}
        </>
      )}
      {task.status === 'cancelled' && (
        <InsetText>
          <p>This task was cancelled: its process moved on without it.</p>
        </InsetText>
      )}
      {isLead && (task.status === 'open' || task.status === 'claimed') && (
        <AssignPanel
          task={task}
          onAssigned={(changed, to) => {
            setTask(merged(task, changed));
            setErrors([]);
            setNotice(to ? `The task is now assigned to ${to}.` : 'The task is back in its queue.');
          }}
          onRefused={refused}
        />
      )}
    </>
  );
}

/** A change's answer is a plain task: keep what only the task page's read has (form schema, child, definition). */
function merged(task: TaskDetail, changed: Task): TaskDetail {
  return { ...task, ...changed, form: task.form, child: task.child, definition: task.definition };
}
