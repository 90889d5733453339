import type { temporal, P } from '../proto';
import { invalidArgument } from '../errors';

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

/** A real server's names for IndexedValueType in its messages. */
const TYPE_NAMES: Record<number, string> = { ...TYPE_METADATA };

/**
 * Refuses search attributes a real server's frontend refuses on a start (its validator, with its
 * messages): a built-in attribute ("WorkflowId attribute can't be set in SearchAttributes"), a name
 * not registered ("search attribute X is not defined"), or a value its registered type cannot
 * hold ("invalid value for search attribute X of type Int: abc"). Lists are accepted for every
 * type (the SDK's untyped form sends one), each element checked. An empty payload (removal) passes.
 */
export function checkSearchAttributes(
  sa: P<temporal.api.common.v1.ISearchAttributes> | null | undefined,
  registeredType: (name: string) => number | undefined,
  isBuiltIn: (name: string) => boolean,
): void {
  for (const [name, payload] of Object.entries(sa?.indexedFields ?? {})) {
    if (isBuiltIn(name)) throw invalidArgument(`${name} attribute can't be set in SearchAttributes`);
    const type = registeredType(name);
    if (type === undefined) throw invalidArgument(`search attribute ${name} is not defined`);
    const data = payload?.data;
    if (!data || data.length === 0) continue;
    const text = Buffer.from(data).toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const values = Array.isArray(value) ? value : [value];
    if (value === undefined || !values.every((v) => fitsType(v, type)))
      throw invalidArgument(
        `invalid value for search attribute ${name} of type ${TYPE_NAMES[type] ?? type}: ${goFormat(value ?? text)}`,
      );
  }
}

function fitsType(v: unknown, type: number): boolean {
  switch (type) {
    case 1: // Text
    case 2: // Keyword
    case 7: // KeywordList
      return typeof v === 'string';
    case 3: // Int
      return typeof v === 'number' && Number.isInteger(v);
    case 4: // Double
      return typeof v === 'number';
    case 5: // Bool
      return typeof v === 'boolean';
    case 6: // Datetime
      return typeof v === 'string' && !Number.isNaN(Date.parse(v));
    default:
      return true;
  }
}

/** A decoded value as Go's %v prints it (the server's message): lists as [a b], strings bare. */
function goFormat(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (v === null) return '<nil>';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
