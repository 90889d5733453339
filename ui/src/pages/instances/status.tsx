import type { InstanceStatus } from '../../api/processes';

const TAGS: Record<InstanceStatus, { text: string; colour: string }> = {
  running: { text: 'Running', colour: 'blue' },
  incident: { text: 'Incident', colour: 'red' },
  completed: { text: 'Completed', colour: 'green' },
  cancelled: { text: 'Cancelled', colour: 'grey' },
  terminated: { text: 'Terminated', colour: 'grey' },
  failed: { text: 'Failed', colour: 'red' },
};

export const STATUS_CHOICES = (Object.keys(TAGS) as InstanceStatus[]).map((s) => ({ value: s, label: TAGS[s].text }));

export function StatusTag({ status }: { status: InstanceStatus }) {
  const tag = TAGS[status] ?? { text: status, colour: 'grey' };
  return <strong className={`nhsuk-tag nhsuk-tag--${tag.colour}`}>{tag.text}</strong>;
}
