import { formatDate, formatDateTime } from '../../format/dates';

/**
 * What the task page shows of a task's input under "Details": only the process variables a
 * caseworker needs to do the task, each with a label. A task's input is every variable in its
 * process's scope, most of them engine detail (ids, routing flags, durations, message ids), so
 * the list is an allow-list: a variable no entry names is not shown. The child's own facts are
 * not repeated here either: the banner shows them, and only when the caller may see the child.
 */
type Format = 'text' | 'date' | 'datetime' | 'number' | 'yesNo' | 'code' | 'codes' | 'doses';

interface DetailEntry {
  /** Dotted path into the input, e.g. `birth.mother.name`. */
  path: string;
  label: string;
  format: Format;
}

const ENTRIES: readonly DetailEntry[] = [
  // New birth registration
  { path: 'birth.timeOfBirth', label: 'Time of birth', format: 'text' },
  { path: 'birth.mother.name', label: 'Mother', format: 'text' },
  { path: 'birth.maternityUnit', label: 'Maternity unit', format: 'text' },
  // Screening follow-up
  { path: 'programme', label: 'Screening programme', format: 'code' },
  { path: 'programmes', label: 'Screening programmes', format: 'codes' },
  { path: 'bloodSpotOutcome', label: 'Blood spot result so far', format: 'code' },
  { path: 'hearingOutcome', label: 'Hearing screen result so far', format: 'code' },
  // Immunisations
  { path: 'vaccine', label: 'Vaccine', format: 'text' },
  { path: 'dose', label: 'Dose', format: 'number' },
  { path: 'dueOn', label: 'Dose due on', format: 'date' },
  { path: 'remindersSent', label: 'Reminders sent', format: 'number' },
  { path: 'wasNotBroughtCount', label: 'Times Was Not Brought', format: 'number' },
  { path: 'immunisationsUpToDate', label: 'Immunisations up to date', format: 'yesNo' },
  { path: 'immunisationGaps', label: 'Immunisations missing', format: 'doses' },
  { path: 'outstandingScreening', label: 'Screening outstanding', format: 'codes' },
  // Moves into the region
  { path: 'transfer.fromChis', label: 'Moving from', format: 'text' },
  // Appointments
  { path: 'appointment.kind', label: 'Appointment', format: 'code' },
  { path: 'appointment.date', label: 'Appointment date', format: 'date' },
  { path: 'appointment.outcome', label: 'Appointment outcome', format: 'code' },
  // Child protection alerts (CP-IS) and safeguarding concerns
  { path: 'alert.type', label: 'Alert', format: 'code' },
  { path: 'alert.localAuthority', label: 'Local authority', format: 'text' },
  { path: 'alert.startDate', label: 'Alert from', format: 'date' },
  { path: 'alert.summary', label: 'Alert summary', format: 'text' },
  { path: 'severity', label: 'Severity', format: 'code' },
  { path: 'reason', label: 'Reason', format: 'text' },
];

/** Codes the processes use, as people say them; any other code is shown with its underscores as spaces. */
const CODE_NAMES: Record<string, string> = {
  blood_spot: 'Blood spot',
  hearing: 'Hearing',
  nipe: 'NIPE (newborn and infant physical examination)',
  health_visit: 'Health visit',
  was_not_brought: 'Was Not Brought',
  child_protection_plan: 'Child protection plan',
  looked_after: 'Looked after child',
};

const codeText = (code: string) => CODE_NAMES[code] ?? code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' ');

function at(input: Record<string, unknown>, path: string): unknown {
  let value: unknown = input;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function asText(value: unknown, format: Format): string | null {
  if (value === null || value === undefined || value === '') return null;
  switch (format) {
    case 'text':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? formatDate(value.slice(0, 10)) : null;
    case 'datetime':
      return typeof value === 'string' ? formatDateTime(value) : null;
    case 'yesNo':
      return typeof value === 'boolean' ? (value ? 'Yes' : 'No') : null;
    case 'code':
      return typeof value === 'string' ? codeText(value) : null;
    case 'codes': {
      if (!Array.isArray(value)) return null;
      const codes = value.map((v) =>
        typeof v === 'string' ? v : v && typeof v === 'object' ? (v as { programme?: unknown }).programme : null,
      );
      const names = codes.filter((c): c is string => typeof c === 'string').map(codeText);
      return names.length > 0 ? names.join(', ') : null;
    }
    case 'doses': {
      if (!Array.isArray(value)) return null;
      const doses = value.flatMap((v) => {
        const d = v as { vaccine?: unknown; dose?: unknown } | null;
        return d && typeof d.vaccine === 'string'
          ? [typeof d.dose === 'number' ? `${d.vaccine} dose ${d.dose}` : d.vaccine]
          : [];
      });
      return doses.length > 0 ? doses.join(', ') : null;
    }
  }
}

/** The labelled details of a task's input, in a fixed order; empty when there is nothing a person needs. */
export function taskDetails(input: Record<string, unknown>): Array<{ key: string; value: string }> {
  return ENTRIES.flatMap((entry) => {
    const text = asText(at(input, entry.path), entry.format);
    return text === null ? [] : [{ key: entry.label, value: text }];
  });
}
