/**
 * What a long-polling handler needs of its call's cancellation: whether the client went away,
 * and a listener for when it does. An AbortSignal is one (the engine also takes those); the
 * gRPC layer passes a CallCancellation instead, because an AbortController per long poll (with
 * node's EventTarget behind its listeners) was a visible share of the server's CPU per call.
 */
export interface CallSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A CallSignal the gRPC layer fires once when the client cancels or the stream closes early. */
export class CallCancellation implements CallSignal {
  aborted = false;
  /** Most calls have one listener at a time (the poll or wait in progress), seldom more. */
  private listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    // As on an EventTarget: a listener is added once, and one added after the abort never runs.
    if (!this.aborted && !this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Marks the call cancelled and runs each listener once; one removed meanwhile is skipped (as an EventTarget does). */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.listeners.slice()) {
      const i = this.listeners.indexOf(listener);
      if (i < 0) continue;
      this.listeners.splice(i, 1);
      listener();
    }
  }
}

/** For handlers that never wait: a signal that never fires. */
export const NEVER_CANCELLED: CallSignal = {
  aborted: false,
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
};
