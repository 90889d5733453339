import type { StaffPrincipal } from '../../db/repositories/staff';
import type { HumanTask } from '../../db/repositories/tasks';
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

/** Leads assign within their localities; administrators anywhere. */
export function mayAssignTask(p: StaffPrincipal, t: HumanTask): boolean {
  return p.role === 'administrator' || t.localityId === null || p.localityIds.includes(t.localityId);
}
