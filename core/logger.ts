import pino, { type DestinationStream, type Logger } from 'pino';
import { redactDeep, redactNhsNumbers } from './redact';

export type { Logger };

/**
 * Structured JSON logs (pipe through `npx pino-pretty` to read them by eye). NHS numbers are
 * masked in every message and logged value (core/redact.ts): logs go to places the record's
 * access rules do not reach.
 */
export function createLogger(level: string, name = 'chis-flow', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
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
