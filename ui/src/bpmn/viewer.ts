/** A read-only diagram (pan and zoom) for the instance, diff and heat-map screens. */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { diagramElements, type DiagramElementRow, type ShapeLike } from './diagram-elements';
import './bpmn.css';

export type Viewer = NavigatedViewer;

export interface Canvas {
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
  zoom(level: string | number): unknown;
  scrollToElement(element: unknown): void;
}
export interface Overlays {
  add(
    id: string,
    type: string,
    overlay: { position: Record<string, number>; html: HTMLElement; scale?: boolean | { min?: number; max?: number } },
  ): string;
  remove(filter: { type: string }): void;
}
export interface Registry {
  get(id: string): ShapeLike | undefined;
  getAll(): ShapeLike[];
}

export const servicesOf = (viewer: Viewer) => ({
  canvas: viewer.get('canvas') as Canvas,
  overlays: viewer.get('overlays') as Overlays,
  registry: viewer.get('elementRegistry') as Registry,
});

/** A badge drawn over an element (aria-hidden: the elements table says the same in text). */
export function badge(text: string, kind: 'active' | 'incident' | 'count', title: string): HTMLElement {
  const el = document.createElement('div');
  el.className = `chis-badge chis-badge--${kind}`;
  el.textContent = text;
  el.title = title;
  el.setAttribute('aria-hidden', 'true');
  return el;
}

/**
 * Draws `xml` in the container; `ready` is the viewer once the diagram is in, with its
 * elements as rows for the text alternative. Marking is up to the screen.
 */
export function useViewer(container: RefObject<HTMLDivElement | null>, xml: string | null) {
  const viewerRef = useRef<Viewer | null>(null);
  const [ready, setReady] = useState<{ viewer: Viewer; elements: DiagramElementRow[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!container.current || xml === null) return;
    const viewer = new NavigatedViewer({
      container: container.current,
      moddleExtensions: { zeebe: zeebeModdle },
    } as ConstructorParameters<typeof NavigatedViewer>[0]);
    viewerRef.current = viewer;
    let cancelled = false;
    viewer
      .importXML(xml)
      .then(() => {
        if (cancelled) return;
        (viewer.get('canvas') as Canvas).zoom('fit-viewport');
        setReady({ viewer, elements: diagramElements((viewer.get('elementRegistry') as Registry).getAll()) });
      })
      .catch((e: Error) => !cancelled && setError(`The diagram could not be drawn: ${e.message}`));
    return () => {
      cancelled = true;
      setReady(null);
      viewer.destroy();
      viewerRef.current = null;
    };
  }, [container, xml]);
  return { ready, error };
}
