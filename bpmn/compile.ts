/**
 * Deploy-time compiler: XML → parse → lint (bpmnlint recommended + our rules) → graph.
 * Returns every problem at once, by element id, in plain words; never throws on bad input.
 */
import { LOCAL_ACTIVITY_TYPES } from '../activities/catalogue';
import { buildGraph, selectProcesses } from './build-graph';
import { definitionChecksum } from './checksum';
import type { CompiledGraph } from './graph';
import { lintDefinitions } from './lint';
import type { LintContext } from './lint-types';
import { children, is, isModdleElement, type ModdleElement } from './moddle';
import { parseBpmnXml } from './parse';
import { hasErrors, type Problem } from './problems';

export interface CompileContext extends LintContext {
  /**
   * Activity types whose jobs run as Temporal local activities (the catalogue's `local` types
   * when not given). Recorded on each job in the graph: a deployed version keeps its mode.
   */
  readonly localActivityTypes?: ReadonlySet<string>;
  /** Largest accepted XML in bytes (default 2 MB). */
  readonly maxBytes?: number;
}

/** One executable process of a diagram. */
export interface CompiledProcess {
  graph: CompiledGraph;
  processId: string;
  name?: string;
}

export type CompileResult =
  | {
      ok: true;
      /** The first executable process (most diagrams have one). */
      graph: CompiledGraph;
      processId: string;
      name?: string;
      /** Every executable process of the diagram, in document order (Camunda 8 deploys them all). */
      processes: CompiledProcess[];
      checksum: string;
      /** Problems that do not block deployment (e.g. a user task nobody is assigned to). */
      warnings: Problem[];
    }
  | { ok: false; problems: Problem[] };

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

/** Errors first, then by element and rule; exact duplicates removed. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems
    .filter((p) => {
      const key = `${p.severity}|${p.elementId ?? ''}|${p.rule}|${p.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        (a.elementId ?? '').localeCompare(b.elementId ?? '') ||
        a.rule.localeCompare(b.rule) ||
        a.message.localeCompare(b.message),
    );
}

export async function compileDefinition(xml: string, context: CompileContext): Promise<CompileResult> {
  try {
    return await compile(xml, context);
  } catch (e) {
    // A bug of ours must not look like a crash of the deployment API.
    return {
      ok: false,
      problems: [{ rule: 'compile', severity: 'error', message: `internal compiler error: ${(e as Error).message}` }],
    };
  }
}

async function compile(xml: string, context: CompileContext): Promise<CompileResult> {
  const parsed = await parseBpmnXml(xml, { maxBytes: context.maxBytes });
  if (!parsed.ok) return { ok: false, problems: sortProblems(parsed.problems) };
  const problems = await lintDefinitions(parsed.definitions, context);
  const selected = selectProcesses(parsed.definitions);
  if (selected.ok) demoteOutside(problems, parsed.definitions, selected.processes);
  else problems.push(selected.problem);
  if (hasErrors(problems) || !selected.ok) return { ok: false, problems: sortProblems(problems) };
  const processes: CompiledProcess[] = [];
  const buildProblems: Problem[] = [];
  for (const process of selected.processes) {
    const built = buildGraph(process, {
      forms: context.forms,
      activityTypes: context.activityTypes,
      localActivityTypes: context.localActivityTypes ?? LOCAL_ACTIVITY_TYPES,
    });
    if (!built.ok) buildProblems.push(...built.problems);
    else
      processes.push({
        graph: built.graph,
        processId: built.graph.processId,
        ...(built.graph.name ? { name: built.graph.name } : {}),
      });
  }
  if (buildProblems.length > 0) return { ok: false, problems: sortProblems([...problems, ...buildProblems]) };
  const [first] = processes;
  return {
    ok: true,
    graph: first.graph,
    processId: first.processId,
    ...(first.name ? { name: first.name } : {}),
    processes,
    checksum: definitionChecksum(xml),
    warnings: sortProblems(problems),
  };
}

/** Ids of an element and everything inside it. */
function idsWithin(el: ModdleElement, into: Set<string>): Set<string> {
  if (el.id) into.add(el.id);
  for (const value of Object.values(el)) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) if (isModdleElement(item) && item.$parent === el) idsWithin(item, into);
  }
  return into;
}

/**
 * Problems inside a process that is not executable become warnings: Camunda 8 does not deploy
 * such a process (a pool drawn for documentation), so nothing in it can block the deployment.
 */
function demoteOutside(problems: Problem[], definitions: ModdleElement, executable: readonly ModdleElement[]): void {
  const others = children(definitions, 'rootElements').filter((e) => is(e, 'bpmn:Process') && !executable.includes(e));
  if (others.length === 0) return;
  const ids = new Set<string>();
  for (const p of others) idsWithin(p, ids);
  for (let i = 0; i < problems.length; i++) {
    const p = problems[i];
    if (p.severity === 'error' && p.elementId && ids.has(p.elementId))
      problems[i] = { ...p, severity: 'warning', message: `${p.message} (in a process that is not executable)` };
  }
}

/** One line per problem, for CLI output and logs. */
export function formatProblem(p: Problem): string {
  return `${p.severity}${p.elementId ? ` ${p.elementId}` : ''}: ${p.message} [${p.rule}]`;
}
