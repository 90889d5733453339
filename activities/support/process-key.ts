/**
 * The process key in a process instance (workflow) id. Engine and message starts name an
 * instance `<process key>-<32 hex digits or uuid>`; call activities append `~call-N` (`/call-N`
 * in instances that called before the called-instance-ids-without-slash patch).
 */

const INSTANCE_SUFFIX = '(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const TRAILING_SUFFIX = new RegExp(`-${INSTANCE_SUFFIX}$`, 'i');
const WHOLE_INSTANCE_ID = new RegExp(`^(.+)-${INSTANCE_SUFFIX}$`);

/**
 * Lenient: the root id (before any `~` or `/`) less a trailing instance suffix in either case; an id
 * of another shape is returned whole, and '' can come back (callers pick their own default).
 */
export function processKeyOf(workflowId: string): string {
  return workflowId.split(/[~/]/)[0].replace(TRAILING_SUFFIX, '');
}

/** Strict: the key only when the whole id is `<key>-<lower-case suffix>`, else null. */
export function processKeyOfInstanceId(workflowId: string): string | null {
  return WHOLE_INSTANCE_ID.exec(workflowId)?.[1] ?? null;
}
