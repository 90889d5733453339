/**
 * Camunda search filters → SQL: a filter field is a plain value or an advanced filter (`$eq`,
 * `$neq`, `$in`, `$notIn`, `$exists`, `$like`, `$gt`, `$gte`, `$lt`, `$lte`); sorts are
 * `[{ field, order }]` over the fields a search allows. Values are always bound, never spliced.
 * Used by the /v2 searches (v2-search.ts).
 */

/** A filter operator or sort field a search does not take (the API answers it as a bad request). */
export class UnsupportedSearch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedSearch';
  }
}

export interface SqlFilter {
  clauses: string[];
  bind: unknown[];
}

export function newFilter(): SqlFilter {
  return { clauses: [], bind: [] };
}

/** Binds `value` and answers its placeholder. */
export const param = (f: SqlFilter, value: unknown) => {
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
        throw new UnsupportedSearch(`The filter operator ${op} is not supported yet`);
    }
  }
}

export function whereOf(f: SqlFilter): string {
  return f.clauses.length ? f.clauses.join(' AND ') : 'true';
}

export type SearchSort = Array<{ field: string; order?: string }> | undefined;

/** ORDER BY from Camunda's sort list; unknown fields are refused, `tiebreak` keeps pages stable. */
export function orderOf(sort: SearchSort, columns: Readonly<Record<string, string>>, tiebreak: string): string {
  const parts = (sort ?? []).map((s) => {
    const column = columns[s.field];
    if (!column) throw new UnsupportedSearch(`Sorting by ${s.field} is not supported yet`);
    return `${column} ${String(s.order ?? 'ASC').toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}`;
  });
  return [...parts, tiebreak].join(', ');
}
