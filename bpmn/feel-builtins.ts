/**
 * Camunda's FEEL built-in functions that @bpmn-io/feelin lacks or answers differently
 * (the list is @camunda/feel-builtins, which the FEEL conformance test walks). They are handed
 * to feelin as context functions, which take precedence over its own built-ins.
 *
 * Runs inside the Temporal workflow sandbox: no Node built-ins (base64 by hand), and
 * `random number()` / `uuid()` use Math.random, which the sandbox makes deterministic per
 * workflow, so replay sees the same values.
 */
import { DateTime, Duration, FixedOffsetZone } from 'luxon';

type Fn = (...args: unknown[]) => unknown;

interface RangeLike {
  start: unknown;
  end: unknown;
  'start included': boolean;
  'end included': boolean;
}

const isRange = (v: unknown): v is RangeLike =>
  v !== null && typeof v === 'object' && 'start included' in v && 'end included' in v;
const isContext = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  !DateTime.isDateTime(v) &&
  !Duration.isDuration(v) &&
  !isRange(v);
const isNil = (v: unknown) => v === null || v === undefined;

/** Orders numbers, strings and temporal values; null when they do not compare. */
function cmp(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (DateTime.isDateTime(a) && DateTime.isDateTime(b)) return a.toMillis() - b.toMillis();
  if (Duration.isDuration(a) && Duration.isDuration(b)) return a.toMillis() - b.toMillis();
  return null;
}

const eq = (a: unknown, b: unknown) => cmp(a, b) === 0;
const lt = (a: unknown, b: unknown) => (cmp(a, b) ?? 0) < 0;
const gt = (a: unknown, b: unknown) => (cmp(a, b) ?? 0) > 0;

/** A point as a degenerate closed range, so the range functions take points or ranges. */
const asRange = (v: unknown): RangeLike =>
  isRange(v) ? v : { start: v, end: v, 'start included': true, 'end included': true };

/** Range relations of the DMN 1.3 specification (10.3.4.7), with points as closed ranges. */
const RANGE: Record<string, (a: RangeLike, b: RangeLike) => boolean> = {
  'overlaps before': (a, b) =>
    (lt(a.start, b.start) || (eq(a.start, b.start) && a['start included'] && !b['start included'])) &&
    (gt(a.end, b.start) || (eq(a.end, b.start) && a['end included'] && b['start included'])) &&
    (lt(a.end, b.end) || (eq(a.end, b.end) && (!a['end included'] || b['end included']))),
  'overlaps after': (a, b) => RANGE['overlaps before'](b, a),
  finishes: (a, b) =>
    a['end included'] === b['end included'] &&
    eq(a.end, b.end) &&
    (gt(a.start, b.start) || (eq(a.start, b.start) && (!a['start included'] || b['start included']))),
  'finished by': (a, b) => RANGE.finishes(b, a),
  during: (a, b) =>
    (gt(a.start, b.start) || (eq(a.start, b.start) && (!a['start included'] || b['start included']))) &&
    (lt(a.end, b.end) || (eq(a.end, b.end) && (!a['end included'] || b['end included']))),
  starts: (a, b) =>
    eq(a.start, b.start) &&
    a['start included'] === b['start included'] &&
    (lt(a.end, b.end) || (eq(a.end, b.end) && (!a['end included'] || b['end included']))),
  'started by': (a, b) => RANGE.starts(b, a),
  coincides: (a, b) =>
    eq(a.start, b.start) &&
    eq(a.end, b.end) &&
    a['start included'] === b['start included'] &&
    a['end included'] === b['end included'],
};

function rangeFunction(name: string): Fn {
  return (a, b) => (isNil(a) || isNil(b) ? null : RANGE[name](asRange(a), asRange(b)));
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8(text: string): number[] {
  const bytes: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return bytes;
}

function fromUtf8(bytes: number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    let c = n === 1 ? b : b & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) c = (c << 6) | (bytes[i + k] & 63);
    out += String.fromCodePoint(c);
    i += n;
  }
  return out;
}

function toBase64(text: string): string {
  const bytes = utf8(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    out += B64[a >> 2] + B64[((a & 3) << 4) | ((b ?? 0) >> 4)];
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)];
    out += c === undefined ? '=' : B64[c & 63];
  }
  return out;
}

function fromBase64(text: string): string | null {
  const clean = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(clean)) return null;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    buffer = (buffer << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return fromUtf8(bytes);
}

function randomUuid(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 3) | 8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A FEEL value as JSON text (dates and durations as their ISO text), as Camunda's `to json`. */
export function feelToJsonValue(v: unknown): unknown {
  if (isNil(v)) return null;
  if (DateTime.isDateTime(v)) return temporalText(v);
  if (Duration.isDuration(v)) return v.toISO();
  if (Array.isArray(v)) return v.map(feelToJsonValue);
  if (isContext(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, feelToJsonValue(x)]));
  return v;
}

/** ISO text of a FEEL date, time or date-time (a zone id is kept in brackets, as Java writes it). */
export function temporalText(d: DateTime): string {
  const utc = d.zone.equals(FixedOffsetZone.utcInstance);
  if (d.year === 1900 && d.month === 1 && d.day === 1)
    return d.toISOTime({ suppressMilliseconds: true, includeOffset: !utc }) ?? '';
  const midnight = d.hour === 0 && d.minute === 0 && d.second === 0 && d.millisecond === 0;
  if (midnight && utc) return d.toISODate() ?? '';
  const iso = d.toISO({ suppressMilliseconds: true }) ?? '';
  return d.zone.type === 'iana' ? `${iso}[${d.zoneName}]` : iso;
}

function fromJsonValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJsonValue);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromJsonValue(x)]));
  return v;
}

function pathOf(keys: unknown): string[] | null {
  if (typeof keys === 'string') return [keys];
  if (Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string')) return keys as string[];
  return null;
}

function contextPut(context: unknown, keys: unknown, value: unknown): unknown {
  const path = pathOf(keys);
  if (!isContext(context) || !path) return null;
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...context, [head]: value };
  const inner = context[head];
  return { ...context, [head]: contextPut(isContext(inner) ? inner : {}, rest, value) };
}

function rounder(mode: (n: number) => number): Fn {
  return (n, scale = 0) => {
    if (typeof n !== 'number' || typeof scale !== 'number') return null;
    const f = Math.pow(10, scale);
    const shifted = Number((n * f).toPrecision(15));
    return mode(shifted) / f;
  };
}

const halfUp = (x: number) => (Math.abs(x % 1) === 0.5 ? Math.sign(x) * Math.ceil(Math.abs(x)) : Math.round(x));
const halfDown = (x: number) => (Math.abs(x % 1) === 0.5 ? Math.sign(x) * Math.floor(Math.abs(x)) : Math.round(x));

/** A date-time at a zone (an IANA id or "Z"), or null when the zone is unknown. */
function atZone(d: DateTime, zone: string): DateTime | null {
  const moved = d.setZone(zone === 'Z' ? 'UTC' : zone);
  return moved.isValid ? moved : null;
}

/** Camunda's built-ins that feelin lacks or answers differently. */
export function camundaBuiltins(): Record<string, Fn> {
  return {
    'is defined': (v) => !isNil(v),
    'get or else': (v, fallback) => (isNil(v) ? (fallback ?? null) : v),
    assert: (v, condition, cause) => {
      if (condition !== true)
        throw new Error(typeof cause === 'string' ? cause : 'Assertion failure on evaluate the expression');
      return v;
    },
    'get value': (context, keys) => {
      const path = pathOf(keys);
      if (!path) return null;
      let cur: unknown = context;
      for (const k of path) cur = isContext(cur) && k in cur ? cur[k] : null;
      return cur ?? null;
    },
    'context put': (context, keys, value) => contextPut(context, keys, value),
    'years and months duration': (from, to) => {
      if (!DateTime.isDateTime(from) || !DateTime.isDateTime(to)) return null;
      const months = Math.trunc(to.diff(from, 'months').months);
      return Duration.fromObject({ years: Math.trunc(months / 12), months: months % 12 });
    },
    'from json': (text) => {
      if (typeof text !== 'string') return null;
      try {
        return fromJsonValue(JSON.parse(text));
      } catch {
        return null;
      }
    },
    'to json': (v) => JSON.stringify(feelToJsonValue(v)),
    'round up': rounder((x) => (x < 0 ? Math.floor(x) : Math.ceil(x))),
    'round down': rounder((x) => (x < 0 ? Math.ceil(x) : Math.floor(x))),
    'round half up': rounder(halfUp),
    'round half down': rounder(halfDown),
    abs: (n) =>
      typeof n === 'number'
        ? Math.abs(n)
        : Duration.isDuration(n)
          ? n.toMillis() < 0 || Object.values(n.toObject()).some((x) => x < 0)
            ? n.negate()
            : n
          : null,
    ...Object.fromEntries(Object.keys(RANGE).map((name) => [name, rangeFunction(name)])),
    // Each value that occurs more than once, in the order of its first occurrence.
    'duplicate values': (list) => {
      if (!Array.isArray(list)) return null;
      const key = (v: unknown) => JSON.stringify(feelToJsonValue(v));
      const counts = new Map<string, number>();
      for (const v of list) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
      const seen = new Set<string>();
      return list.filter((v) => {
        const k = key(v);
        if ((counts.get(k) ?? 0) < 2 || seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
    'string join': (list, delimiter, prefix, suffix) => {
      if (!Array.isArray(list) || !list.every((v) => v === null || typeof v === 'string')) return null;
      const text = list.filter((v) => v !== null).join(typeof delimiter === 'string' ? delimiter : '');
      return `${typeof prefix === 'string' ? prefix : ''}${text}${typeof suffix === 'string' ? suffix : ''}`;
    },
    'is empty': (list) => (Array.isArray(list) ? list.length === 0 : null),
    partition: (list, size) => {
      if (!Array.isArray(list) || typeof size !== 'number' || size <= 0) return null;
      const out: unknown[][] = [];
      for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
      return out;
    },
    'random number': () => Math.random(),
    extract: (text, pattern) => {
      if (typeof text !== 'string' || typeof pattern !== 'string') return null;
      return [...text.matchAll(new RegExp(pattern, 'g'))].map((m) => m[0]);
    },
    trim: (text) => (typeof text === 'string' ? text.trim() : null),
    uuid: () => randomUuid(),
    'to base64': (text) => (typeof text === 'string' ? toBase64(text) : null),
    'from base64': (text) => (typeof text === 'string' ? fromBase64(text) : null),
    'is blank': (text) => (typeof text === 'string' ? text.trim() === '' : null),
    // A date, also for a date-time.
    'last day of month': (d) =>
      DateTime.isDateTime(d)
        ? DateTime.fromObject(
            { year: d.year, month: d.month, day: d.daysInMonth ?? 31 },
            { zone: FixedOffsetZone.utcInstance },
          )
        : null,
    // An AI agent's tool parameter: outside an agent's call it is the value itself.
    fromAi: (value) => value ?? null,
    // A date (the clock's day in UTC), not a date-time at midnight as feelin gives.
    today: () => {
      const now = DateTime.utc();
      return DateTime.fromObject(
        { year: now.year, month: now.month, day: now.day },
        { zone: FixedOffsetZone.utcInstance },
      );
    },
  };
}

/**
 * Overloads Camunda adds to built-ins feelin has: tried first, falling back to feelin's own
 * (`base` calls it with the same arguments).
 */
export function camundaOverloads(base: (name: string, args: unknown[]) => unknown): Record<string, Fn> {
  return {
    'date and time': (...args) => {
      const [a, b] = args;
      if (DateTime.isDateTime(a) && typeof b === 'string') return atZone(a, b);
      if (DateTime.isDateTime(a) && DateTime.isDateTime(b)) {
        const time = b.year === 1900 && b.month === 1 && b.day === 1;
        if (!time) return null;
        return DateTime.fromObject(
          { year: a.year, month: a.month, day: a.day, hour: b.hour, minute: b.minute, second: b.second },
          { zone: b.zone },
        );
      }
      return base('date and time', args);
    },
    time: (...args) => {
      const [h, m, s, offset] = args;
      if (typeof h === 'number' && typeof m === 'number' && typeof s === 'number' && Duration.isDuration(offset)) {
        const minutes = Math.round(offset.as('minutes'));
        return DateTime.fromObject(
          { year: 1900, month: 1, day: 1, hour: h, minute: m, second: s },
          { zone: FixedOffsetZone.instance(minutes) },
        );
      }
      return base('time', args);
    },
  };
}
