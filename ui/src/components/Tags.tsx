import type { TaskStatus } from '../api/types';
import { dueState, formatDate } from '../format/dates';

/** Priority as the engine sets it (0–100): high from 70, low under 40. */
export function PriorityTag({ priority }: { priority: number }) {
  if (priority >= 70) return <strong className="nhsuk-tag nhsuk-tag--red">High</strong>;
  if (priority >= 40) return <strong className="nhsuk-tag nhsuk-tag--blue">Medium</strong>;
  return <strong className="nhsuk-tag nhsuk-tag--grey">Low</strong>;
}

export function TaskStatusTag({ status, assignee, me }: { status: TaskStatus; assignee: string | null; me: string }) {
  switch (status) {
    case 'open':
      return <strong className="nhsuk-tag nhsuk-tag--white">Unclaimed</strong>;
    case 'claimed':
      return assignee === me ? (
        <strong className="nhsuk-tag nhsuk-tag--green">Claimed by you</strong>
      ) : (
        <strong className="nhsuk-tag nhsuk-tag--aqua-green">Claimed by {assignee}</strong>
      );
    case 'completed':
      return <strong className="nhsuk-tag nhsuk-tag--grey">Completed</strong>;
    case 'cancelled':
      return <strong className="nhsuk-tag nhsuk-tag--grey">Cancelled</strong>;
  }
}

/** The due date and how it stands: red and "Overdue by …" when past. */
export function Due({ dueAt, now }: { dueAt: string | null; now?: Date }) {
  if (!dueAt) return <>No due date</>;
  const state = dueState(dueAt, now);
  return (
    <>
      <span className="app-nowrap">{formatDate(dueAt)}</span>
      <br />
      <span className={state.overdue ? 'app-overdue' : 'nhsuk-body-s'}>{state.text}</span>
    </>
  );
}
