/**
 * Deploy-time compiler: XML → parse → lint (bpmnlint recommended + our rules) → graph.
 * Returns every problem at once, by element id, in plain words; never throws on bad input.
 */
import { LOCAL_ACTIVITY_TYPES } from '../activities/catalogue';
import { buildGraph, selectProcess } from './build-graph';
import { definitionChecksum } from './checksum';
import type { CompiledGraph } from './graph';
import { lintDefinitions } from './lint';
import type { LintContext } from './lint-types';
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

export type CompileResult =
  | {
      ok: true;
      graph: CompiledGraph;
      processId: string;
      name?: string;
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
  const selected = selectProcess(parsed.definitions);
  if (!selected.ok) problems.push(selected.problem);
  if (hasErrors(problems) || !selected.ok) return { ok: false, problems: sortProblems(problems) };
  const built = buildGraph(selected.process, {
    forms: context.forms,
    localActivityTypes: context.localActivityTypes ?? LOCAL_ACTIVITY_TYPES,
  });
  if (!built.ok) return { ok: false, problems: sortProblems([...problems, ...built.problems]) };
  const { graph } = built;
  return {
    ok: true,
    graph,
    processId: graph.processId,
    ...(graph.name ? { name: graph.name } : {}),
    checksum: definitionChecksum(xml),
    warnings: sortProblems(problems),
  };
}

/** One line per problem, for CLI output and logs. */
export function formatProblem(p: Problem): string {
  return `${p.severity}${p.elementId ? ` ${p.elementId}` : ''}: ${p.message} [${p.rule}]`;
}
