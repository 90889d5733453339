/**
 * The server's own running figures (for Prometheus, see ../metrics.ts): tasks handed to
 * pollers, polls that ended empty and how long pollers waited. Counters since start; the
 * commits are the store's (store.commits).
 */
export type DispatchKind = 'workflow' | 'activity' | 'query';
export type PollKind = 'workflow' | 'activity';

export class ServerStats {
  readonly dispatched: Record<DispatchKind, number> = { workflow: 0, activity: 0, query: 0 };
  readonly emptyPolls: Record<PollKind, number> = { workflow: 0, activity: 0 };
  /** Seconds pollers spent waiting, task or not. */
  readonly pollWaitSeconds: Record<PollKind, number> = { workflow: 0, activity: 0 };

  pollEnded(kind: PollKind, startedAt: number, dispatched: DispatchKind | undefined): void {
    this.pollWaitSeconds[kind] += (Date.now() - startedAt) / 1000;
    if (dispatched) this.dispatched[dispatched]++;
    else this.emptyPolls[kind]++;
  }
}
