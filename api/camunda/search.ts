/**
 * Pages of Camunda search requests: `{ from, limit }` or cursors (`after` / `before`, which are
 * offsets here). Filters and sorts become SQL in records/v2-search.ts.
 */
import { camundaError } from './camunda-route';

export interface Page {
  offset: number;
  limit: number;
}

/** `{ from, limit }` or a cursor we handed out (the offset of the first row after it). */
export function pageOf(page: { from?: number; limit?: number; after?: string; before?: string } | undefined): Page {
  const limit = Math.min(Math.max(page?.limit ?? 100, 1), 10_000);
  if (page?.after !== undefined) return { offset: cursorOffset(page.after), limit };
  if (page?.before !== undefined) return { offset: Math.max(cursorOffset(page.before) - limit, 0), limit };
  return { offset: Math.max(page?.from ?? 0, 0), limit };
}

function cursorOffset(cursor: string): number {
  const n = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw camundaError.invalid('The page cursor is not one this API handed out');
  return n;
}

const cursor = (offset: number) => Buffer.from(String(offset)).toString('base64url');

/** The `page` of a search answer. */
export function pageResult(page: Page, returned: number, total: number) {
  return {
    totalItems: total,
    hasMoreTotalItems: false,
    ...(returned > 0 ? { startCursor: cursor(page.offset), endCursor: cursor(page.offset + returned) } : {}),
  };
}
