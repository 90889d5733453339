/** What every domain's activities share: input parsing, failures, the running activity, audit rows by a process. */
export { BAD_INPUT, FIELD_PROBLEMS, parseInput, parserFor, type InputErrorWording } from './parse-input';
export { failure, notFound, validationError } from './failures';
export { processKeyOf, processKeyOfInstanceId } from './process-key';
export {
  activityInfoOrNull,
  activityKey,
  currentProcessCall,
  currentProcessInstance,
  processInstanceActivity,
  type ProcessCall,
} from './running-activity';
export { asRunningProcess, systemActorOfInstance } from './system-actor';
export { activityFailureOf, asActivity } from './record-refusals';
export { auditBySystem } from './system-audit';
export { authorisedNhsNumber, inboundEventOf, type AuthorisedKey } from './business-key';
