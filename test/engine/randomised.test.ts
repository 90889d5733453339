/**
 * Randomised: many generated well-formed graphs, driven by random (seeded) job results,
 * failures with retries, timers and messages, must always complete, never deadlock, leave
 * nothing behind, and give identical commands when run again with the same seed (the second
 * time changing the state in place, as the interpreter workflow does).
 */
import { Driver } from './driver';
import { prng, randomGraph, randomStartVariables, RANDOM_VARIABLES } from './random-graphs';
import type { CompiledGraph } from '../../bpmn/runtime';
import type { MessageWait } from '../../workflows/engine';

const GRAPHS = 300;
const MAX_STEPS = 5000;

function drive(graph: CompiledGraph, seed: number, inPlace = false): Driver {
  const rnd = prng(seed ^ 0x5bd1e995);
  const d = new Driver(graph, randomStartVariables(seed), { inPlace });
  for (let step = 0; d.status === 'running'; step++) {
    if (step > MAX_STEPS) throw new Error(`seed ${seed}: still running after ${MAX_STEPS} steps`);
    const incidents = Object.values(d.state.incidents);
    if (incidents.length > 0) {
      d.send({ type: 'incidentRetried', incidentId: incidents[0].id });
      continue;
    }
    const jobs = d.jobs();
    const timers = d.timers();
    const messages = Object.values(d.state.waits).filter((w): w is MessageWait => w.type === 'message');
    const choices = jobs.length + (timers.length > 0 ? 1 : 0) + messages.length;
    if (choices === 0) {
      throw new Error(
        `seed ${seed}: deadlock, nothing to wait for; active: ${JSON.stringify(Object.values(d.state.instances).map((i) => i.elementId))}`,
      );
    }
    const c = Math.floor(rnd() * choices);
    if (c < jobs.length) {
      const job = jobs[c];
      if (rnd() < 0.1) {
        d.send({ type: 'jobFailed', jobId: job.id, message: 'random failure' });
      } else {
        const variable = RANDOM_VARIABLES[Math.floor(rnd() * RANDOM_VARIABLES.length)];
        d.send({ type: 'jobCompleted', jobId: job.id, variables: { [variable]: Math.round(rnd() * 10) / 10 } });
      }
    } else if (c < jobs.length + messages.length) {
      const m = messages[c - jobs.length];
      d.message(m.name, m.correlationKey, { poked: step });
    } else {
      d.fireNextTimer();
    }
    d.now += Math.floor(rnd() * 60_000);
  }
  return d;
}

/** Every job, timer and user task the engine started was finished or cancelled. */
function assertNothingLeaks(d: Driver): void {
  const open = new Set<string>();
  for (const t of d.trace) {
    if (t.event !== 'start') {
      const e = t.event;
      if (e.type === 'jobCompleted' || e.type === 'jobFailed') open.delete(e.jobId);
      if (e.type === 'timerFired') open.delete(e.timerId);
    }
    for (const c of t.commands) {
      if (c.type === 'runJob') open.add(c.jobId);
      if (c.type === 'startTimer') open.add(c.timerId);
      if (c.type === 'cancelJob') open.delete(c.jobId);
      if (c.type === 'cancelTimer') open.delete(c.timerId);
    }
  }
  expect([...open]).toEqual([]);
}

/**
 * Without loops, every element runs at most once per scope activation, except the paths of
 * repeating boundary timers (`bt…`, `be…`) and multi-instance inner instances (`mi…`).
 * Catches a join that fires too early (its gateway would then run twice).
 */
function assertEachElementOncePerScope(d: Driver, seed: number): void {
  const seen = new Map<string, number>();
  for (const e of d.state.log) {
    if (e.state !== 'completed' || /^(bt|be|mi)/.test(e.elementId)) continue;
    const key = `${e.parentId}/${e.elementId}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const repeated = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  expect({ seed, repeated }).toEqual({ seed, repeated: [] });
  expect(d.path.filter((p) => p === 'end')).toHaveLength(1);
}

describe('randomised graphs', () => {
  it(`${GRAPHS} generated graphs always complete, leave nothing behind and run deterministically`, () => {
    const kinds = new Set<string>();
    let steps = 0;
    let elements = 0;
    for (let seed = 1; seed <= GRAPHS; seed++) {
      const graph = randomGraph(seed);
      for (const n of Object.values(graph.nodes)) kinds.add(n.kind);
      const first = drive(graph, seed);
      expect({ seed, status: first.status }).toEqual({ seed, status: 'completed' });
      expect(first.state.instances).toEqual({});
      expect(first.state.waits).toEqual({});
      expect(first.state.incidents).toEqual({});
      assertNothingLeaks(first);
      assertEachElementOncePerScope(first, seed);
      // Again, changing the state in place as the interpreter workflow does: the same commands.
      const second = drive(graph, seed, true);
      expect(JSON.stringify(second.trace)).toBe(JSON.stringify(first.trace));
      steps += first.trace.length;
      elements += first.path.length;
    }
    // The generator must actually exercise the element families (guards against a degenerate generator).
    expect([...kinds].sort()).toEqual(
      [
        'boundaryEvent',
        'endEvent',
        'eventBasedGateway',
        'exclusiveGateway',
        'inclusiveGateway',
        'intermediateCatchEvent',
        'intermediateThrowEvent',
        'manualTask',
        'parallelGateway',
        'scriptTask',
        'serviceTask',
        'startEvent',
        'subProcess',
      ].sort(),
    );
    expect(steps).toBeGreaterThan(GRAPHS * 4);
    expect(elements).toBeGreaterThan(GRAPHS * 15);
  });
});
