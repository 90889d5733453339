/**
 * Test-side record of what activities did. Activities run in the test process, so a test can
 * wait for "the activity has started" before acting, and count attempts the server dispatched.
 */
export class ActivityProbe {
  private readonly counts = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly gates = new Map<string, { opened: Promise<void>; open: () => void }>();

  /** Counts one invocation under `key` and marks `${key}:started`. */
  record(key: string): void {
    this.counts.set(key, this.count(key) + 1);
    this.mark(`${key}:started`);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  mark(event: string): void {
    this.seen.add(event);
    for (const resolve of this.waiters.get(event) ?? []) resolve();
    this.waiters.delete(event);
  }

  has(event: string): boolean {
    return this.seen.has(event);
  }

  /** Resolves once `event` has been marked; rejects with the event name after `timeoutMs`. */
  async waitFor(event: string, timeoutMs = 20_000): Promise<void> {
    if (this.seen.has(event)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`)),
        timeoutMs,
      );
      const list = this.waiters.get(event) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(event, list);
    });
  }

  private gateFor(key: string): { opened: Promise<void>; open: () => void } {
    let gate = this.gates.get(key);
    if (!gate) {
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      gate = { opened, open };
      this.gates.set(key, gate);
    }
    return gate;
  }

  /** Resolves when `release(key)` is called (before or after). */
  gate(key: string): Promise<void> {
    return this.gateFor(key).opened;
  }

  release(key: string): void {
    this.gateFor(key).open();
  }
}
