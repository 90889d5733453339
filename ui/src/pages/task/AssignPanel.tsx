import { useEffect, useRef, useState, type FormEvent } from 'react';
import { reasonFor, taskReasonKey } from '../../api/access-reasons';
import { api } from '../../api/client';
import type { StaffChoice, Task, TaskDetail } from '../../api/types';
import { ROLE_NAMES } from '../../app/Layout';
import { Button, Radios } from '../../components/Fields';

/**
 * A lead gives the task to a named colleague: the picker lists only people who may see the
 * task's child (GET /tasks/{id}/assignees), each with how many tasks they hold.
 */
export function AssignPanel({
  task,
  onAssigned,
  onRefused,
}: {
  task: TaskDetail;
  onAssigned(task: Task, to: string | null): void;
  onRefused(error: unknown): void;
}) {
  const [staff, setStaff] = useState<StaffChoice[] | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refused = useRef(onRefused);
  refused.current = onRefused;

  useEffect(() => {
    api<{ staff: StaffChoice[] }>(`/tasks/${task.id}/assignees`, { accessReason: reasonFor(taskReasonKey(task.id)) })
      .then((r) => setStaff(r.staff))
      .catch((e: unknown) => refused.current(e));
  }, [task.id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!choice) {
      setError('Select who to give the task to');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const to = choice === '-' ? null : choice;
      const changed = await api<Task>(`/tasks/${task.id}/assign`, {
        body: { assignee: to, expectedVersion: task.rowVersion },
        accessReason: reasonFor(taskReasonKey(task.id)),
      });
      const name = staff?.find((s) => s.username === to)?.displayName ?? to;
      onAssigned(changed, name);
      setChoice(null);
    } catch (e) {
      onRefused(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="nhsuk-u-margin-top-6">
      <h2 className="nhsuk-heading-m">Give this task to a colleague</h2>
      {staff === null ? (
        <p role="status">Loading colleagues…</p>
      ) : (
        <>
          <Radios
            id="assignee"
            label="Colleague"
            hint="Only people who work in this task's locality, and so may see its child, are listed."
            value={choice}
            onChange={setChoice}
            error={error}
            choices={[
              ...staff
                .filter((s) => s.username !== task.assignee)
                .map((s) => ({
                  value: s.username,
                  label: `${s.displayName} (${ROLE_NAMES[s.role]})`,
                  hint: `${s.claimedTasks} task${s.claimedTasks === 1 ? '' : 's'} claimed now${s.teamCodes.length ? ` · ${s.teamCodes.join(', ')}` : ''}`,
                })),
              ...(task.status === 'claimed' ? [{ value: '-', label: 'Nobody: put it back in its queue' }] : []),
            ]}
          />
          <Button type="submit" secondary disabled={busy}>
            Assign task
          </Button>
        </>
      )}
    </form>
  );
}
