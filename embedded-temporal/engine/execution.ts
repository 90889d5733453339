import { encodeEvent, historyBytes, type HistoryEvent, type temporal, type P } from '../proto';
import type { ExecutionState } from './state';
import type { OutboxTask, RunRef } from './outbox-task';
import type { Engine } from './engine';

export interface PendingQuery {
  id: string;
  query: P<temporal.api.query.v1.IWorkflowQuery>;
  resolve(result: P<temporal.api.workflowservice.v1.IRespondQueryTaskCompletedRequest>): void;
  /**
   * 'buffered': waits for a workflow task and goes out with each one started until answered;
   * 'queued': a legacy query task in the queue (no workflow task was pending);
   * 'sent': that query task handed to a worker, awaiting its answer.
   */
  state: 'buffered' | 'queued' | 'sent';
}

export function runKey(ref: RunRef): string {
  return `${ref.namespace}\u0000${ref.workflowId}\u0000${ref.runId}`;
}

export function parseRunKey(key: string): RunRef {
  const [namespace, workflowId, runId] = key.split('\u0000');
  return { namespace, workflowId, runId };
}

/** A run held in memory: its state, full history, and the waiters that only live in this process. */
export class Execution {
  /** Version of the persisted row; undefined until first inserted. */
  version: number | undefined;
  queries = new Map<string, PendingQuery>();
  /** Called after every committed or in-memory change (history long polls, update waiters). */
  listeners = new Set<() => void>();

  constructor(
    public state: ExecutionState,
    version: number | undefined,
    public events: HistoryEvent[],
    public persistedEvents: number,
  ) {
    this.version = version;
  }

  /** Encoded bytes of persisted events (which never change), filled on first use. */
  private readonly encoded: Uint8Array[] = [];

  /**
   * Encodings of events not yet persisted (a workflow task's started event, sent to the worker
   * before the commit that writes it), keyed by the event object so that the commit reuses them
   * and a rolled-back event is never matched. Events are not changed once encoded.
   */
  private readonly pendingEncoded = new WeakMap<HistoryEvent, Uint8Array>();

  /** Event i (0-based) encoded; every event is encoded once. */
  encodedEvent(i: number): Uint8Array {
    if (i < this.persistedEvents) return (this.encoded[i] ??= encodeEvent(this.events[i]));
    const event = this.events[i];
    let bytes = this.pendingEncoded.get(event);
    if (!bytes) {
      bytes = encodeEvent(event);
      this.pendingEncoded.set(event, bytes);
    }
    return bytes;
  }

  /** Records encodings made for a commit, once the events are persisted. */
  rememberEncoded(first: number, encoded: Uint8Array[]): void {
    encoded.forEach((bytes, k) => {
      if (first + k < this.persistedEvents) this.encoded[first + k] = bytes;
    });
  }

  /** A History message holding events [from, to) (0-based indexes), then `extra` (encoded events not in history). */
  historyBytes(from: number, to: number, extra: Uint8Array[] = []): Buffer {
    const encoded: Uint8Array[] = [];
    for (let i = from; i < to; i++) encoded.push(this.encodedEvent(i));
    return historyBytes(extra.length ? encoded.concat(extra) : encoded);
  }

  get ref(): RunRef {
    return { namespace: this.state.namespace, workflowId: this.state.workflowId, runId: this.state.runId };
  }

  private cachedKey: string | undefined;

  /** The run key (its namespace, workflow id and run id never change). */
  get key(): string {
    return (this.cachedKey ??= runKey(this.ref));
  }

  get running(): boolean {
    return this.state.status === 1;
  }

  notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** One change to one or more runs, committed in a single PostgreSQL transaction. */
export interface Tx {
  engine: Engine;
  exec: Execution;
  now: number;
  /** False for changes kept in memory only (dispatching a task). */
  save: boolean;
  /** Other runs written in the same transaction (a new run from continue-as-new). */
  alsoWrite: Execution[];
  outbox: OutboxTask[];
  after: (() => void)[];
  /** Activities the completing worker asked to run eagerly (returned with the task completion). */
  eager?: import('./state').ActivityState[];
}
