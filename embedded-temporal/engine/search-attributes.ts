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
      const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
      // The SDK's untyped encoding wraps every value in a list: a one-element list is that value,
      // so Int, Double, Bool and Datetime compare as scalars (keyword matching takes either).
      out[name] = Array.isArray(value) && value.length === 1 ? value[0] : value;
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

/** The `type` metadata a real server puts on search attribute payloads (IndexedValueType names). */
const TYPE_METADATA: Record<number, string> = {
  1: 'Text',
  2: 'Keyword',
  3: 'Int',
  4: 'Double',
  5: 'Bool',
  6: 'Datetime',
  7: 'KeywordList',
};

/**
 * Search attributes with each payload's `type` metadata set from the registered type, as a real
 * server applies its type map to what it stores and returns: the SDK decodes a Datetime to a Date
 * and reads typed search attributes only from payloads that say their type (the SDK's untyped
 * encoding sends none). A type the sender gave is kept.
 */
export function withTypeMetadata(
  sa: P<temporal.api.common.v1.ISearchAttributes> | null | undefined,
  typeOf: (name: string) => number | undefined,
): P<temporal.api.common.v1.ISearchAttributes> | null | undefined {
  const fields = sa?.indexedFields;
  if (!fields) return sa;
  let typed: Record<string, P<temporal.api.common.v1.IPayload>> | undefined;
  for (const [name, payload] of Object.entries(fields)) {
    const type = TYPE_METADATA[typeOf(name) ?? 0];
    if (!type || !payload?.data?.length || payload.metadata?.type) continue;
    typed ??= { ...fields };
    typed[name] = { ...payload, metadata: { ...payload.metadata, type: Buffer.from(type) } };
  }
  return typed ? { ...sa, indexedFields: typed } : sa;
}
