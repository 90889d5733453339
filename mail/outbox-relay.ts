/**
 * The outbox relay: a loop in the worker process that delivers whatever is due (new rows,
 * retries after backoff, rows whose sender died). Several relays may run against one database;
 * claims keep them off each other's rows.
 *
 * When the mail server is unreachable the relay stops sending and probes it every few seconds
 * instead; the moment it answers, every waiting row is made due and delivered, whatever its
 * backoff. Mail older than `alertAfterMs` is reported at error level (repeated while it lasts)
 * and through status(), which /api/health shows.
 */
import type { Logger } from '../core/logger';
import { describeError } from '../core/describe-error';
import type { MailService } from './delivery';

export interface OutboxRelayOptions {
  mail: MailService;
  logger: Logger;
  /** Pause between polls when nothing was due (default 2 s). */
  intervalMs?: number;
  /** Rows claimed per round (default: the mail service's concurrency). */
  batchSize?: number;
  /** Probe interval while the server is unreachable (default 5 s). */
  probeEveryMs?: number;
  /** Mail not delivered this long after it was written raises the alert (default 15 min). */
  alertAfterMs?: number;
  /** The alert is logged again this often while it lasts (default 5 min). */
  alertEveryMs?: number;
  /** How often the age of waiting mail is checked (default 30 s). */
  checkEveryMs?: number;
  /** On stop, sends in progress get this long to finish before they are aborted (default 10 s). */
  stopGraceMs?: number;
}

export interface OutboxStatus {
  /** 'unknown' until the first probe or delivery. */
  smtp: 'reachable' | 'unreachable' | 'unknown';
  /** Since when the server has been unreachable (null when it is not). */
  unreachableSince: Date | null;
  /** Why the last probe failed. */
  lastError: string | null;
  /** From the last check of the outbox (every checkEveryMs): rows not sent yet... */
  unsent: number;
  /** ...how long the oldest has waited... */
  oldestUnsentAgeMs: number | null;
  /** ...and how many have waited longer than alertAfterMs. */
  old: number;
  /** Some mail has waited longer than alertAfterMs. */
  alert: boolean;
  alertAfterMs: number;
  checkedAt: Date | null;
}

export interface OutboxRelay {
  /** Runs rounds until nothing is due (or the server proves unreachable); resolves with the number sent. */
  drain(): Promise<number>;
  /** Polls again now instead of waiting for the interval (e.g. right after an enqueue). */
  wake(): void;
  status(): OutboxStatus;
  stop(): Promise<void>;
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { mail, logger } = options;
  const intervalMs = options.intervalMs ?? 2000;
  const batchSize = options.batchSize ?? mail.options.concurrency;
  const probeEveryMs = options.probeEveryMs ?? 5000;
  const alertAfterMs = options.alertAfterMs ?? 15 * 60_000;
  const alertEveryMs = options.alertEveryMs ?? 5 * 60_000;
  const checkEveryMs = options.checkEveryMs ?? 30_000;
  const stopGraceMs = options.stopGraceMs ?? 10_000;

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;
  /**
   * Down: a probe failed, so nothing is sent until one succeeds. Starting "down" makes the first
   * round a probe, which also resumes rows whose backoff outlived a restart. Suspect: sends
   * failed as if the server were unreachable; the next round probes, and only a probe failure
   * makes it down (a reachable server that refuses messages keeps their backoff).
   */
  let down: { since: Date; assumed: boolean } | null = { since: new Date(), assumed: true };
  let suspect = false;
  let lastProbeAt = 0;
  let lastError: string | null = null;
  let lastCheckAt = 0;
  let lastAlertAt = 0;
  const snapshot: Omit<OutboxStatus, 'smtp' | 'unreachableSince' | 'lastError' | 'alertAfterMs'> = {
    unsent: 0,
    oldestUnsentAgeMs: null,
    old: 0,
    alert: false,
    checkedAt: null,
  };
  let smtp: OutboxStatus['smtp'] = 'unknown';

  async function drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const round = await mail.deliverDue(batchSize);
      sent += round.sent;
      if (round.sent > 0) smtp = 'reachable';
      if (round.unreachable > 0 && round.sent === 0) {
        suspect = true;
        return sent;
      }
      // A full batch may mean more is due; a round with failures waits for the backoff.
      if (stopping || round.claimed < batchSize) return sent;
    }
  }

  async function probeIfNeeded(): Promise<void> {
    if (!down && !suspect) return;
    if (Date.now() - lastProbeAt < probeEveryMs) return;
    lastProbeAt = Date.now();
    const problem = await mail.probe();
    if (problem !== null) {
      lastError = problem;
      smtp = 'unreachable';
      if (!down || down.assumed) {
        down = { since: down?.since ?? new Date(), assumed: false };
        logger.warn({ err: problem }, 'outbox: the mail server is unreachable; probing it until it answers');
      }
      suspect = false;
      return;
    }
    smtp = 'reachable';
    lastError = null;
    if (down) {
      // Back (or first round after a start): whatever waits out a backoff goes now.
      const resumed = await mail.resumeWaiting();
      if (!down.assumed || resumed > 0)
        logger.info(
          { resumed, unreachableForMs: down.assumed ? undefined : Date.now() - down.since.getTime() },
          'outbox: the mail server answers; waiting mail is due now',
        );
    }
    down = null;
    suspect = false;
  }

  async function checkAge(): Promise<void> {
    if (Date.now() - lastCheckAt < checkEveryMs) return;
    lastCheckAt = Date.now();
    const s = await mail.summariseUnsent(alertAfterMs);
    const wasAlert = snapshot.alert;
    snapshot.unsent = s.unsent;
    snapshot.oldestUnsentAgeMs = s.oldestCreatedAt ? Math.max(0, Date.now() - s.oldestCreatedAt.getTime()) : null;
    snapshot.old = s.old;
    snapshot.alert = s.old > 0;
    snapshot.checkedAt = new Date();
    if (snapshot.alert && Date.now() - lastAlertAt >= alertEveryMs) {
      lastAlertAt = Date.now();
      logger.error(
        {
          old: s.old,
          unsent: s.unsent,
          oldestMinutes: Math.round((snapshot.oldestUnsentAgeMs ?? 0) / 60_000),
          smtp,
          ...(lastError ? { err: lastError } : {}),
        },
        `outbox: ${s.old} message(s) not delivered after ${Math.round(alertAfterMs / 60_000)} minutes`,
      );
    } else if (wasAlert && !snapshot.alert) {
      lastAlertAt = 0;
      logger.info({ unsent: s.unsent }, 'outbox: no message is overdue any more');
    }
  }

  const loop = (async () => {
    while (!stopping) {
      try {
        await probeIfNeeded();
        if (!down) await drain();
        await checkAge();
      } catch (err) {
        logger.error({ err: describeError(err) }, 'outbox relay: round failed (database unavailable?); trying again');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, down || suspect ? Math.min(intervalMs, probeEveryMs) : intervalMs);
      });
    }
  })();

  return {
    drain,
    wake: () => {
      clearTimeout(timer);
      wakeUp?.();
    },
    status: () => ({
      smtp,
      unreachableSince: down && !down.assumed ? down.since : null,
      lastError,
      alertAfterMs,
      ...snapshot,
    }),
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wakeUp?.();
      let grace: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        loop.then(() => true),
        new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), stopGraceMs))),
      ]);
      clearTimeout(grace);
      if (!finished) {
        logger.warn('outbox relay: sends still in progress at shutdown are aborted; their rows are retried');
        mail.abortSends();
        await loop;
      }
    },
  };
}

/** The relay's state as a /api/health entry: 'delayed' while the server is unreachable or mail is overdue. */
export function outboxHealth(
  s: OutboxStatus,
): { status: 'up'; latencyMs: number; detail: string } | { status: 'delayed'; detail: string } {
  const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
  const waiting =
    s.unsent === 0
      ? 'no mail waiting'
      : `${s.unsent} message(s) waiting, the oldest for ${minutes(s.oldestUnsentAgeMs ?? 0)}` +
        (s.old > 0 ? `; ${s.old} older than ${minutes(s.alertAfterMs)}` : '');
  const server =
    s.smtp === 'unreachable'
      ? `mail server unreachable since ${s.unreachableSince?.toISOString() ?? 'start-up'} (${s.lastError ?? 'no answer'})`
      : `mail server ${s.smtp}`;
  const detail = `${server}; ${waiting}`;
  return s.alert || s.smtp === 'unreachable' ? { status: 'delayed', detail } : { status: 'up', latencyMs: 0, detail };
}
