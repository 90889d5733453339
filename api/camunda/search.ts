/**
 * Camunda search requests → SQL: a filter field is a plain value or an advanced filter
 * (`$eq`, `$neq`, `$in`, `$notIn`, `$exists`, `$like`, `$gt`, `$gte`, `$lt`, `$lte`), pages are
 * `{ from, limit }` or cursors (`after` / `before`, which are offsets here), sorts are
 * `[{ field, order }]` over the fields a search allows. Values are always bound, never spliced.
 */
import { camundaError } from './camunda-route';

export interface SqlFilter {
  clauses: string[];
  bind: unknown[];
}

export function newFilter(): SqlFilter {
  return { clauses: [], bind: [] };
}

const param = (f: SqlFilter, value: unknown) => {
  f.bind.push(value);
  return `$${f.bind.length}`;
};

/** Adds the condition for one filter field on `column` (cast: how to read the bound value). */
export function addCondition(f: SqlFilter, column: string, value: unknown, cast = 'text'): void {
  if (value === undefined) return;
  const v = (x: unknown) => `${param(f, x)}::${cast}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    f.clauses.push(`${column} = ${v(value)}`);
    return;
  }
  const ops = value as Record<string, unknown>;
  for (const [op, operand] of Object.entries(ops)) {
    switch (op) {
      case '$eq':
        f.clauses.push(`${column} = ${v(operand)}`);
        break;
      case '$neq':
        f.clauses.push(`${column} IS DISTINCT FROM ${v(operand)}`);
        break;
      case '$in':
        f.clauses.push(`${column} = ANY(${param(f, operand)}::${cast}[])`);
        break;
      case '$notIn':
        f.clauses.push(`NOT (${column} = ANY(${param(f, operand)}::${cast}[]))`);
        break;
      case '$exists':
        f.clauses.push(operand ? `${column} IS NOT NULL` : `${column} IS NULL`);
        break;
      case '$like':
        // Camunda's wildcards: * any run, ? one character.
        f.clauses.push(
          `${column}::text LIKE ${param(
            f,
            String(operand)
              .replace(/[%_\\]/g, '\\$&')
              .replace(/\*/g, '%')
              .replace(/\?/g, '_'),
          )}`,
        );
        break;
      case '$gt':
        f.clauses.push(`${column} > ${v(operand)}`);
        break;
      case '$gte':
        f.clauses.push(`${column} >= ${v(operand)}`);
        break;
      case '$lt':
        f.clauses.push(`${column} < ${v(operand)}`);
        break;
      case '$lte':
        f.clauses.push(`${column} <= ${v(operand)}`);
        break;
      default:
        throw camundaError.invalid(`The filter operator ${op} is not supported yet`);
    }
  }
}

export function whereOf(f: SqlFilter): string {
  return f.clauses.length ? f.clauses.join(' AND ') : 'true';
}

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

/** ORDER BY from Camunda's sort list; unknown fields are refused, `tiebreak` keeps pages stable. */
export function orderOf(
  sort: Array<{ field: string; order?: string }> | undefined,
  columns: Readonly<Record<string, string>>,
  tiebreak: string,
): string {
  const parts = (sort ?? []).map((s) => {
    const column = columns[s.field];
    if (!column) throw camundaError.invalid(`Sorting by ${s.field} is not supported yet`);
    return `${column} ${String(s.order ?? 'ASC').toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}`;
  });
  return [...parts, tiebreak].join(', ');
}
