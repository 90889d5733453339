import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pipe through `npx pino-pretty` to read them by eye). */
export function createLogger(level: string, name = 'chis-flow'): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
