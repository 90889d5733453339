import type { Role } from '../../records/staff';

/**
 * The one place that says which role may do what. Every route names one permission (or is
 * public / open to anyone signed in); the authorisation matrix test walks this table.
 */
export const PERMISSIONS = {
  'children.search': ['caseworker', 'safeguarding_lead', 'service_manager'],
  'children.read': ['caseworker', 'safeguarding_lead', 'service_manager'],
  // Merging two records of one child after a PDS supersede: caseworkers of a child health records
  // team only (api/routes/child-merges.ts checks the team), for children they may open.
  'children.merge': ['caseworker'],
  'tasks.read': ['caseworker', 'safeguarding_lead', 'service_manager'],
  'tasks.work': ['caseworker', 'safeguarding_lead'],
  'tasks.assign': ['safeguarding_lead', 'administrator'],
  'concerns.read': ['caseworker', 'safeguarding_lead'],
  'concerns.raise': ['caseworker', 'safeguarding_lead'],
  'concerns.note': ['caseworker', 'safeguarding_lead'],
  'concerns.escalate': ['caseworker', 'safeguarding_lead'],
  'concerns.close': ['safeguarding_lead'],
  'alerts.read': ['safeguarding_lead'],
  // The lead's dashboard: counts and team workload across their localities.
  'safeguarding.dashboard': ['safeguarding_lead'],
  'alerts.acknowledge': ['safeguarding_lead'],
  'audit.read': ['administrator'],
  // Inbound events (api/routes/events.ts): other systems sign in with `integration` accounts; administrators may replay an event by hand.
  'events.submit': ['integration', 'administrator'],
  'events.read': ['integration', 'administrator'],
  // Process definitions hold no personal data: every member of staff may read them.
  'definitions.read': ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator'],
  'definitions.deploy': ['service_manager', 'administrator'],
  // Process instances: an instance whose business key is a child's NHS number is part of that
  // child's record, so reading or changing it follows the legitimate-relationship rule for
  // every role (api/routes/process-instances-access.ts).
  'instances.read': ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator'],
  // Which start event each role may use is the start contract's (api/access/start-policy.ts):
  // integration accounts only message starts, caseworkers and leads only for a child they may open.
  'instances.start': ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator', 'integration'],
  'instances.cancel': ['service_manager', 'administrator'],
  // Setting a running instance's variables (/v2 element instance variables): as cancelling, an
  // operator's change to an instance (Camunda's UPDATE_PROCESS_INSTANCE covers both).
  'instances.variables': ['service_manager', 'administrator'],
  'instances.message': ['service_manager', 'administrator'],
  // POST /api/messages: integration accounts only for messages that start a process, service
  // managers and administrators only for the rest (api/access/message-policy.ts).
  'messages.publish': ['service_manager', 'administrator', 'integration'],
  'instances.retry': ['administrator'],
  // The embedded SMTP server's mailbox (what GP practices would have received): NHS numbers and initials.
  'mailbox.read': ['service_manager', 'administrator'],
  // Coverage reports are counts (no child named): leads see their localities, managers the region.
  'reports.coverage': ['safeguarding_lead', 'service_manager', 'administrator'],
  // Camunda REST API (/v2): job workers are other systems (integration accounts); administrators operate.
  'jobs.work': ['integration', 'administrator'],
  'signals.broadcast': ['service_manager', 'administrator'],
  // Decisions (DMN) hold no personal data; the variables a caller evaluates them with are its own.
  'decisions.evaluate': ['caseworker', 'safeguarding_lead', 'service_manager', 'administrator', 'integration'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * Who sees the address and family contact details of a record restricted on PDS (S-flagged)
 * on the child's own record: the safeguarding lead, who may have to act on where the child is.
 * Everyone else reads "Withheld", and nobody gets them in lists, tasks, timelines or emails.
 * Not a route permission: a part of GET /api/children/:nhsNumber.
 */
export const RESTRICTED_DETAILS_ROLES: readonly Role[] = ['safeguarding_lead'];

/** Who may call a route: anyone, anyone signed in, or the roles holding a permission. */
export type Access = 'public' | 'signedIn' | Permission;

export function roleMay(role: Role, access: Access): boolean {
  if (access === 'public' || access === 'signedIn') return true;
  return (PERMISSIONS[access] as readonly Role[]).includes(role);
}

export function rolesFor(access: Access): readonly Role[] | 'anyone' | 'signed in' {
  if (access === 'public') return 'anyone';
  if (access === 'signedIn') return 'signed in';
  return PERMISSIONS[access];
}
