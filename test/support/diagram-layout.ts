/**
 * Checks that a definition's diagram (BPMN DI) draws its compiled graph: one shape per element,
 * one orthogonal edge per flow, no overlapping shapes except a boundary event on its task and a
 * sub-process around its own elements, and which flows run right to left.
 */
import type { CompiledGraph } from '../../bpmn/runtime';

interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DiagramLayout {
  /** Element ids with a shape, sorted (to compare with the graph's nodes). */
  drawnElements: string[];
  /** Flow ids with an edge, sorted. */
  drawnFlows: string[];
  /** Edges with fewer than two waypoints or a diagonal segment. */
  crooked: string[];
  /** Pairs of shapes that overlap and should not. */
  overlaps: string[];
  /** Flows whose target is drawn left of their source. */
  backwards: string[];
}

export function diagramLayout(xml: string, graph: CompiledGraph): DiagramLayout {
  const shapes: Box[] = [
    ...xml.matchAll(
      /<bpmndi:BPMNShape id="[^"]+" bpmnElement="([^"]+)"[^>]*>\s*<dc:Bounds x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"/g,
    ),
  ].map((m) => ({
    id: m[1],
    x: Number(m[2]),
    y: Number(m[3]),
    w: Number(m[4]),
    h: Number(m[5]),
  }));
  const edges = new Map<string, Array<[number, number]>>();
  for (const m of xml.matchAll(/<bpmndi:BPMNEdge id="[^"]+" bpmnElement="([^"]+)">([\s\S]*?)<\/bpmndi:BPMNEdge>/g)) {
    edges.set(
      m[1],
      [...m[2].matchAll(/<di:waypoint x="([\d.-]+)" y="([\d.-]+)"/g)].map(
        (p) => [Number(p[1]), Number(p[2])] as [number, number],
      ),
    );
  }
  const crooked = [...edges]
    .filter(
      ([, pts]) => pts.length < 2 || pts.some((p, i) => i > 0 && p[0] !== pts[i - 1][0] && p[1] !== pts[i - 1][1]),
    )
    .map(([id]) => id);
  const attachedTo = (id: string) => {
    const n = graph.nodes[id];
    return n?.kind === 'boundaryEvent' ? n.attachedToId : undefined;
  };
  // An (event) sub-process is drawn expanded, around its own elements.
  const inside = (id: string, container: string) => graph.nodes[id]?.scopeId === container;
  const overlaps: string[] = [];
  for (const [i, a] of shapes.entries()) {
    for (const b of shapes.slice(i + 1)) {
      if (attachedTo(a.id) === b.id || attachedTo(b.id) === a.id || inside(a.id, b.id) || inside(b.id, a.id)) continue;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push(`${a.id} / ${b.id}`);
    }
  }
  const centre = (id: string) => {
    const s = shapes.find((box) => box.id === id);
    return s ? s.x + s.w / 2 : NaN;
  };
  const backwards = Object.entries(graph.flows)
    .filter(([, f]) => centre(f.targetId) < centre(f.sourceId))
    .map(([id]) => id);
  return {
    drawnElements: shapes.map((s) => s.id).sort(),
    drawnFlows: [...edges.keys()].sort(),
    crooked,
    overlaps,
    backwards,
  };
}
