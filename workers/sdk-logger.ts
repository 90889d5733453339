/**
 * The Temporal SDK's logger (Runtime.install) written through our pino logger: the activities'
 * and workflows' own lines (`Context.current().log`, `log` in workflow code) at our log level,
 * with their workflow, activity and request ids; the SDK's and its core's own chatter only from
 * WARN up, as before. Our logger masks NHS numbers in them like in every other line.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from '../core/logger';

const SDK_LEVEL_ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const PINO_METHOD = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
/** Components whose lines are the application's (activity and workflow code), not the SDK's own. */
const APPLICATION_COMPONENTS = new Set(['activity', 'workflow']);

/** The metadata's plain, string-keyed entries (the SDK adds a symbol-keyed timestamp). */
function plain(meta: LogMetadata | undefined): Record<string, unknown> {
  return meta ? Object.fromEntries(Object.entries(meta)) : {};
}

export function sdkLogger(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const fields = plain(meta);
    const ours = typeof fields.sdkComponent === 'string' && APPLICATION_COMPONENTS.has(fields.sdkComponent);
    if (!ours && SDK_LEVEL_ORDER[level] < SDK_LEVEL_ORDER.WARN) return;
    logger[PINO_METHOD[level]](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
