/**
 * The shapes of the API's responses the UI reads, as documented in /api/openapi.json
 * (the response schemas in api/routes/*). Kept by hand until types are generated from it.
 */
export type Role = 'caseworker' | 'safeguarding_lead' | 'service_manager' | 'administrator' | 'integration';

export interface Locality {
  id: number;
  code: string;
  name: string;
}

export interface Principal {
  username: string;
  displayName: string;
  role: Role;
  localityIds: number[];
  teams: string[];
  localities: Locality[];
}

export interface Me {
  user: Principal;
  csrfToken: string;
  sessionIdleMinutes: number;
}

export interface AuthOptions {
  oidc: { enabled: boolean; label: string };
  sessionIdleMinutes: number;
}

export type SafeguardingAlert = 'none' | 'concern' | 'child_protection_plan' | 'looked_after';

/** What a list row or a task shows about its child (only for children the caller may see). */
export interface ChildSummary {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  postcode: string;
  locality: string;
  localityName: string;
  status: string;
  safeguardingAlert: SafeguardingAlert;
  /** Restricted on PDS (S-flagged): address and contact details withheld. */
  restricted: boolean;
}

/** The child banner: the summary with the GP practice. */
export interface ChildBannerView extends ChildSummary {
  gpPractice: { odsCode: string; name: string } | null;
}

export interface FormField {
  key: string;
  label?: string;
  type: string;
  required: boolean;
  options?: string[];
}

export type TaskStatus = 'open' | 'claimed' | 'completed' | 'cancelled';

export interface Task {
  id: string;
  name: string;
  elementId: string;
  processInstanceId: string;
  processKey: string | null;
  businessKey: string | null;
  childId: string | null;
  localityId: number | null;
  concernId: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  status: TaskStatus;
  priority: number;
  dueAt: string | null;
  followUpAt: string | null;
  form: { source?: string; key?: string; fields: FormField[]; schema?: unknown };
  input: Record<string, unknown>;
  outcome: string | null;
  data: Record<string, unknown> | null;
  createdAt: string;
  claimedAt: string | null;
  completedAt: string | null;
  completedBy: string | null;
  escalatedAt: string | null;
  escalationReason: string | null;
  rowVersion: number;
}

export interface TaskRow extends Task {
  child: ChildSummary | null;
}

export interface TaskPage {
  tasks: TaskRow[];
  next: string | null;
}

export interface TaskDetail extends Task {
  child: ChildBannerView | null;
  definition: { key: string; version: number; name: string | null } | null;
  /** The candidate groups that are teams, by name. */
  candidateTeams: Array<{ code: string; name: string }>;
}

export interface QueueCounts {
  mine: number;
  unclaimed: number;
  dueToday: number;
  overdue: number;
  localities: Array<{ code: string; name: string; count: number }>;
  processes: Array<{ key: string; name: string | null; count: number }>;
  /** Counts stop at this number (shown as "limit+"). */
  limit: number;
}

export interface StaffChoice {
  username: string;
  displayName: string;
  role: Role;
  teamCodes: string[];
  claimedTasks: number;
}

export interface ChildRecord extends ChildSummary {
  address: { line1: string; line2: string | null; town: string | null; postcode: string };
  /** A restricted record whose address and contact details the caller's role may see (safeguarding leads). */
  restrictedDetailsShown: boolean;
  /** The NHS number the record was opened by, when PDS superseded it by this child's current one; else null. */
  supersededNhsNumber: string | null;
  /** Records of NHS numbers PDS superseded by this child's, merged into this record. */
  mergedFrom: Array<{
    mergedNhsNumber: string;
    mergedChildId: string;
    mergedBy: string;
    mergedAt: string;
    reason: string;
  }>;
  gpPractice: string | null;
  gpPracticeName: string | null;
  /** `detailsWithheld`: a restricted record's phone and email, left out (null would mean "not known"). */
  contacts: Array<
    {
      id: string;
      relationship: string;
      name: string;
      preferredMethod: string;
      isPrimary: boolean;
    } & ({ detailsWithheld: false; phone: string | null; email: string | null } | { detailsWithheld: true })
  >;
  immunisations: Array<{
    id: string;
    vaccine: string;
    dose: number;
    givenOn: string;
    givenBy: string | null;
    source: string;
  }>;
  screening: Array<{ id: string; programme: string; outcome: string; recordedOn: string }>;
  concerns: Array<{
    id: string;
    status: string;
    summary: string;
    raisedAt: string;
    outcome: string | null;
    closedAt: string | null;
  }>;
  accessedWithReason: boolean;
}

/** GET /children/{nhs}/schedule: the immunisation schedule from the engine's evaluator. */
export interface Schedule {
  asOf: string;
  doses: Array<{
    ruleId: string;
    code: string;
    label: string;
    vaccine: string;
    dose: number;
    status: 'given' | 'overdue' | 'due' | 'upcoming' | 'not_offered';
    dueOn: string;
    overdueOn: string;
    offerUntil: string | null;
    given: { on: string; product: string } | null;
    notOfferedReason: string | null;
  }>;
  unmatched: Array<{ product: string; givenOn: string }>;
}

/** GET /children/{nhs}/screening: newborn screening against its deadlines. */
export interface ScreeningStatus {
  asOf: string;
  screening: Array<{
    programme: string;
    name: string;
    deadline: string;
    offeredUntil: string;
    status: 'recorded' | 'due' | 'overdue' | 'not_recorded';
    outcome: string | null;
    recordedOn: string | null;
  }>;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  summary: string;
  ref: string;
  actor: string | null;
}

export interface Timeline {
  events: TimelineEntry[];
  next: string | null;
}

export interface InstanceSummary {
  id: string;
  key: string;
  version: number;
  definitionName: string | null;
  status: string;
  businessKey: string | null;
  startedAt: string;
  endedAt: string | null;
}

export type ConcernStatus = 'open' | 'escalated' | 'monitoring' | 'referred' | 'closed';

export interface ConcernItem {
  id: string;
  nhsNumber: string;
  status: ConcernStatus;
  summary: string;
  raisedAt: string;
  escalatedAt: string | null;
  outcome: string | null;
  closedAt: string | null;
  rowVersion: number;
}

export interface ConcernRow extends ConcernItem {
  child: ChildSummary | null;
  /** The open decision task's due date (the concern's SLA), if a task is open. */
  decision: { taskId: string; dueAt: string | null } | null;
}

export interface ConcernNote {
  id: string;
  kind: 'raised' | 'note' | 'escalation' | 'closure';
  body: string;
  authorUsername: string;
  createdAt: string;
}

export interface ConcernDetail extends ConcernItem {
  notes: ConcernNote[];
  tasks: Task[];
  child: ChildBannerView | null;
}

export interface BreakGlassAlertRow {
  id: string;
  nhsNumber: string;
  localityId: number;
  actorUsername: string;
  actorDisplayName: string;
  actorRole: Role;
  reason: string;
  action: string;
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedByUsername: string | null;
  child: ChildSummary | null;
}

export interface SafeguardingSummary {
  escalatedTasks: number;
  overdueTasks: number;
  openAlerts: number;
  concerns: Record<'open' | 'escalated' | 'monitoring' | 'referred', number>;
  limit: number;
}

export interface Workload {
  people: Array<{
    username: string;
    displayName: string;
    role: Role;
    teams: string[];
    claimed: number;
    overdue: number;
  }>;
  teams: Array<{ code: string; name: string; unclaimed: number; overdue: number }>;
}
