/** Server time: wall-clock time plus whatever the time-skipping test service has skipped. */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves server time forward to `ms` (never backwards). */
  advanceTo(ms: number): void {
    const now = this.now();
    if (ms > now) this.offsetMs += ms - now;
  }
}
