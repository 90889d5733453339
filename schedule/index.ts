/** The immunisation schedule: versioned rules (data), products, and the one evaluator. */
export { UK_ROUTINE } from './current';
export * from './ages';
export * from './catch-up';
export * from './evaluate';
export * from './products';
export type { DoseRule, DueSpec, RuleSet, Sex, TimingSwitch } from './rules';
export { SOURCES, type Source, type SourceId } from './sources';
export {
  MANDATED_CONTACTS,
  MANDATED_CONTACT_CODES,
  mandatedContact,
  type MandatedContact,
  type MandatedContactCode,
} from './contacts';
