/** Per-key async mutex: operations on one run (or one workflow id) run one at a time, in arrival order. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  hasAny(): boolean {
    return this.tails.size > 0;
  }

  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}
