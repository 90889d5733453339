import type { FieldProblem } from '../api-error';

/** A user task's form as the BPMN compiler stores it on the task (bpmn/graph.ts FormSpec). */
export interface TaskFormField {
  key: string;
  label?: string;
  type: string;
  required: boolean;
  options?: readonly string[];
}

export function formFieldsOf(form: unknown): TaskFormField[] {
  const fields = (form as { fields?: unknown } | null)?.fields;
  return Array.isArray(fields) ? (fields as TaskFormField[]) : [];
}

const isDate = (v: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const isDateTime = (v: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v));

function problemWith(field: TaskFormField, value: unknown): string | null {
  const options = field.options;
  switch (field.type) {
    case 'text':
    case 'textarea':
      return typeof value === 'string'
        ? value.length <= 10_000
          ? null
          : 'must be at most 10000 characters'
        : 'must be text';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && isDate(value) ? null : 'must be a date as YYYY-MM-DD';
    case 'datetime':
      return typeof value === 'string' && isDateTime(value) ? null : 'must be a date and time (ISO 8601 with zone)';
    case 'select':
    case 'radio':
      if (typeof value !== 'string') return 'must be one of the options';
      return !options || options.includes(value) ? null : `must be one of: ${options.join(', ')}`;
    case 'checklist':
    case 'taglist':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return 'must be a list of text values';
      if (field.type === 'checklist' && options) {
        const wrong = value.filter((v) => !options.includes(v));
        if (wrong.length > 0) return `has values that are not options: ${wrong.join(', ')}`;
      }
      return null;
    default:
      return null; // a field type the form knows and the API does not: accept any JSON value
  }
}

/** Problems of submitted form data against the task's form: types, required fields, unknown fields. */
export function validateFormData(
  form: unknown,
  data: Record<string, unknown>,
  prefix = 'body.data',
  unknownField = "is not a field of this task's form",
): FieldProblem[] {
  const fields = formFieldsOf(form);
  const problems: FieldProblem[] = [];
  const known = new Set(fields.map((f) => f.key));
  for (const field of fields) {
    const value = data[field.key];
    if (value === undefined || value === null || value === '') {
      if (field.required) problems.push({ field: `${prefix}.${field.key}`, message: 'is required' });
      continue;
    }
    const problem = problemWith(field, value);
    if (problem) problems.push({ field: `${prefix}.${field.key}`, message: problem });
  }
  for (const key of Object.keys(data)) {
    if (!known.has(key)) problems.push({ field: `${prefix}.${key}`, message: unknownField });
  }
  return problems;
}
