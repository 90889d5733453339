/**
 * BPMN 2.0 XML → moddle tree (bpmn-moddle with the zeebe: extension). Oversized and
 * malformed XML come back as problems, never as an exception.
 */
import { BpmnModdle } from 'bpmn-moddle';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { children, is, isModdleElement, type ModdleElement } from './moddle';
import type { Problem } from './problems';

/** Default upper limit on diagram size; real diagrams are tens of kilobytes. */
export const DEFAULT_MAX_BPMN_BYTES = 2 * 1024 * 1024;

export type ParseOutcome = { ok: true; definitions: ModdleElement } | { ok: false; problems: Problem[] };

function xmlProblem(message: string, elementId?: string): Problem {
  return { rule: 'xml', severity: 'error', message, ...(elementId ? { elementId } : {}) };
}

/** Parses the XML; a moddle warning about an unknown or invalid element is a problem too. */
export async function parseBpmnXml(xml: string, options: { maxBytes?: number } = {}): Promise<ParseOutcome> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BPMN_BYTES;
  if (typeof xml !== 'string') return { ok: false, problems: [xmlProblem('the definition is not text')] };
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > maxBytes) {
    return { ok: false, problems: [xmlProblem(`the diagram is ${bytes} bytes, more than the ${maxBytes} allowed`)] };
  }
  if (xml.trim() === '') return { ok: false, problems: [xmlProblem('the diagram is empty')] };
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return {
      ok: false,
      problems: [xmlProblem('the diagram contains a DOCTYPE or ENTITY declaration, which is not allowed')],
    };
  }

  let result;
  try {
    result = await new BpmnModdle({ zeebe: zeebeSchema }).fromXML(xml);
  } catch (e) {
    return { ok: false, problems: [xmlProblem(`the XML cannot be read as BPMN: ${firstLine((e as Error).message)}`)] };
  }
  const root = result.rootElement;
  if (!isModdleElement(root) || !is(root, 'bpmn:Definitions')) {
    return {
      ok: false,
      problems: [xmlProblem('the XML is not a BPMN 2.0 definitions document (bpmn:definitions root expected)')],
    };
  }
  const problems = result.warnings.map((w) =>
    xmlProblem(`the XML has an invalid part: ${firstLine(w.message)}`, w.element?.id),
  );
  if (problems.length > 0) return { ok: false, problems };
  normaliseFlowLists(root);
  return { ok: true, definitions: root };
}

/**
 * Rebuilds every flow node's incoming/outgoing lists from the sequence flows' source and
 * target (what bpmn-js does on import), so hand-written XML without those lists, or with
 * stale ones, is analysed by what the flows actually connect.
 */
function normaliseFlowLists(el: ModdleElement): void {
  const elements = children(el, 'flowElements');
  const flows = elements.filter((e) => is(e, 'bpmn:SequenceFlow'));
  for (const node of elements.filter((e) => is(e, 'bpmn:FlowNode'))) {
    const set = (node as unknown as { set(name: string, value: unknown): void }).set.bind(node);
    set(
      'incoming',
      flows.filter((f) => f.targetRef === node),
    );
    set(
      'outgoing',
      flows.filter((f) => f.sourceRef === node),
    );
  }
  for (const child of [...children(el, 'rootElements'), ...elements]) normaliseFlowLists(child);
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
