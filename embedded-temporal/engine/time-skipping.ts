import type { Engine } from './engine';

/**
 * How long (real time) nothing may change before a sleeper moves time past started activities.
 * Long enough that an app activity doing real work on a loaded 2-core CI machine finishes first
 * (500 ms let a slow activity's own StartToClose deadline be skipped to); only an activity that
 * waits for the skipped time itself pays it.
 */
const STUCK_MS = 5_000;
/** The longest delay setTimeout honours (2^31-1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Sleeper {
  target: number;
  resolve(): void;
}

/**
 * The time-skipping test server's clock control. Explicit locks start at one (the SDK's
 * time-skipping client unlocks while it awaits a result). Time jumps to the next deadline when
 * explicit locks minus sleepers are at most zero and nothing is outstanding: no workflow task
 * and no activity attempt. A started activity holds time still unless someone sleeps (env.sleep(),
 * from the test or from the activity itself) and nothing has changed for STUCK_MS: then time moves
 * on to the sleeper's target or the next deadline before it. An activity that finishes on its own
 * does so first; one that waits for the skipped time (sleeps in it) would otherwise wait forever.
 */
export class TimeSkipping {
  private locks = 1;
  private sleepers: Sleeper[] = [];
  private scheduled = false;
  private lastChange = Date.now();
  private stuckCheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: Engine,
    readonly enabled: boolean,
  ) {}

  lock(): void {
    this.locks++;
  }

  unlock(): void {
    this.locks = Math.max(0, this.locks - 1);
    this.poke();
  }

  /** Resolves once server time has advanced by `ms` (skipping when possible, else in real time). */
  sleep(ms: number): Promise<void> {
    const target = this.engine.clock.now() + ms;
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): long sleeps re-arm until due.
      const arm = (): NodeJS.Timeout =>
        setTimeout(
          () => {
            this.wake();
            if (this.sleepers.includes(sleeper)) timer = arm();
          },
          Math.min(Math.max(0, target - this.engine.clock.now()) + 5, MAX_TIMER_MS),
        );
      let timer = arm();
      this.sleepers.push(sleeper);
      this.poke();
    });
  }

  /** Called after every change: considers a skip once the current burst of work has settled. */
  poke(): void {
    if (!this.enabled) return;
    this.lastChange = Date.now();
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      this.skipIfIdle();
    }, 2);
  }

  private wake(): void {
    const now = this.engine.clock.now();
    const due = this.sleepers.filter((s) => s.target <= now);
    this.sleepers = this.sleepers.filter((s) => s.target > now);
    for (const s of due) s.resolve();
  }

  private skipIfIdle(): void {
    this.wake();
    if (this.engine.isStopped || this.locks - this.sleepers.length > 0) return;
    if (!this.idle(false)) {
      // Only started activities are busy and someone sleeps: wait until nothing has changed for a while.
      if (!this.sleepers.length || !this.idle(true)) return;
      const quietFor = Date.now() - this.lastChange;
      if (quietFor < STUCK_MS) {
        clearTimeout(this.stuckCheck);
        this.stuckCheck = setTimeout(() => this.skipIfIdle(), STUCK_MS - quietFor + 5);
        return;
      }
    }
    const deadline = this.engine.deadlines.peek();
    const sleeper = Math.min(...this.sleepers.map((s) => s.target));
    const next = Math.min(deadline ?? Infinity, sleeper);
    if (next === Infinity) return;
    this.engine.clock.advanceTo(next);
    this.engine.fireDue();
    this.wake();
    this.poke();
  }

  private idle(ignoreStartedActivities: boolean): boolean {
    if (this.engine.locks.hasAny()) return false;
    for (const e of this.engine.cached()) {
      if (!e.running) continue;
      const s = e.state;
      if (s.wft && s.firstTaskAt === undefined) return false;
      for (const a of Object.values(s.activities))
        if (a.retryAt === undefined && !(ignoreStartedActivities && a.startedTime !== undefined)) return false;
      if (Object.values(s.children).some((c) => c.pending)) return false;
    }
    return true;
  }
}
