import type { StaffPrincipal } from '../../records/staff';
import type { HumanTask, TaskChild } from '../../records/tasks/rows';
import { groupsOf } from '../request-context';

/** A candidate: named in candidate users, or in one of the candidate groups (team code or role). */
export function isCandidate(p: StaffPrincipal, t: HumanTask): boolean {
  const groups = groupsOf(p);
  if (t.candidateUsers.includes(p.username) || t.candidateGroups.some((g) => groups.includes(g))) return true;
  // A task that names no candidates belongs to its locality's staff.
  return (
    t.candidateGroups.length === 0 &&
    t.candidateUsers.length === 0 &&
    t.localityId !== null &&
    p.localityIds.includes(t.localityId)
  );
}

/** Who may see a task: its assignee, its candidates, and the staff of its locality. */
export function maySeeTask(p: StaffPrincipal, t: HumanTask): boolean {
  return (
    t.assignee === p.username || isCandidate(p, t) || (t.localityId !== null && p.localityIds.includes(t.localityId))
  );
}

/**
 * The legitimate-relationship rule for a task about a child: the child's responsible locality
 * is one of the person's, or the process routed the task to them (its locality, a candidate
 * team of theirs, or them by name), or they hold it. A candidate group that is a role name
 * (e.g. `caseworker`) reaches every holder of the role in the region, so it is no relationship
 * by itself. Whoever has none needs break glass to see the task, and cannot be assigned it.
 */
export function hasTaskRelationship(p: StaffPrincipal, t: HumanTask, child: TaskChild): boolean {
  return (
    p.localityIds.includes(child.localityId) ||
    (t.localityId !== null && p.localityIds.includes(t.localityId)) ||
    t.candidateUsers.includes(p.username) ||
    t.candidateGroups.some((g) => p.teamCodes.includes(g)) ||
    t.assignee === p.username
  );
}

/** Leads assign within their localities (the task's, or its child's); administrators anywhere. */
export function mayAssignTask(p: StaffPrincipal, t: HumanTask, child: TaskChild | null): boolean {
  if (p.role === 'administrator') return true;
  if (t.localityId !== null && p.localityIds.includes(t.localityId)) return true;
  if (child) return p.localityIds.includes(child.localityId);
  return t.localityId === null;
}
