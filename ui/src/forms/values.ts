/**
 * What the person typed, per field, and the task's `data` built from it. Only what cannot be
 * sent is checked here (a half-typed date, a time that is not one, a number that is not a
 * number); everything else, "required" included, is the API's check, shown at the field.
 */
import { dateFromParts, type DateParts, EMPTY_DATE } from '../components/Fields';
import type { InputPart } from './schema';

export type FieldValue = string | boolean | string[] | DateParts | { date: DateParts; time: string };

export function emptyValue(field: InputPart): FieldValue {
  switch (field.kind) {
    case 'boolean':
      return false;
    case 'checklist':
    case 'taglist':
      return [];
    case 'date':
      return EMPTY_DATE;
    case 'datetime':
      return { date: EMPTY_DATE, time: '' };
    default:
      return '';
  }
}

/** The UK offset (+00:00 or +01:00) of a local date and time in Europe/London. */
export function londonOffset(date: string, time: string): string {
  const guess = new Date(`${date}T${time}:00Z`);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    timeZoneName: 'longOffset',
  }).formatToParts(guess);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-]\d{2}):?(\d{2})?/.exec(name);
  return match ? `${match[1]}:${match[2] ?? '00'}` : '+00:00';
}

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** The task's data and the fields that could not be read. */
export function collectData(
  fields: readonly InputPart[],
  values: Record<string, FieldValue>,
): { data: Record<string, unknown>; problems: Record<string, string> } {
  const data: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.key] ?? emptyValue(field);
    switch (field.kind) {
      case 'boolean':
        data[field.key] = value === true;
        break;
      case 'checklist':
      case 'taglist':
        if ((value as string[]).length > 0) data[field.key] = value;
        break;
      case 'number': {
        const text = String(value).trim();
        if (text === '') break;
        const n = Number(text);
        if (Number.isFinite(n)) data[field.key] = n;
        else problems[field.key] = `${field.label} must be a number`;
        break;
      }
      case 'date': {
        const parsed = dateFromParts(value as DateParts);
        if (parsed.ok) data[field.key] = parsed.value;
        else if (parsed.reason !== 'empty') problems[field.key] = `${field.label} must be a real date`;
        break;
      }
      case 'datetime': {
        const { date, time } = value as { date: DateParts; time: string };
        const parsed = dateFromParts(date);
        const t = TIME.exec(time.trim());
        if (!parsed.ok && parsed.reason === 'empty' && !time.trim()) break;
        if (!parsed.ok) problems[field.key] = `${field.label} must be a real date`;
        else if (!t) problems[field.key] = `${field.label} needs a time, like 14:30`;
        else {
          const hhmm = `${t[1].padStart(2, '0')}:${t[2]}`;
          data[field.key] = `${parsed.value}T${hhmm}:00${londonOffset(parsed.value, hhmm)}`;
        }
        break;
      }
      case 'time': {
        const text = String(value).trim();
        if (text === '') break;
        if (TIME.test(text)) data[field.key] = text;
        else problems[field.key] = `${field.label} must be a time, like 14:30`;
        break;
      }
      default:
        if (String(value) !== '') data[field.key] = value;
    }
  }
  return { data, problems };
}
