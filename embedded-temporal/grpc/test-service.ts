import type { Logger } from 'pino';
import type { temporal, P } from '../proto';
import { durationMs, timestamp, timestampMs } from '../time';
import type { Engine } from '../engine/engine';
import { handlers as asRpc, type Handler } from './handler';
import type { RpcHandler } from './bind';

type TS = P<temporal.api.testservice.v1.ISleepRequest>;

/** The time-skipping TestService used by @temporalio/testing's createTimeSkipping(). */
export function testService(engine: Engine, logger: Logger): Record<string, RpcHandler> {
  const ts = engine.timeSkipping;
  const handlers: Record<string, Handler> = {
    LockTimeSkipping: async () => {
      ts.lock();
      return {};
    },
    UnlockTimeSkipping: async () => {
      ts.unlock();
      return {};
    },
    Sleep: async (r: TS) => {
      await ts.sleep(durationMs(r.duration));
      return {};
    },
    SleepUntil: async (r: P<temporal.api.testservice.v1.ISleepUntilRequest>) => {
      await ts.sleep(Math.max(0, timestampMs(r.timestamp) - engine.clock.now()));
      return {};
    },
    UnlockTimeSkippingWithSleep: async (r: TS) => {
      await ts.sleep(durationMs(r.duration));
      return {};
    },
    GetCurrentTime: async () => ({ time: timestamp(engine.clock.now()) }),
  };
  void logger;
  return asRpc(handlers);
}
