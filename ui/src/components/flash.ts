/** A message for the next page (e.g. "Task completed" shown on My work after completing it). */
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

/** The message, once: reading it clears it. */
export function takeFlash(): string | null {
  const message = pending;
  pending = null;
  return message;
}
