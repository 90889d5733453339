/**
 * What workflow code may import from bpmn/: graph types, FEEL evaluation and timer
 * resolution. No Node built-ins anywhere below this file (checked by the sandbox bundle test).
 */
export * from './graph';
export {
  evaluateCondition,
  evaluateExpression,
  evaluateFeel,
  evaluateList,
  feelDialectOf,
  toJsonValue,
  type FeelDialect,
  type FeelOutcome,
} from './feel';
export {
  resolveInstantOrDuration,
  resolveTimer,
  nextRecurrence,
  parseInstant,
  CRON_ZONE,
  type Recurrence,
  type TimerOptions,
  type InstantOptions,
  type PlainDates,
  type TimerSchedule,
  type TaskDateOptions,
} from './timer';
export { looksZoned, parseZonedDateTime } from './zoned-time';
export {
  addIsoDuration,
  parseIsoCycle,
  parseIsoDateTime,
  parseIsoDuration,
  type IsoCycle,
  type IsoDuration,
} from './iso8601';
