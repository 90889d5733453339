/**
 * The elements of a diagram as a list a screen reader can use (diagrams are not accessible
 * upstream): every flow node and sequence flow with its name and kind, in reading order.
 */
export interface ShapeLike {
  id: string;
  type: string;
  x?: number;
  y?: number;
  labelTarget?: unknown;
  waypoints?: unknown;
  businessObject?: { name?: string; sourceRef?: { id: string }; targetRef?: { id: string } };
}

export interface DiagramElementRow {
  id: string;
  name: string;
  /** "User task", "Sequence flow"... */
  kind: string;
  /** For a sequence flow: source and target ids. */
  from?: string;
  to?: string;
}

const SKIP = new Set(['bpmn:Process', 'bpmn:Collaboration', 'label', 'bpmn:Participant', 'bpmn:Lane']);

/** `bpmn:UserTask` → "User task". */
export function kindOf(type: string): string {
  const words = type.replace(/^bpmn:/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return words.charAt(0) + words.slice(1).toLowerCase();
}

export function diagramElements(elements: readonly ShapeLike[]): DiagramElementRow[] {
  return elements
    .filter((e) => !SKIP.has(e.type) && !e.labelTarget && e.type.startsWith('bpmn:'))
    .sort((a, b) => {
      const flowA = a.waypoints ? 1 : 0;
      const flowB = b.waypoints ? 1 : 0;
      return flowA - flowB || (a.x ?? 0) - (b.x ?? 0) || (a.y ?? 0) - (b.y ?? 0) || a.id.localeCompare(b.id);
    })
    .map((e) => ({
      id: e.id,
      name: e.businessObject?.name?.trim() || '',
      kind: kindOf(e.type),
      ...(e.businessObject?.sourceRef ? { from: e.businessObject.sourceRef.id } : {}),
      ...(e.businessObject?.targetRef ? { to: e.businessObject.targetRef.id } : {}),
    }));
}
