/**
 * A task's form, read from its form-js schema (what Camunda Modeler embeds in the BPMN as
 * zeebe:userTaskForm) into the parts the NHS renderer draws. Without a schema (a form the
 * API only knows by its fields) the fields themselves are used.
 */
export type FieldKind =
  | 'text'
  | 'textarea'
  | 'number'
  | 'boolean'
  | 'checklist'
  | 'radio'
  | 'select'
  | 'taglist'
  | 'date'
  | 'datetime'
  | 'time';

export interface Option {
  value: string;
  label: string;
}

export interface InputPart {
  type: 'input';
  kind: FieldKind;
  key: string;
  label: string;
  hint?: string;
  required: boolean;
  options: Option[];
}

export type FormPart =
  | InputPart
  | { type: 'group'; label: string; parts: FormPart[] }
  | { type: 'text'; text: string }
  | { type: 'separator' }
  | { type: 'unsupported'; component: string };

/** A field as the API lists it on the task (`form.fields`). */
export interface ApiFormField {
  key: string;
  label?: string;
  type: string;
  required: boolean;
  options?: readonly string[];
}

interface Component {
  type?: unknown;
  key?: unknown;
  label?: unknown;
  dateLabel?: unknown;
  timeLabel?: unknown;
  description?: unknown;
  subtype?: unknown;
  text?: unknown;
  validate?: { required?: unknown };
  values?: Array<{ value?: unknown; label?: unknown }>;
  valuesKey?: unknown;
  components?: unknown;
}

const KINDS: Record<string, FieldKind> = {
  textfield: 'text',
  textarea: 'textarea',
  number: 'number',
  checkbox: 'boolean',
  checklist: 'checklist',
  radio: 'radio',
  select: 'select',
  taglist: 'taglist',
};
const SKIPPED = new Set(['spacer', 'image', 'html', 'iframe', 'button', 'expression', 'documentPreview']);

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

function humanise(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function optionsOf(c: Component, input: Record<string, unknown>): Option[] {
  const dynamic = str(c.valuesKey) ? input[str(c.valuesKey)!] : undefined;
  const values = Array.isArray(c.values) ? c.values : Array.isArray(dynamic) ? (dynamic as Component['values'])! : [];
  return values.map((v) => ({ value: String(v?.value ?? ''), label: str(v?.label) ?? String(v?.value ?? '') }));
}

function partsOf(components: unknown[], input: Record<string, unknown>): FormPart[] {
  const parts: FormPart[] = [];
  for (const raw of components) {
    const c = (raw ?? {}) as Component;
    const type = typeof c.type === 'string' ? c.type : '';
    if (type === 'group' || type === 'dynamiclist') {
      parts.push({
        type: 'group',
        label: str(c.label) ?? '',
        parts: partsOf(Array.isArray(c.components) ? c.components : [], input),
      });
    } else if (type === 'text') {
      if (str(c.text)) parts.push({ type: 'text', text: String(c.text) });
    } else if (type === 'separator') {
      parts.push({ type: 'separator' });
    } else if (SKIPPED.has(type)) {
      continue;
    } else if (type === 'datetime' || KINDS[type]) {
      const key = str(c.key);
      if (!key) {
        parts.push({ type: 'unsupported', component: type });
        continue;
      }
      const kind: FieldKind =
        type === 'datetime'
          ? c.subtype === 'time'
            ? 'time'
            : c.subtype === 'datetime'
              ? 'datetime'
              : 'date'
          : KINDS[type];
      parts.push({
        type: 'input',
        kind,
        key,
        // form-js labels a date with dateLabel; older forms put it in label.
        label: str(c.label) ?? str(c.dateLabel) ?? str(c.timeLabel) ?? humanise(key),
        hint: str(c.description),
        required: c.validate?.required === true,
        options: optionsOf(c, input),
      });
    } else {
      parts.push({ type: 'unsupported', component: type || '(no type)' });
    }
  }
  return parts;
}

const API_KINDS: Record<string, FieldKind> = {
  text: 'text',
  textarea: 'textarea',
  number: 'number',
  boolean: 'boolean',
  checklist: 'checklist',
  radio: 'radio',
  select: 'select',
  taglist: 'taglist',
  date: 'date',
  datetime: 'datetime',
};

/** The form to draw: from the schema when there is one, else from the API's field list. */
export function formParts(
  schema: unknown,
  fields: readonly ApiFormField[],
  input: Record<string, unknown> = {},
): FormPart[] {
  const components = (schema as { components?: unknown } | null)?.components;
  if (Array.isArray(components)) return partsOf(components, input);
  return fields.map((f) => ({
    type: 'input' as const,
    kind: API_KINDS[f.type] ?? 'text',
    key: f.key,
    label: f.label ?? humanise(f.key),
    required: f.required,
    options: (f.options ?? []).map((o) => ({ value: o, label: o })),
  }));
}

export function inputsOf(parts: readonly FormPart[]): InputPart[] {
  return parts.flatMap((p) => (p.type === 'input' ? [p] : p.type === 'group' ? inputsOf(p.parts) : []));
}

/** The id of a field's first focusable element (the error summary links to it). */
export const fieldId = (key: string) => `field-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;
