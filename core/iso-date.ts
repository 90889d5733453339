/** Calendar arithmetic on ISO dates (YYYY-MM-DD, UTC). */

/** Whole days between two ISO dates (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Today (UTC) as YYYY-MM-DD: the default as-of date when a process does not pass one. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
