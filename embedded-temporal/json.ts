/**
 * JSON with byte arrays kept as base64 ({"$b": "..."}), for mutable state in json columns.
 *
 * Always the same text as `toJsonWithReplacer` (JSON.stringify with a replacer that turns every
 * Uint8Array into {"$b": base64}), but faster: run state is serialised on every change, and a
 * replacer function takes JSON.stringify off its fast path (it also calls Buffer#toJSON, an array
 * of every byte, before the replacer drops it). So the bytes are swapped for {"$b"} in a copy of
 * only the objects and arrays on the way to them, and JSON.stringify runs without a replacer.
 * A value holding anything but plain objects, arrays, primitives and byte arrays (a Date, a
 * class instance, anything with toJSON) is left to the replacer version, which stays exact.
 */
export function toJson(value: unknown): string {
  const prepared = withBytesAsBase64(value, 0);
  return prepared === UNUSUAL ? toJsonWithReplacer(value) : JSON.stringify(prepared);
}

/** The reference `toJson` always equals. */
export function toJsonWithReplacer(value: unknown): string {
  return JSON.stringify(value, bytesReplacer);
}

function bytesReplacer(this: Record<string, unknown>, key: string, v: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return base64Of(raw);
  return v;
}

function base64Of(bytes: Uint8Array): { $b: string } {
  return { $b: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/** Marks a value withBytesAsBase64 does not handle (see toJson). */
const UNUSUAL = Symbol('unusual');

/** Deeper than any run state; a cycle then reaches JSON.stringify, which names it in its error. */
const MAX_DEPTH = 1000;

/** The value with each Uint8Array replaced by {$b}; what holds no bytes is returned as is, not copied. */
function withBytesAsBase64(v: unknown, depth: number): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Uint8Array) return base64Of(v);
  if (depth > MAX_DEPTH) return UNUSUAL;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || typeof (v as { toJSON?: unknown }).toJSON === 'function')
      return UNUSUAL;
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item !== 'object' || item === null) continue;
      const prepared = withBytesAsBase64(item, depth + 1);
      if (prepared === UNUSUAL) return UNUSUAL;
      if (prepared !== item) {
        copy ??= v.slice();
        copy[i] = prepared;
      }
    }
    return copy ?? v;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return UNUSUAL;
  const o = v as Record<string, unknown>;
  if (typeof o.toJSON === 'function') return UNUSUAL;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(o)) {
    const member = o[key];
    if (typeof member !== 'object' || member === null) continue;
    const prepared = withBytesAsBase64(member, depth + 1);
    if (prepared === UNUSUAL) return UNUSUAL;
    if (prepared !== member) {
      copy ??= { ...o };
      copy[key] = prepared;
    }
  }
  return copy ?? v;
}

export function reviveBytes<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = walk(v[i]);
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$b === 'string' && Object.keys(o).length === 1) return Buffer.from(o.$b, 'base64');
    for (const k of Object.keys(o)) o[k] = walk(o[k]);
  }
  return v;
}
