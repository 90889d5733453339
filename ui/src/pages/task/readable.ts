import { formatDate, formatDateTime } from '../../format/dates';
import { formatNhsNumber } from '../../format/nhs-number';

/** A task variable as text for a summary list, or null when it is engine detail not worth showing (objects, lists of objects). */
export function readable(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatDateTime(value);
    if (/^\d{10}$/.test(value)) return formatNhsNumber(value);
    return value;
  }
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null))
    return value.map(String).join(', ');
  return null;
}
