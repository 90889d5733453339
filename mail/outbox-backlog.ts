/**
 * The mail outbox as a process without the relay sees it (the api role when the relay runs
 * elsewhere): the backlog read from the table, not the relay's view of the mail server.
 */
import { summariseUnsentNotifications } from '../records/outbox';
import type { Db } from '../records/sql';

/** Mail waiting longer than this is behind (the relay's default alert age). */
export const OUTBOX_ALERT_AFTER_MS = 15 * 60_000;

export async function outboxBacklogHealth(
  db: Db,
  alertAfterMs = OUTBOX_ALERT_AFTER_MS,
): Promise<{ status: 'up'; latencyMs: number; detail: string } | { status: 'delayed'; detail: string }> {
  const started = Date.now();
  const s = await summariseUnsentNotifications(db, alertAfterMs);
  const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
  const waiting =
    s.unsent === 0
      ? 'no mail waiting'
      : `${s.unsent} message(s) waiting, the oldest for ${minutes(Date.now() - (s.oldestCreatedAt?.getTime() ?? Date.now()))}` +
        (s.old > 0 ? `; ${s.old} older than ${minutes(alertAfterMs)}` : '');
  const detail = `delivered by a relay process; ${waiting}`;
  return s.old > 0 ? { status: 'delayed', detail } : { status: 'up', latencyMs: Date.now() - started, detail };
}
