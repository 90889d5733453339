import { ApiProblem } from '../api/client';
import type { SummaryError } from './ErrorSummary';

/** A failed request as error-summary lines: each field problem linked to its field, else the detail. */
export function problemErrors(
  error: unknown,
  fieldIdOf: (field: string) => string | null = () => null,
  labelOf: (field: string) => string = () => '',
): SummaryError[] {
  if (error instanceof ApiProblem) {
    if (error.errors.length > 0) {
      return error.errors.map((e) => {
        const label = labelOf(e.field);
        return { fieldId: fieldIdOf(e.field), text: label ? `${label} ${e.message}` : `${e.field} ${e.message}` };
      });
    }
    return [{ fieldId: null, text: error.detail || error.title }];
  }
  return [{ fieldId: null, text: error instanceof Error ? error.message : 'Something went wrong' }];
}

export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
