/**
 * Problems drawn on the diagram: a coloured outline (marker) and a badge with the message at
 * each element a problem is about. The problems list beside the diagram says the same in text.
 */
import type { DiagramProblem } from '../api/processes';

interface Canvas {
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
}
interface Overlays {
  add(
    id: string,
    type: string,
    overlay: { position: Record<string, number>; html: HTMLElement; scale?: boolean | { min?: number; max?: number } },
  ): string;
  remove(filter: { type: string }): void;
}
interface Registry {
  get(id: string): unknown;
}
export interface DiagramServices {
  get(name: 'canvas'): unknown;
  get(name: 'overlays'): unknown;
  get(name: 'elementRegistry'): unknown;
}

const OVERLAY = 'chis-problem';
const MARKERS = ['chis-problem-error', 'chis-problem-warning'];

/** Element ids a diagram currently marks, to clear them next time. */
const marked = new WeakMap<object, Set<string>>();

export function drawProblems(diagram: DiagramServices, problems: readonly DiagramProblem[]): void {
  const canvas = diagram.get('canvas') as Canvas;
  const overlays = diagram.get('overlays') as Overlays;
  const registry = diagram.get('elementRegistry') as Registry;
  overlays.remove({ type: OVERLAY });
  for (const id of marked.get(diagram) ?? []) for (const m of MARKERS) canvas.removeMarker(id, m);
  const byElement = new Map<string, DiagramProblem[]>();
  for (const p of problems) {
    if (!p.elementId || !registry.get(p.elementId)) continue;
    byElement.set(p.elementId, [...(byElement.get(p.elementId) ?? []), p]);
  }
  for (const [id, list] of byElement) {
    const errors = list.filter((p) => p.severity === 'error');
    const severity = errors.length ? 'error' : 'warning';
    canvas.addMarker(id, `chis-problem-${severity}`);
    const badge = document.createElement('div');
    badge.className = `chis-problem-badge chis-problem-badge--${severity}`;
    badge.setAttribute('aria-hidden', 'true');
    badge.dataset.elementId = id;
    const first = (errors[0] ?? list[0]).message;
    badge.textContent = `${severity === 'error' ? 'Error' : 'Warning'}: ${first}${list.length > 1 ? ` (+${list.length - 1} more)` : ''}`;
    badge.title = list.map((p) => p.message).join('\n');
    // Readable at any zoom: not scaled with the diagram.
    overlays.add(id, OVERLAY, { position: { bottom: -6, left: 0 }, html: badge, scale: false });
  }
  marked.set(diagram, new Set(byElement.keys()));
}

/** Problems of a refused deployment (problem+json `errors[]`: field body.xml#<id>, message "<id>: ... (rule)"). */
export function problemsFromDeployErrors(errors: ReadonlyArray<{ field: string; message: string }>): DiagramProblem[] {
  return errors.map((e) => {
    const elementId = e.field.startsWith('body.xml#') ? e.field.slice('body.xml#'.length) : null;
    const ruleMatch = /\(([^()]+)\)$/.exec(e.message);
    let message = e.message;
    if (elementId && message.startsWith(`${elementId}: `)) message = message.slice(elementId.length + 2);
    if (ruleMatch) message = message.slice(0, -ruleMatch[0].length).trim();
    return { severity: 'error', elementId, rule: ruleMatch?.[1] ?? 'deploy', message, field: e.field };
  });
}
