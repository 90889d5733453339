/**
 * User task forms are form-js schemas (what Camunda Modeler's form editor writes): we keep
 * the input fields (key, type, required, options) so the interpreter can validate what a
 * caseworker submits. Layout-only components (text, spacer, image...) are skipped.
 */
import type { FormField, FormFieldType, FormSpec } from './graph';
import { extension, extensions, str, type ModdleElement } from './moddle';

const INPUT_TYPES: Record<string, FormFieldType> = {
  textfield: 'text',
  textarea: 'textarea',
  number: 'number',
  checkbox: 'boolean',
  checklist: 'checklist',
  radio: 'radio',
  select: 'select',
  taglist: 'taglist',
};

const LAYOUT_TYPES = new Set([
  'text',
  'html',
  'image',
  'spacer',
  'separator',
  'button',
  'expression',
  'iframe',
  'table',
  'documentPreview',
]);
const CONTAINER_TYPES = new Set(['group']);

/** `camunda-forms:bpmn:<id>`: the formKey Camunda Modeler writes for an embedded form. */
export const EMBEDDED_FORM_PREFIX = 'camunda-forms:bpmn:';

export type FormOutcome = { ok: true; fields: FormField[] } | { ok: false; error: string };

interface Component {
  type?: unknown;
  key?: unknown;
  label?: unknown;
  subtype?: unknown;
  validate?: { required?: unknown };
  values?: Array<{ value?: unknown }>;
  components?: unknown;
}

/** Reads the fields of a form-js schema (an object or its JSON text). */
export function formFields(schema: unknown): FormOutcome {
  let parsed = schema;
  if (typeof schema === 'string') {
    try {
      parsed = JSON.parse(schema);
    } catch (e) {
      return { ok: false, error: `the form is not valid JSON (${(e as Error).message})` };
    }
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    !Array.isArray((parsed as { components?: unknown }).components)
  ) {
    return { ok: false, error: 'the form is not a form-js schema (a "components" list is expected)' };
  }
  const fields: FormField[] = [];
  const error = collect((parsed as { components: unknown[] }).components, fields);
  return error ? { ok: false, error } : { ok: true, fields };
}

function collect(components: unknown[], fields: FormField[]): string | null {
  for (const raw of components) {
    const c = (raw ?? {}) as Component;
    const type = typeof c.type === 'string' ? c.type : '';
    if (CONTAINER_TYPES.has(type)) {
      const nested = collect(Array.isArray(c.components) ? c.components : [], fields);
      if (nested) return nested;
      continue;
    }
    if (LAYOUT_TYPES.has(type)) continue;
    const fieldType = type === 'datetime' ? datetimeType(c.subtype) : INPUT_TYPES[type];
    // A component we do not type still binds its key (any value); one without a key binds nothing.
    if (!fieldType && (typeof c.key !== 'string' || c.key.trim() === '')) continue;
    if (typeof c.key !== 'string' || c.key.trim() === '')
      return `a ${type} form field has no key (the variable it sets)`;
    const options = Array.isArray(c.values) ? c.values.map((v) => String(v.value)) : undefined;
    fields.push({
      key: c.key,
      type: fieldType ?? 'any',
      required: c.validate?.required === true,
      ...(typeof c.label === 'string' ? { label: c.label } : {}),
      ...(options ? { options } : {}),
    });
  }
  return null;
}

function datetimeType(subtype: unknown): FormFieldType {
  return subtype === 'date' ? 'date' : subtype === 'time' ? 'text' : 'datetime';
}

/** The process (or other ancestor) holding embedded `zeebe:userTaskForm` elements. */
function embeddedForm(node: ModdleElement, id: string): ModdleElement | undefined {
  for (let el: ModdleElement | undefined = node.$parent; el; el = el.$parent) {
    const found = extensions(el, 'zeebe:UserTaskForm').find((f) => str(f, 'id') === id);
    if (found) return found;
  }
  return undefined;
}

export type UserTaskFormOutcome = { ok: true; form?: FormSpec } | { ok: false; error: string };

/** Resolves a user task's zeebe:formDefinition to its fields (see FormSpec for the three sources). */
export function resolveUserTaskForm(
  node: ModdleElement,
  forms: ReadonlyMap<string, unknown> | undefined,
): UserTaskFormOutcome {
  const def = extension(node, 'zeebe:FormDefinition');
  if (!def) return { ok: true };
  const formKey = str(def, 'formKey')?.trim();
  const formId = str(def, 'formId')?.trim();
  const external = str(def, 'externalReference')?.trim();
  const wrap = (source: FormSpec['source'], key: string, outcome: FormOutcome): UserTaskFormOutcome =>
    outcome.ok
      ? { ok: true, form: { source, key, fields: outcome.fields } }
      : { ok: false, error: `form "${key}": ${outcome.error}` };
  if (formKey) {
    if (!formKey.startsWith(EMBEDDED_FORM_PREFIX))
      return {
        ok: false,
        error: `form key "${formKey}" is not an embedded form (${EMBEDDED_FORM_PREFIX}<id>); use formId for a linked form`,
      };
    const id = formKey.slice(EMBEDDED_FORM_PREFIX.length);
    const embedded = embeddedForm(node, id);
    if (!embedded)
      return { ok: false, error: `form key "${formKey}" names no zeebe:userTaskForm with id "${id}" in the process` };
    return wrap('embedded', id, formFields(str(embedded, 'body') ?? ''));
  }
  if (formId) {
    if (formId.startsWith('='))
      return { ok: false, error: `form id "${formId}" is an expression; it must be a fixed form id` };
    // Camunda 8 links the form at run time; one not deployed yet is a warning (linked-form rule).
    if (!forms?.has(formId)) return { ok: true, form: { source: 'linked', key: formId, fields: [], unresolved: true } };
    return wrap('linked', formId, formFields(forms.get(formId)));
  }
  if (external) return { ok: true, form: { source: 'external', key: external, fields: [] } };
  return { ok: false, error: 'the form definition names no form (formKey, formId or externalReference)' };
}
