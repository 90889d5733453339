/**
 * Why a records operation refused. Domain terms only: the API answers each kind with its
 * problem+json status (api/record-refusals.ts), an activity with a non-retryable Temporal
 * failure of the type its catalogue entry names (activities/support/record-refusals.ts).
 */

export type RefusalKind =
  /** The record named does not exist. */
  | 'not_found'
  /** The request names something that cannot be so (a locality that is not one, a transfer not for this child). */
  | 'invalid'
  /** The record is not in a state that allows it (already closed, changed since it was read). */
  | 'conflict'
  /** The caller has no legitimate relationship with the child and stated no reason. */
  | 'forbidden'
  /** Neither the address nor the GP practice is in the region. */
  | 'out_of_region'
  /** The family has no usable contact details for the channel. */
  | 'no_contact_details';

export class RecordRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
    this.name = 'RecordRefusal';
  }
}

export const notFound = (message: string) => new RecordRefusal('not_found', message);
export const invalid = (message: string) => new RecordRefusal('invalid', message);
export const conflict = (message: string) => new RecordRefusal('conflict', message);
export const forbidden = (message: string) => new RecordRefusal('forbidden', message);

/**
 * A rule the running process handles itself (a BPMN error it catches), e.g. a transfer that
 * needs a safeguarding handover first. Activities raise it as the BPMN error `code`.
 */
export class ProcessRuleBroken extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcessRuleBroken';
  }
}
