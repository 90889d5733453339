/** A min-heap of per-run deadlines driving timers and timeouts; each run keeps only its earliest deadline. */
export class Deadlines {
  private heap: { at: number; key: string }[] = [];
  private readonly current = new Map<string, number>();

  set(key: string, at: number | undefined): void {
    if (at === undefined) {
      this.current.delete(key);
      return;
    }
    if (this.current.get(key) === at) return;
    this.current.set(key, at);
    this.heap.push({ at, key });
    this.up(this.heap.length - 1);
  }

  /** Earliest live deadline, if any. */
  peek(): number | undefined {
    this.prune();
    return this.heap[0]?.at;
  }

  /** Removes and returns the keys whose deadline is at or before `now`. */
  takeDue(now: number): string[] {
    const due: string[] = [];
    for (;;) {
      this.prune();
      const top = this.heap[0];
      if (!top || top.at > now) return due;
      this.pop();
      this.current.delete(top.key);
      due.push(top.key);
    }
  }

  private prune(): void {
    while (this.heap.length && this.current.get(this.heap[0].key) !== this.heap[0].at) this.pop();
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      this.down(0);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].at < h[m].at) m = l;
      if (r < h.length && h[r].at < h[m].at) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}
