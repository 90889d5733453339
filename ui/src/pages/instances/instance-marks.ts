/**
 * An instance's state as marks on its version's diagram, and as text for the elements table:
 * completed elements green, active blue, incidents red; how many times each element ran.
 * Ids missing from the drawn version are skipped (Operate broke on exactly that: camunda #31985).
 */
import type { InstanceState } from '../../api/processes';
import { badge, servicesOf, type Viewer } from '../../bpmn/viewer';

export interface ElementState {
  /** Finished activations (completed or terminated). */
  completed: number;
  /** Tokens there now. */
  active: number;
  incidents: number;
  lastEndedAt: string | null;
}

export function elementStates(state: InstanceState): Map<string, ElementState> {
  const out = new Map<string, ElementState>();
  const get = (id: string) => {
    let s = out.get(id);
    if (!s) out.set(id, (s = { completed: 0, active: 0, incidents: 0, lastEndedAt: null }));
    return s;
  };
  for (const c of state.completed) {
    const s = get(c.elementId);
    s.completed++;
    if (c.endedAt && (!s.lastEndedAt || c.endedAt > s.lastEndedAt)) s.lastEndedAt = c.endedAt;
  }
  for (const a of state.active) if (a.kind !== 'process') get(a.elementId).active++;
  for (const i of state.incidents) get(i.elementId).incidents++;
  return out;
}

export function stateText(s: ElementState | undefined): string {
  if (!s) return 'Not reached';
  const parts: string[] = [];
  if (s.incidents) parts.push(`Incident${s.incidents > 1 ? ` (${s.incidents})` : ''}`);
  if (s.active) parts.push(s.active > 1 ? `Active (${s.active} tokens)` : 'Active');
  if (s.completed) parts.push(s.completed > 1 ? `Completed ${s.completed} times` : 'Completed');
  return parts.join(', ');
}

const MARKERS = ['chis-completed', 'chis-active', 'chis-incident'];
const marked = new WeakMap<Viewer, string[]>();

export function markInstance(viewer: Viewer, states: Map<string, ElementState>): void {
  const { canvas, overlays, registry } = servicesOf(viewer);
  for (const id of marked.get(viewer) ?? []) for (const m of MARKERS) canvas.removeMarker(id, m);
  overlays.remove({ type: 'chis-state' });
  const done: string[] = [];
  for (const [id, s] of states) {
    if (!registry.get(id)) continue;
    done.push(id);
    canvas.addMarker(id, s.incidents ? 'chis-incident' : s.active ? 'chis-active' : 'chis-completed');
    if (s.incidents)
      overlays.add(id, 'chis-state', {
        position: { top: -10, right: 10 },
        scale: false,
        html: badge('!', 'incident', `${s.incidents} incident${s.incidents > 1 ? 's' : ''}`),
      });
    else if (s.active > 1)
      overlays.add(id, 'chis-state', {
        position: { top: -10, right: 10 },
        scale: false,
        html: badge(String(s.active), 'active', `${s.active} tokens here`),
      });
    if (s.completed > 1)
      overlays.add(id, 'chis-state', {
        position: { bottom: 10, left: -10 },
        scale: false,
        html: badge(`×${s.completed}`, 'count', `Ran ${s.completed} times`),
      });
  }
  marked.set(viewer, done);
}
