/**
 * Dates and ages the NHS way: "2 Apr 2026" (day, short month, year), times in UK time, and
 * ages that suit children: days for a newborn, then weeks, months, then years.
 */
const ZONE = 'Europe/London';
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: ZONE,
});
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
  timeZone: ZONE,
});
const DAY_MS = 86_400_000;

/** A calendar date (YYYY-MM-DD) or an instant (ISO with time), shown as "2 Apr 2026". */
export function formatDate(value: string | null | undefined): string {
  if (!value) return 'Not known';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) return 'Not known';
  return dateFormat.format(date);
}

/** An instant as "2 Apr 2026 at 14:05" (UK time). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return 'Not known';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return 'Not known';
  return `${dateFormat.format(date)} at ${timeFormat.format(date)}`;
}

function civil(iso: string): { y: number; m: number; d: number } {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return { y, m, d };
}

/** Today's calendar date in the UK as YYYY-MM-DD. */
export function todayInUk(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    now,
  );
}

/** Whole calendar months from one date to another (a month is complete on the same day number). */
function monthsBetween(from: string, to: string): number {
  const a = civil(from);
  const b = civil(to);
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  if (b.d < a.d) months -= 1;
  return months;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Age from a date of birth: under 4 weeks in days, under 3 months in weeks, under 2 years in
 * months, then years (e.g. "12 days", "6 weeks", "8 months", "3 years").
 */
export function formatAge(dateOfBirth: string, today: string = todayInUk()): string {
  const days = Math.round(
    (Date.parse(`${today.slice(0, 10)}T00:00:00Z`) - Date.parse(`${dateOfBirth.slice(0, 10)}T00:00:00Z`)) / DAY_MS,
  );
  if (Number.isNaN(days)) return 'Not known';
  if (days < 0) return 'Not born yet';
  const months = monthsBetween(dateOfBirth, today);
  if (days < 28) return plural(days, 'day');
  if (months < 3) return plural(Math.floor(days / 7), 'week');
  if (months < 24) return plural(months, 'month');
  return plural(Math.floor(months / 12), 'year');
}

/** A span of time in the largest whole unit that fits: "3 days", "5 hours", "12 minutes". */
export function formatSpan(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 60) return plural(Math.max(minutes, 1), 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 60) return plural(days, 'day');
  return plural(Math.floor(days / 30), 'month');
}

/** How a due date reads relative to now: overdue, due today, or due in a span. */
export function dueState(dueAt: string | null, now: Date = new Date()): { overdue: boolean; text: string } {
  if (!dueAt) return { overdue: false, text: 'No due date' };
  const due = new Date(dueAt);
  const diff = due.getTime() - now.getTime();
  if (diff < 0) return { overdue: true, text: `Overdue by ${formatSpan(diff)}` };
  if (todayInUk(due) === todayInUk(now)) return { overdue: false, text: 'Due today' };
  return { overdue: false, text: `Due in ${formatSpan(diff)}` };
}
