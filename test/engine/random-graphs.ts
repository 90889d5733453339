/**
 * Generates random well-formed process graphs from a seed: nested sequences, exclusive,
 * parallel and inclusive splits with matching joins, timers, sub-processes, boundary timers,
 * event-based races, multi-instance tasks. Shared by the engine's randomised test and the
 * workflow-level randomised test.
 */
import type { CompiledGraph } from '../../bpmn/runtime';
import { GraphBuilder, feel, type ScopeBuilder } from './graph-builder';

/** Small fast seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const RANDOM_VARIABLES = ['v0', 'v1', 'v2', 'v3'];

interface Ctx {
  rnd: () => number;
  next: number;
  depth: number;
  messages: boolean;
}

function id(ctx: Ctx, prefix: string): string {
  return `${prefix}${ctx.next++}`;
}

function pick<T>(ctx: Ctx, items: readonly T[]): T {
  return items[Math.floor(ctx.rnd() * items.length)];
}

function condition(ctx: Ctx): string {
  return `${pick(ctx, RANDOM_VARIABLES)} > ${Math.round(ctx.rnd() * 10) / 10}`;
}

/** Emits a block into `scope`; returns its entry and exit node ids. */
function block(ctx: Ctx, scope: ScopeBuilder): { entry: string; exit: string } {
  // The outermost block is always composite, so every graph has some structure.
  const r = ctx.depth === 0 ? 0.3 + 0.7 * ctx.rnd() : ctx.rnd();
  if (ctx.depth >= 4 || r < 0.3) return leaf(ctx, scope);
  ctx.depth++;
  try {
    if (r < 0.45) {
      const parts = Array.from({ length: 2 + Math.floor(ctx.rnd() * 2) }, () => block(ctx, scope));
      for (let i = 0; i + 1 < parts.length; i++) scope.flow(parts[i].exit, parts[i + 1].entry);
      return { entry: parts[0].entry, exit: parts[parts.length - 1].exit };
    }
    if (r < 0.6) return split(ctx, scope, 'xor');
    if (r < 0.72) return split(ctx, scope, 'and');
    if (r < 0.84) return split(ctx, scope, 'or');
    if (r < 0.92) {
      const sid = id(ctx, 'sub');
      // Sometimes the sub-process raises an escalation that a non-interrupting boundary catches.
      const escalate = ctx.rnd() < 0.35;
      let inner: { entry: string; exit: string } = { entry: '', exit: '' };
      scope.sub(sid, (s) => {
        const start = id(ctx, 'ss');
        const end = id(ctx, 'se');
        s.start(start).end(end);
        inner = block(ctx, s);
        if (escalate) {
          const raise = id(ctx, 'esc');
          s.throwEvent(raise, { type: 'escalation', escalationCode: 'E' }).flow(start, raise).flow(raise, inner.entry);
        } else {
          s.flow(start, inner.entry);
        }
        s.flow(inner.exit, end);
      });
      if (escalate) {
        const caught = id(ctx, 'escB');
        const caughtEnd = id(ctx, 'escE');
        scope
          .boundary(caught, sid, { type: 'escalation', escalationCode: 'E' }, { interrupting: false })
          .end(caughtEnd)
          .flow(caught, caughtEnd);
      }
      return { entry: sid, exit: boundaryTimer(ctx, scope, sid) };
    }
    return race(ctx, scope);
  } finally {
    ctx.depth--;
  }
}

function leaf(ctx: Ctx, scope: ScopeBuilder): { entry: string; exit: string } {
  const r = ctx.rnd();
  const n = id(ctx, r < 0.5 ? 'job' : r < 0.65 ? 'wait' : r < 0.75 ? 'mi' : r < 0.85 ? 'script' : 'manual');
  if (n.startsWith('job')) {
    scope.service(n, pick(ctx, ['alpha', 'beta', 'gamma']));
    return { entry: n, exit: boundaryTimer(ctx, scope, n) };
  } else if (n.startsWith('wait')) {
    scope.timerCatch(n, 'duration', pick(ctx, ['PT1H', 'P1D', 'P7D']));
  } else if (n.startsWith('mi')) {
    scope.service(n, 'alpha', {
      multiInstance: {
        sequential: ctx.rnd() < 0.5,
        inputCollection: feel('items'),
        inputElement: 'item',
        outputCollection: `${n}Out`,
        outputElement: feel('item'),
      },
    });
  } else if (n.startsWith('script')) {
    scope.script(n, `${pick(ctx, RANDOM_VARIABLES)} + 0`, pick(ctx, RANDOM_VARIABLES));
  } else {
    scope.manual(n);
  }
  return { entry: n, exit: n };
}

/**
 * Sometimes a boundary timer: interrupting (its path merges again after the host, so joins
 * further on still get their token) or a non-interrupting reminder ending on its own.
 * Returns the block's exit.
 */
function boundaryTimer(ctx: Ctx, scope: ScopeBuilder, host: string): string {
  const r = ctx.rnd();
  if (r > 0.3) return host;
  const b = id(ctx, 'bt');
  if (r < 0.15) {
    const merge = id(ctx, 'btM');
    scope
      .timerBoundary(b, host, 'duration', pick(ctx, ['PT30M', 'P2D']), true)
      .xor(merge)
      .flow(host, merge)
      .flow(b, merge);
    return merge;
  }
  const end = id(ctx, 'be');
  scope
    .timerBoundary(b, host, 'cycle', pick(ctx, ['R2/PT10M', 'R/P1D']), false)
    .manual(`${b}n`)
    .end(end)
    .chain(b, `${b}n`, end);
  return host;
}

function split(ctx: Ctx, scope: ScopeBuilder, type: 'xor' | 'and' | 'or'): { entry: string; exit: string } {
  const fork = id(ctx, `${type}F`);
  const join = id(ctx, `${type}J`);
  if (type === 'xor') scope.xor(fork).xor(join);
  else if (type === 'and') scope.and(fork).and(join);
  else scope.or(fork).or(join);
  const branches = 2 + Math.floor(ctx.rnd() * 2);
  for (let i = 0; i < branches; i++) {
    const b = block(ctx, scope);
    const flowId = `${fork}_${i}`;
    if (type === 'and') scope.flow(fork, b.entry, { id: flowId });
    else if (i === branches - 1) scope.flow(fork, b.entry, { id: flowId, isDefault: true });
    else scope.flow(fork, b.entry, { id: flowId, condition: condition(ctx) });
    scope.flow(b.exit, join);
  }
  return { entry: fork, exit: join };
}

/** An event-based gateway racing a message against a timer; both paths merge again. */
function race(ctx: Ctx, scope: ScopeBuilder): { entry: string; exit: string } {
  const gw = id(ctx, 'evgw');
  const timer = id(ctx, 'raceT');
  const merge = id(ctx, 'raceM');
  scope
    .eventGateway(gw)
    .timerCatch(timer, 'duration', pick(ctx, ['PT5M', 'P3D']))
    .xor(merge);
  scope.flow(gw, timer).flow(timer, merge);
  if (ctx.messages) {
    const msg = id(ctx, 'raceMsg');
    scope.messageCatch(msg, 'poke', 'key').flow(gw, msg).flow(msg, merge);
  } else {
    const t2 = id(ctx, 'raceT');
    scope.timerCatch(t2, 'duration', 'PT20M').flow(gw, t2).flow(t2, merge);
  }
  return { entry: gw, exit: merge };
}

/** A random well-formed process: start → block → end. */
export function randomGraph(seed: number, options: { messages?: boolean } = {}): CompiledGraph {
  const ctx: Ctx = { rnd: prng(seed), next: 0, depth: 0, messages: options.messages ?? true };
  const g = new GraphBuilder(`random${seed}`);
  g.start('start').end('end');
  const body = block(ctx, g);
  g.flow('start', body.entry).flow(body.exit, 'end');
  return g.build();
}

export function randomStartVariables(seed: number): Record<string, unknown> {
  const rnd = prng(seed * 7 + 1);
  return {
    ...Object.fromEntries(RANDOM_VARIABLES.map((v) => [v, Math.round(rnd() * 10) / 10])),
    items: [1, 2, 3].slice(0, 1 + Math.floor(rnd() * 3)),
    key: 'k',
  };
}
