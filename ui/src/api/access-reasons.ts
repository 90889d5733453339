/**
 * Stated reasons for opening children outside the person's localities ("break glass"), kept
 * for this page's life only (a reload asks again): each request about that child sends it as
 * X-Access-Reason, and each such request is audited by the API.
 */
const reasons = new Map<string, string>();

/** The key a task's stated reason is kept under (a task is opened by its id, not the child's NHS number). */
export const taskReasonKey = (taskId: string) => `task:${taskId}`;

export function reasonFor(nhsNumber: string): string | null {
  return reasons.get(nhsNumber) ?? null;
}

export function rememberReason(nhsNumber: string, reason: string): void {
  reasons.set(nhsNumber, reason);
}

export function forgetReasons(): void {
  reasons.clear();
}
