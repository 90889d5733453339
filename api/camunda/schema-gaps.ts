/**
 * Where Camunda's published request schemas lose what a caller sent, mended after they have checked
 * a request: a cursor page (`{ after }` / `{ before }`) matches the schemas' offset-page branch
 * first and comes out as `{ from: 0, limit: 100 }` (every cursor request got the first page), and
 * a filter operator a field does not take (`processInstanceKey: { $gt: … }`) is stripped to `{}`
 * (it matched everything). Camunda answers the first with the page asked for and the second 400.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The cursor the caller sent, put back on the parsed page. */
export function keepCursor(raw: unknown, parsed: unknown): void {
  if (!isObject(raw) || !isObject(parsed) || !isObject(raw.page)) return;
  const page = raw.page;
  for (const key of ['after', 'before'] as const) {
    if (typeof page[key] !== 'string') continue;
    const kept: Json = isObject(parsed.page) ? { ...parsed.page } : {};
    delete kept.from;
    kept[key] = page[key];
    parsed.page = kept;
  }
}

/** Filter operators (`$…` keys) the caller sent that the schema dropped, named by field. */
export function droppedOperators(
  raw: unknown,
  parsed: unknown,
  at = 'body',
): Array<{ field: string; message: string }> {
  if (!isObject(raw) || !isObject(parsed)) return [];
  const problems: Array<{ field: string; message: string }> = [];
  for (const [key, value] of Object.entries(raw)) {
    const field = `${at}.${key}`;
    if (!(key in parsed)) {
      if (key.startsWith('$')) problems.push({ field, message: `the operator ${key} is not taken by this field` });
      continue;
    }
    problems.push(...droppedOperators(value, parsed[key], field));
  }
  return problems;
}
