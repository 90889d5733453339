/**
 * A readable one-line description of anything thrown. Some errors carry no message: Node's
 * AggregateError for a connection refused on every address of a host (`localhost` is ::1 and
 * 127.0.0.1), a promise rejected with nothing (`reject()`), a thrown string or object. Printed
 * as `err.message` or `String(err)` they read "" or "undefined"; this never does.
 */
export function describeError(error: unknown): string {
  return describe(error, 0);
}

function describe(error: unknown, depth: number): string {
  if (error === undefined || error === null) return `no error details (${String(error)} was thrown)`;
  if (typeof error === 'string') return error.trim() || 'an empty error message';
  if (!(error instanceof Error)) {
    if (typeof error !== 'object') return String(error);
    const m = (error as { message?: unknown }).message;
    if (typeof m === 'string' && m.trim()) return m;
    try {
      return `non-error value thrown: ${JSON.stringify(error)}`;
    } catch {
      return 'non-error value thrown (not printable)';
    }
  }
  const e = error as Error & { code?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : '';
  let text = e.message.trim();
  if (depth < 3 && Array.isArray(e.errors) && e.errors.length > 0) {
    // AggregateError: the reasons are in `errors`; the message is often empty.
    const inner = [...new Set(e.errors.map((x) => describe(x, depth + 1)))].join('; ');
    text = text ? `${text}: ${inner}` : inner;
  }
  if (!text && depth < 3 && e.cause !== undefined) text = describe(e.cause, depth + 1);
  if (!text) text = code ? `${e.name} ${code}` : `${e.name} without a message`;
  else if (code && !text.includes(code)) text = `${text} (${code})`;
  return text;
}
