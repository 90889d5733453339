import pino, { type DestinationStream, type Logger } from 'pino';
import { redactDeep, redactNhsNumbers } from './redact';
import { currentRequestId } from './request-context';

export type { Logger };

/**
 * Structured JSON logs (pipe through `npx pino-pretty` to read them by eye). NHS numbers are
 * masked in every message and logged value (core/redact.ts): logs go to places the record's
 * access rules do not reach. A line written while serving a request (an HTTP request, or an
 * activity of a workflow a request started or signalled) carries its `requestId`.
 */
export function createLogger(level: string, name = 'chis-flow', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
      serializers: { err: (e: unknown) => redactDeep(pino.stdSerializers.err(e as Error)) },
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redactNhsNumbers(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
}
