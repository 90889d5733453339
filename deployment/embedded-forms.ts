/**
 * The form-js schemas a deployed definition embeds (`zeebe:userTaskForm`, what Camunda Modeler
 * writes), by form id. A task stores its form's fields (what the API validates); the UI draws
 * the whole schema (labels of options, hints, groups). Deployed versions never change, so each
 * version's forms are read once and kept.
 */
import { parseBpmnXml } from '../bpmn/parse';
import { children, extensions, str, type ModdleElement } from '../bpmn/moddle';
import { definitionXmlById } from '../records/definitions';
import type { Db } from '../records/sql';

const cache = new Map<number, Promise<Map<string, unknown>>>();
const MAX_CACHED = 200;

function collect(el: ModdleElement, into: Map<string, unknown>): void {
  for (const form of extensions(el, 'zeebe:UserTaskForm')) {
    const id = str(form, 'id');
    const body = str(form, 'body');
    if (!id || !body) continue;
    try {
      into.set(id, JSON.parse(body));
    } catch {
      // Deployment refuses unreadable forms; an old version with one simply has no schema to show.
    }
  }
  for (const child of children(el, 'flowElements')) collect(child, into);
}

async function readForms(db: Db, definitionId: number): Promise<Map<string, unknown>> {
  const xml = await definitionXmlById(db, definitionId);
  const forms = new Map<string, unknown>();
  if (xml === null) return forms;
  const parsed = await parseBpmnXml(xml);
  if (!parsed.ok) return forms;
  for (const root of children(parsed.definitions, 'rootElements')) collect(root, forms);
  return forms;
}

/** The form-js schema with this id in a deployed version, or null. */
export async function embeddedFormSchema(db: Db, definitionId: number, formId: string): Promise<unknown> {
  let forms = cache.get(definitionId);
  if (!forms) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    forms = readForms(db, definitionId);
    cache.set(definitionId, forms);
    forms.catch(() => cache.delete(definitionId));
  }
  return (await forms).get(formId) ?? null;
}
