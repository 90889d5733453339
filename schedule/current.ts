/** The rule set in force: the latest published version. */
export { UK_ROUTINE_V2 as UK_ROUTINE } from './rule-sets/uk-routine-v2';
