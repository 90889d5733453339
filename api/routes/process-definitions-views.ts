import type { CompiledGraph, GraphNode } from '../../bpmn/graph';
import type { Problem } from '../../bpmn/problems';
import { usernamesByStaffId } from '../../records/staff';
import type { Db } from '../../records/sql';
import type { DefinitionVersion } from '../../records/definition-store';
import type { FieldProblem } from '../api-error';

export type Usernames = ReadonlyMap<number, string>;

/** Usernames of the staff who deployed these versions, in one query. */
export async function deployers(db: Db, versions: readonly DefinitionVersion[]): Promise<Usernames> {
  return usernamesByStaffId(
    db,
    versions.map((v) => v.deployedBy).filter((id): id is number => id !== null),
  );
}

export const definitionView = (d: DefinitionVersion, usernames: Usernames) => ({
  key: d.key,
  version: d.version,
  name: d.name,
  checksum: d.checksum.trim(),
  deployedAt: d.deployedAt,
  // null: deployed at start-up from definitions/, not by a person.
  deployedBy: d.deployedBy === null ? null : (usernames.get(d.deployedBy) ?? null),
});

const element = (n: GraphNode) => ({ id: n.id, kind: n.kind, ...(n.name ? { name: n.name } : {}) });

/** What the compiled graph holds, for a reader deciding which version to run or pin. */
export function graphSummary(g: CompiledGraph) {
  // Defensive: rows written outside the compiler (test fixtures, older formats) may lack parts.
  const nodes = Object.values(g.nodes ?? {});
  const elementCounts: Record<string, number> = {};
  for (const n of nodes) elementCounts[n.kind] = (elementCounts[n.kind] ?? 0) + 1;
  const root = g.scopes?.[g.rootScopeId];
  return {
    processId: g.processId,
    ...(g.name ? { name: g.name } : {}),
    ...(g.versionTag ? { versionTag: g.versionTag } : {}),
    elementCounts,
    startEvents: (root?.startEventIds ?? []).flatMap((id) => {
      const n = g.nodes?.[id];
      return n?.kind === 'startEvent' ? [{ ...element(n), trigger: n.trigger.type }] : [];
    }),
    userTasks: nodes.flatMap((n) =>
      n.kind === 'userTask' ? [{ ...element(n), formFields: n.userTask.form?.fields.map((f) => f.key) ?? [] }] : [],
    ),
    serviceTasks: nodes.flatMap((n) =>
      n.kind === 'serviceTask' || n.kind === 'sendTask' || n.kind === 'businessRuleTask'
        ? [{ ...element(n), activityType: n.activity.activityType }]
        : [],
    ),
    messageNames: g.messageNames ?? [],
    messageStartNames: g.messageStartNames ?? [],
    elements: nodes.map(element),
  };
}

/** A compiler problem as a problem+json entry: the field is the diagram, pointed at the element. */
export function problemEntry(p: Problem): FieldProblem {
  return {
    field: p.elementId ? `body.xml#${p.elementId}` : 'body.xml',
    message: `${p.elementId ? `${p.elementId}: ` : ''}${p.message} (${p.rule})`,
  };
}

export const warningView = (p: Problem) => ({
  ...(p.elementId ? { elementId: p.elementId } : {}),
  rule: p.rule,
  message: p.message,
});
