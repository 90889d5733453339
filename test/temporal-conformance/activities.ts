import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { ActivityProbe } from './support/probe';

/**
 * Activities used by the conformance workflows. `key` names a probe counter so that tests can
 * count the attempts the server dispatched and wait for an attempt to be running.
 */
export function createActivities(probe: ActivityProbe) {
  return {
    async greet(name: string): Promise<string> {
      return `Hello, ${name}`;
    },

    /** Fails with a retryable error until attempt `failures + 1`, then returns the attempt number. */
    async failTimes(key: string, failures: number): Promise<number> {
      probe.record(key);
      const { attempt } = Context.current().info;
      if (attempt <= failures) throw ApplicationFailure.retryable(`attempt ${attempt} failed`, 'FlakyError');
      return attempt;
    },

    async alwaysFail(key: string, type: string): Promise<never> {
      probe.record(key);
      throw ApplicationFailure.retryable(`always fails with ${type}`, type);
    },

    async failNonRetryable(key: string): Promise<never> {
      probe.record(key);
      throw ApplicationFailure.nonRetryable('input is invalid', 'BadInput', { field: 'nhsNumber' });
    },

    /** Sleeps (cancellably) and returns; used to exceed start-to-close and schedule-to-close timeouts. */
    async sleepFor(key: string, ms: number): Promise<string> {
      probe.record(key);
      await Context.current().sleep(ms);
      return 'slept';
    },

    /** Attempt 1 heartbeats `detail` and then stops heartbeating; later attempts report what they were given. */
    async heartbeatThenStall(
      key: string,
      detail: string,
      stallMs: number,
    ): Promise<{ attempt: number; details: unknown }> {
      probe.record(key);
      const ctx = Context.current();
      if (ctx.info.attempt === 1) {
        ctx.heartbeat(detail);
        await ctx.sleep(stallMs).catch(() => undefined);
        return { attempt: 1, details: null };
      }
      return { attempt: ctx.info.attempt, details: ctx.info.heartbeatDetails ?? null };
    },

    /** Heartbeats until the server delivers a cancellation, marks `${key}:cancelled`, rethrows. */
    async heartbeatUntilCancelled(key: string): Promise<string> {
      probe.record(key);
      const ctx = Context.current();
      try {
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(100);
        }
      } catch (err) {
        if (err instanceof CancelledFailure) probe.mark(`${key}:cancelled`);
        throw err;
      }
    },

    async cleanup(key: string): Promise<string> {
      probe.mark(`${key}:cleanup`);
      return 'cleaned';
    },

    /** Blocks until the test calls `probe.release(key)`, heartbeating so a dead worker is noticed. */
    async blockUntilReleased(key: string): Promise<string> {
      probe.record(key);
      const ctx = Context.current();
      let released = false;
      void probe.gate(key).then(() => (released = true));
      while (!released) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`${key} cancelled`);
        ctx.heartbeat();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return `released ${key} on attempt ${ctx.info.attempt}`;
    },

    /** Local activity that keeps a workflow task open for `ms`. */
    async slowLocal(key: string, ms: number): Promise<string> {
      probe.record(key);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return 'local done';
    },
  };
}

export type ConformanceActivities = ReturnType<typeof createActivities>;
