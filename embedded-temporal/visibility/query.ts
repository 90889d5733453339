import { invalidArgument } from '../errors';

/**
 * The small visibility query language (a subset of Temporal's SQL-like list filter):
 *   expr := term (OR term)* ; term := factor (AND factor)* ; factor := NOT factor | '(' expr ')' | predicate
 *   predicate := Name (= | != | <> | < | <= | > | >=) value | Name [NOT] IN (v, ...) | Name BETWEEN v AND v
 *              | Name STARTS_WITH 'prefix' | Name IS [NOT] NULL
 * plus a trailing ORDER BY clause that is accepted and ignored. Compiles to a parameterised SQL condition.
 */
export interface CompiledQuery {
  where: string;
  params: unknown[];
}

type Tok = { t: 'id' | 'str' | 'num' | 'op' | 'p'; v: string };

const STATUS: Record<string, number> = {
  running: 1,
  completed: 2,
  failed: 3,
  canceled: 4,
  terminated: 5,
  continuedasnew: 6,
  timedout: 7,
};
const COLUMNS: Record<string, { sql: string; kind: 'text' | 'time' | 'status' | 'int' }> = {
  workflowid: { sql: 'workflow_id', kind: 'text' },
  runid: { sql: 'run_id', kind: 'text' },
  workflowtype: { sql: 'workflow_type', kind: 'text' },
  executionstatus: { sql: 'status', kind: 'status' },
  starttime: { sql: 'start_time', kind: 'time' },
  closetime: { sql: 'close_time', kind: 'time' },
  executiontime: { sql: 'execution_time', kind: 'time' },
  taskqueue: { sql: 'task_queue', kind: 'text' },
  historylength: { sql: 'history_length', kind: 'int' },
};

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\' && j + 1 < q.length) j++;
        v += q[j++];
      }
      if (j >= q.length) throw invalidArgument(`invalid query: unterminated string at ${i}`);
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (c === '`') {
      const j = q.indexOf('`', i + 1);
      if (j < 0) throw invalidArgument('invalid query: unterminated `name`');
      out.push({ t: 'id', v: q.slice(i + 1, j) });
      i = j + 1;
    } else if ('(),'.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else if ('=<>!'.includes(c)) {
      const two = q.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '<>'].includes(two) ? two : c;
      out.push({ t: 'op', v: op });
      i += op.length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(q.slice(i));
      if (!m) throw invalidArgument(`invalid query near "${q.slice(i, i + 10)}"`);
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(q.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      throw invalidArgument(`invalid query: unexpected "${c}"`);
    }
  }
  return out;
}

export function compileQuery(query: string, searchAttributeTypes: Map<string, number>): CompiledQuery {
  const text = query.replace(/\s+order\s+by\s+[\s\S]*$/i, '').trim();
  const params: unknown[] = [];
  if (!text) return { where: 'TRUE', params };
  const toks = tokenize(text);
  let pos = 0;
  const peek = () => toks[pos];
  const kw = (word: string) => peek()?.t === 'id' && peek().v.toUpperCase() === word;
  const next = () => {
    const t = toks[pos++];
    if (!t) throw invalidArgument('invalid query: unexpected end');
    return t;
  };
  const expect = (v: string) => {
    const t = next();
    if (t.v !== v) throw invalidArgument(`invalid query: expected "${v}", got "${t.v}"`);
  };
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };

  const column = (name: string): { sql: string; conv: (v: Tok) => unknown; cast: string } => {
    const known = COLUMNS[name.toLowerCase()];
    if (known) {
      if (known.kind === 'status') {
        return {
          sql: known.sql,
          cast: '',
          conv: (v) => {
            const n = STATUS[v.v.toLowerCase().replace(/_/g, '')];
            if (n === undefined) throw invalidArgument(`invalid ExecutionStatus "${v.v}"`);
            return n;
          },
        };
      }
      if (known.kind === 'time') return { sql: known.sql, cast: '::timestamptz', conv: (v) => timeValue(v.v) };
      if (known.kind === 'int') return { sql: known.sql, cast: '', conv: (v) => Number(v.v) };
      return { sql: known.sql, cast: '', conv: (v) => v.v };
    }
    const type = searchAttributeTypes.get(name);
    if (type === undefined) throw invalidArgument(`invalid query: unknown search attribute ${name}`);
    // Keyword values may be stored as a list (the SDK's legacy untyped encoding): jsonb `?` matches a
    // string scalar or any element of a list, so keyword equality uses it.
    if (type === 7 || type === 2 || type === 1)
      return { sql: `(search_attributes->${param(name)})`, cast: 'list', conv: (v) => v.v };
    const ref = `(search_attributes->>${param(name)})`;
    switch (type) {
      case 3:
      case 4:
        return { sql: `${ref}::numeric`, cast: '::numeric', conv: (v) => Number(v.v) };
      case 5:
        return { sql: `${ref}::boolean`, cast: '::boolean', conv: (v) => v.v.toLowerCase() === 'true' };
      case 6:
        return { sql: `${ref}::timestamptz`, cast: '::timestamptz', conv: (v) => timeValue(v.v) };
      default:
        return { sql: ref, cast: '', conv: (v) => v.v };
    }
  };

  const value = (): Tok => {
    const t = next();
    if (t.t !== 'str' && t.t !== 'num' && !(t.t === 'id' && /^(true|false)$/i.test(t.v)))
      throw invalidArgument(`invalid query: expected a value, got "${t.v}"`);
    return t;
  };

  const predicate = (): string => {
    const nameTok = next();
    if (nameTok.t !== 'id') throw invalidArgument(`invalid query: expected a name, got "${nameTok.v}"`);
    const col = column(nameTok.v);
    const list = col.cast === 'list';
    if (kw('IS')) {
      next();
      const not = kw('NOT') ? (next(), true) : false;
      if (!kw('NULL')) throw invalidArgument('invalid query: expected NULL');
      next();
      return `${col.sql} IS ${not ? 'NOT ' : ''}NULL`;
    }
    let negate = false;
    if (kw('NOT')) {
      next();
      negate = true;
    }
    if (kw('IN')) {
      next();
      expect('(');
      const vals: unknown[] = [];
      for (;;) {
        vals.push(col.conv(value()));
        const t = next();
        if (t.v === ')') break;
        if (t.v !== ',') throw invalidArgument('invalid query: expected , or )');
      }
      const cond = list ? `${col.sql} ?| ${param(vals.map(String))}::text[]` : `${col.sql} = ANY(${param(vals)})`;
      return negate ? `NOT (${cond})` : cond;
    }
    if (kw('BETWEEN')) {
      next();
      const lo = col.conv(value());
      if (!kw('AND')) throw invalidArgument('invalid query: expected AND in BETWEEN');
      next();
      const hi = col.conv(value());
      const cond = `${col.sql} BETWEEN ${param(lo)}${col.cast} AND ${param(hi)}${col.cast}`;
      return negate ? `NOT (${cond})` : cond;
    }
    if (kw('STARTS_WITH')) {
      next();
      const v = String(col.conv(value()));
      const text = list ? `(${col.sql} #>> '{}')` : col.sql;
      const cond = `${text} LIKE ${param(v.replace(/[\\%_]/g, (m) => `\\${m}`) + '%')}`;
      return negate ? `NOT (${cond})` : cond;
    }
    if (negate) throw invalidArgument('invalid query: NOT must be followed by IN, BETWEEN or STARTS_WITH here');
    const op = next();
    if (op.t !== 'op') throw invalidArgument(`invalid query: expected an operator after ${nameTok.v}, got "${op.v}"`);
    const v = col.conv(value());
    if (list) {
      if (op.v === '=') return `${col.sql} ? ${param(String(v))}`;
      if (op.v === '!=' || op.v === '<>') return `NOT (${col.sql} ? ${param(String(v))})`;
      throw invalidArgument(`invalid query: operator ${op.v} is not supported for keyword attributes`);
    }
    const sqlOp = op.v === '!=' ? '<>' : op.v;
    return `${col.sql} ${sqlOp} ${param(v)}${col.cast}`;
  };

  const factor = (): string => {
    if (kw('NOT')) {
      next();
      return `NOT (${factor()})`;
    }
    if (peek()?.v === '(' && peek().t === 'p') {
      next();
      const e = expr();
      expect(')');
      return `(${e})`;
    }
    return predicate();
  };
  const term = (): string => {
    let left = factor();
    while (kw('AND')) {
      next();
      left = `${left} AND ${factor()}`;
    }
    return left;
  };
  const expr = (): string => {
    let left = term();
    while (kw('OR')) {
      next();
      left = `(${left}) OR (${term()})`;
    }
    return left;
  };
  const where = expr();
  if (pos < toks.length) throw invalidArgument(`invalid query: unexpected "${toks[pos].v}"`);
  return { where, params };
}

function timeValue(v: string): string {
  const d = new Date(/^\d+$/.test(v) ? Number(v) / 1e6 : v);
  if (Number.isNaN(d.getTime())) throw invalidArgument(`invalid query: "${v}" is not a time`);
  return d.toISOString();
}
