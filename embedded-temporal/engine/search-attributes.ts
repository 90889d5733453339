import type { temporal, P } from '../proto';

/** Decodes search attribute payloads (json/plain) to plain values for the visibility columns. */
export function decodeSearchAttributes(
  sa: P<temporal.api.common.v1.ISearchAttributes> | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, payload] of Object.entries(sa?.indexedFields ?? {})) {
    const data = payload?.data;
    if (!data || data.length === 0) {
      out[name] = null;
      continue;
    }
    try {
      out[name] = JSON.parse(Buffer.from(data).toString('utf8'));
    } catch {
      out[name] = Buffer.from(data).toString('utf8');
    }
  }
  return out;
}

/** Merges an upsert into the raw attributes; an empty payload removes the attribute. */
export function mergeSearchAttributes(
  current: P<temporal.api.common.v1.ISearchAttributes> | undefined,
  upsert: P<temporal.api.common.v1.ISearchAttributes> | null | undefined,
): P<temporal.api.common.v1.ISearchAttributes> {
  const fields = { ...(current?.indexedFields ?? {}) };
  for (const [name, payload] of Object.entries(upsert?.indexedFields ?? {})) {
    if (!payload?.data || payload.data.length === 0 || Buffer.from(payload.data).toString() === 'null')
      delete fields[name];
    else fields[name] = payload;
  }
  return { indexedFields: fields };
}
