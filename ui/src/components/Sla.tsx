import { formatSpan } from '../format/dates';

/**
 * How long something has waited and how that stands against its deadline (SLA): "Waiting 3 days,
 * 1 day over its deadline" in red, or "Waiting 5 hours, 2 days left".
 */
export function Waited({ since, dueAt, now = new Date() }: { since: string; dueAt: string | null; now?: Date }) {
  const waited = formatSpan(now.getTime() - new Date(since).getTime());
  if (!dueAt) return <>Waiting {waited}</>;
  const left = new Date(dueAt).getTime() - now.getTime();
  return left < 0 ? (
    <>
      Waiting {waited}, <span className="app-overdue">{formatSpan(left)} over its deadline</span>
    </>
  ) : (
    <>
      Waiting {waited}, {formatSpan(left)} left
    </>
  );
}
