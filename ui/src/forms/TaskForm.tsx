import { WarningCallout } from '../components/Callouts';
import {
  Checkboxes,
  DateInput,
  ErrorMessage,
  Radios,
  Select,
  Textarea,
  TextInput,
  type DateParts,
} from '../components/Fields';
import { emptyValue, type FieldValue } from './values';
import { fieldId, type FormPart, type InputPart } from './schema';

interface Props {
  parts: readonly FormPart[];
  values: Record<string, FieldValue>;
  errors: Record<string, string>;
  onChange(key: string, value: FieldValue): void;
}

function label(field: InputPart) {
  return (
    <>
      {field.label}
      {!field.required && <span className="nhsuk-u-font-weight-normal"> (optional)</span>}
    </>
  );
}

function Field({
  field,
  value,
  error,
  onChange,
}: {
  field: InputPart;
  value: FieldValue;
  error?: string;
  onChange(value: FieldValue): void;
}) {
  const id = fieldId(field.key);
  const common = { id, label: label(field), hint: field.hint, error };
  switch (field.kind) {
    case 'textarea':
      return <Textarea {...common} value={value as string} onChange={onChange} maxLength={10_000} />;
    case 'number':
      return <TextInput {...common} value={value as string} onChange={onChange} inputMode="decimal" width={10} />;
    case 'boolean':
      return (
        <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
          {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
          <div className="nhsuk-checkboxes">
            <div className="nhsuk-checkboxes__item">
              <input
                className="nhsuk-checkboxes__input"
                id={id}
                name={id}
                type="checkbox"
                checked={value === true}
                aria-describedby={error ? `${id}-error` : undefined}
                onChange={(e) => onChange(e.target.checked)}
              />
              <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={id}>
                {field.label}
              </label>
            </div>
          </div>
        </div>
      );
    case 'radio':
      return <Radios {...common} value={(value as string) || null} onChange={onChange} choices={field.options} />;
    case 'select':
      return (
        <Select
          {...common}
          value={value as string}
          onChange={onChange}
          choices={field.options}
          placeholder="Select an option"
        />
      );
    case 'checklist':
    case 'taglist':
      return <Checkboxes {...common} values={value as string[]} onChange={onChange} choices={field.options} />;
    case 'date':
      return <DateInput {...common} value={value as DateParts} onChange={onChange} />;
    case 'datetime': {
      const v = value as { date: DateParts; time: string };
      return (
        <>
          <DateInput {...common} value={v.date} onChange={(date) => onChange({ ...v, date })} />
          <TextInput
            id={`${id}-time`}
            label={`${field.label}: time`}
            hint="24-hour clock, for example 14:30"
            value={v.time}
            onChange={(time) => onChange({ ...v, time })}
            width={5}
          />
        </>
      );
    }
    case 'time':
      return (
        <TextInput
          {...common}
          hint={field.hint ?? '24-hour clock, for example 14:30'}
          value={value as string}
          onChange={onChange}
          width={5}
        />
      );
    default:
      return <TextInput {...common} value={value as string} onChange={onChange} />;
  }
}

function Parts({ parts, values, errors, onChange }: Props) {
  return (
    <>
      {parts.map((part, i) => {
        switch (part.type) {
          case 'input':
            return (
              <Field
                key={part.key}
                field={part}
                value={values[part.key] ?? emptyValue(part)}
                error={errors[part.key]}
                onChange={(v) => onChange(part.key, v)}
              />
            );
          case 'group':
            return (
              <fieldset className="nhsuk-fieldset" key={i}>
                {part.label && (
                  <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">{part.label}</legend>
                )}
                <Parts parts={part.parts} values={values} errors={errors} onChange={onChange} />
              </fieldset>
            );
          case 'text':
            return (
              <p className="nhsuk-body" key={i}>
                {part.text.replace(/[#*_`]/g, '')}
              </p>
            );
          case 'separator':
            return <hr className="nhsuk-section-break nhsuk-section-break--m nhsuk-section-break--visible" key={i} />;
          case 'unsupported':
            return (
              <WarningCallout heading="Part of this form cannot be shown" key={i}>
                <p className="nhsuk-card__description">
                  This form uses a component CHIS Flow cannot show ({part.component}). Ask a service manager to change
                  the form.
                </p>
              </WarningCallout>
            );
        }
      })}
    </>
  );
}

/** A task's form-js form drawn with NHS components; errors (the API's, per field) show at each field. */
export function TaskForm(props: Props) {
  return <Parts {...props} />;
}
