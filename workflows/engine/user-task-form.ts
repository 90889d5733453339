/**
 * Checks a user task completion before it reaches the engine: the task must be open, and the
 * data must satisfy the task's form (required fields present, values of the field's type).
 * Used by the workflow's update validator, so a bad completion is refused with no history.
 */
import type { FormField } from '../../bpmn/runtime';
import type { EngineState } from './types';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function fieldProblem(field: FormField, value: unknown): string | null {
  const name = `field "${field.key}"${field.label ? ` (${field.label})` : ''}`;
  const options = field.options && field.options.length > 0 ? field.options : undefined;
  switch (field.type) {
    case 'text':
    case 'textarea':
      return typeof value === 'string' ? null : `${name} should be text`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `${name} should be a number`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${name} should be true or false`;
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) ? null : `${name} should be a date (YYYY-MM-DD)`;
    case 'datetime':
      return typeof value === 'string' && ISO_DATE_TIME.test(value) ? null : `${name} should be a date-time (ISO 8601)`;
    case 'select':
    case 'radio':
      if (typeof value !== 'string') return `${name} should be one of the offered values`;
      return !options || options.includes(value) ? null : `${name} should be one of ${options.join(', ')}`;
    case 'checklist':
    case 'taglist':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        return `${name} should be a list of values`;
      return !options || value.every((v) => options.includes(v as string))
        ? null
        : `${name} may only hold ${options.join(', ')}`;
    case 'any':
      return null;
  }
}

/** Problems with completing `taskId` with `data` (empty when it may complete). */
export function userTaskCompletionProblems(state: EngineState, taskId: string, data: unknown): string[] {
  if (state.status !== 'running') return [`the process instance is ${state.status}`];
  const wait = state.waits[taskId];
  if (!wait || wait.type !== 'userTask') return [`user task ${taskId} is not open in this process instance`];
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return ['the task data should be an object of field values'];
  const values = data as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of wait.form?.fields ?? []) {
    const value = values[field.key];
    if (isEmpty(value)) {
      if (field.required) problems.push(`field "${field.key}"${field.label ? ` (${field.label})` : ''} is required`);
      continue;
    }
    const problem = fieldProblem(field, value);
    if (problem) problems.push(problem);
  }
  return problems;
}
