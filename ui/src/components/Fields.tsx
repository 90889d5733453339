/**
 * nhsuk-frontend form fields as React components: label, hint, error message and input wired
 * together with ids and aria-describedby, the way the NHS design system's macros render them.
 */
import type { ReactNode } from 'react';

function describedBy(...ids: unknown[]): string | undefined {
  const list = ids.filter((id): id is string => typeof id === 'string' && id !== '').join(' ');
  return list || undefined;
}

export function ErrorMessage({ id, children }: { id: string; children: ReactNode }) {
  return (
    <span className="nhsuk-error-message" id={id}>
      <span className="nhsuk-u-visually-hidden">Error: </span>
      {children}
    </span>
  );
}

interface Common {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
}

export function TextInput({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  type = 'text',
  width,
  autoComplete,
  inputMode,
  spellCheck,
  labelClass,
}: Common & {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'password' | 'search';
  width?: 2 | 3 | 4 | 5 | 10 | 20 | 30;
  autoComplete?: string;
  inputMode?: 'numeric' | 'text' | 'decimal';
  spellCheck?: boolean;
  labelClass?: string;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className={`nhsuk-label${labelClass ? ` ${labelClass}` : ''}`} htmlFor={id}>
        {label}
      </label>
      {hint && (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
      <input
        className={`nhsuk-input${width ? ` nhsuk-input--width-${width}` : ''}${error ? ' nhsuk-input--error' : ''}`}
        id={id}
        name={id}
        type={type}
        value={value}
        autoComplete={autoComplete}
        inputMode={inputMode}
        spellCheck={spellCheck}
        aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

export function Textarea({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  rows = 5,
  maxLength,
  labelClass,
}: Common & { value: string; onChange(value: string): void; rows?: number; maxLength?: number; labelClass?: string }) {
  const over = maxLength !== undefined && value.length > maxLength;
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className={`nhsuk-label${labelClass ? ` ${labelClass}` : ''}`} htmlFor={id}>
        {label}
      </label>
      {hint && (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
      <textarea
        className={`nhsuk-textarea${error || over ? ' nhsuk-textarea--error' : ''}`}
        id={id}
        name={id}
        rows={rows}
        value={value}
        aria-describedby={describedBy(
          hint && `${id}-hint`,
          error && `${id}-error`,
          maxLength !== undefined && `${id}-info`,
        )}
        onChange={(e) => onChange(e.target.value)}
      />
      {maxLength !== undefined && (
        <div
          className={`nhsuk-hint nhsuk-character-count__message${over ? ' nhsuk-error-message' : ''}`}
          id={`${id}-info`}
          aria-live="polite"
        >
          {over
            ? `You have ${value.length - maxLength} characters too many`
            : `You have ${maxLength - value.length} characters remaining`}
        </div>
      )}
    </div>
  );
}

export interface Choice {
  value: string;
  label: ReactNode;
  hint?: ReactNode;
}

export function Radios({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  choices,
  legendClass = 'nhsuk-fieldset__legend--s',
  inline,
}: Common & {
  value: string | null;
  onChange(value: string): void;
  choices: Choice[];
  legendClass?: string;
  inline?: boolean;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}>
        <legend className={`nhsuk-fieldset__legend ${legendClass}`}>{label}</legend>
        {hint && (
          <div className="nhsuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
        {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
        <div className={`nhsuk-radios${inline ? ' nhsuk-radios--inline' : ''}`}>
          {choices.map((choice, i) => {
            const inputId = i === 0 ? id : `${id}-${i + 1}`;
            return (
              <div className="nhsuk-radios__item" key={choice.value}>
                <input
                  className="nhsuk-radios__input"
                  id={inputId}
                  name={id}
                  type="radio"
                  value={choice.value}
                  checked={value === choice.value}
                  aria-describedby={choice.hint ? `${inputId}-item-hint` : undefined}
                  onChange={() => onChange(choice.value)}
                />
                <label className="nhsuk-label nhsuk-radios__label" htmlFor={inputId}>
                  {choice.label}
                </label>
                {choice.hint && (
                  <div className="nhsuk-hint nhsuk-radios__hint" id={`${inputId}-item-hint`}>
                    {choice.hint}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Checkboxes({
  id,
  label,
  hint,
  error,
  values,
  onChange,
  choices,
  legendClass = 'nhsuk-fieldset__legend--s',
}: Common & { values: string[]; onChange(values: string[]): void; choices: Choice[]; legendClass?: string }) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset className="nhsuk-fieldset" aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}>
        <legend className={`nhsuk-fieldset__legend ${legendClass}`}>{label}</legend>
        {hint && (
          <div className="nhsuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
        {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
        <div className="nhsuk-checkboxes">
          {choices.map((choice, i) => {
            const inputId = i === 0 ? id : `${id}-${i + 1}`;
            const checked = values.includes(choice.value);
            return (
              <div className="nhsuk-checkboxes__item" key={choice.value}>
                <input
                  className="nhsuk-checkboxes__input"
                  id={inputId}
                  name={id}
                  type="checkbox"
                  value={choice.value}
                  checked={checked}
                  onChange={() =>
                    onChange(checked ? values.filter((v) => v !== choice.value) : [...values, choice.value])
                  }
                />
                <label className="nhsuk-label nhsuk-checkboxes__label" htmlFor={inputId}>
                  {choice.label}
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Select({
  id,
  label,
  hint,
  error,
  value,
  onChange,
  choices,
  placeholder,
}: Common & {
  value: string;
  onChange(value: string): void;
  choices: Array<{ value: string; label: string }>;
  placeholder?: string;
}) {
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <label className="nhsuk-label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
      <select
        className={`nhsuk-select${error ? ' nhsuk-select--error' : ''}`}
        id={id}
        name={id}
        value={value}
        aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
        onChange={(e) => onChange(e.target.value)}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

export const EMPTY_DATE: DateParts = { day: '', month: '', year: '' };

/** YYYY-MM-DD from the three boxes, or why not ("empty" when nothing was typed). */
export function dateFromParts(
  parts: DateParts,
): { ok: true; value: string } | { ok: false; reason: 'empty' | 'incomplete' | 'invalid' } {
  const { day, month, year } = { day: parts.day.trim(), month: parts.month.trim(), year: parts.year.trim() };
  if (!day && !month && !year) return { ok: false, reason: 'empty' };
  if (!day || !month || !year) return { ok: false, reason: 'incomplete' };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return { ok: false, reason: 'invalid' };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) return { ok: false, reason: 'invalid' };
  return { ok: true, value: iso };
}

export function partsFromDate(iso: string | null | undefined): DateParts {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? '');
  return match ? { year: match[1], month: String(Number(match[2])), day: String(Number(match[3])) } : EMPTY_DATE;
}

/** NHS date input: day, month and year boxes in a fieldset; the first box carries the field's id. */
export function DateInput({
  id,
  label,
  hint = 'For example, 15 3 2026',
  error,
  value,
  onChange,
  legendClass = 'nhsuk-fieldset__legend--s',
}: Common & { value: DateParts; onChange(value: DateParts): void; legendClass?: string }) {
  const box = (part: keyof DateParts, text: string, width: 2 | 4) => {
    const inputId = part === 'day' ? id : `${id}-${part}`;
    return (
      <div className="nhsuk-date-input__item">
        <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
          <label className="nhsuk-label nhsuk-date-input__label" htmlFor={inputId}>
            {text}
          </label>
          <input
            className={`nhsuk-input nhsuk-input--width-${width} nhsuk-date-input__input${error ? ' nhsuk-input--error' : ''}`}
            id={inputId}
            name={`${id}-${part}`}
            type="text"
            inputMode="numeric"
            value={value[part]}
            onChange={(e) => onChange({ ...value, [part]: e.target.value })}
          />
        </div>
      </div>
    );
  };
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      <fieldset
        className="nhsuk-fieldset"
        role="group"
        aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
      >
        <legend className={`nhsuk-fieldset__legend ${legendClass}`}>{label}</legend>
        {hint && (
          <div className="nhsuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
        {error && <ErrorMessage id={`${id}-error`}>{error}</ErrorMessage>}
        <div className="nhsuk-date-input" id={`${id}-date`}>
          {box('day', 'Day', 2)}
          {box('month', 'Month', 2)}
          {box('year', 'Year', 4)}
        </div>
      </fieldset>
    </div>
  );
}

export function Button({
  children,
  onClick,
  secondary,
  warning,
  disabled,
  type = 'button',
  className,
}: {
  children: ReactNode;
  onClick?(): void;
  secondary?: boolean;
  warning?: boolean;
  disabled?: boolean;
  type?: 'button' | 'submit';
  className?: string;
}) {
  const variant = secondary ? ' nhsuk-button--secondary' : warning ? ' nhsuk-button--warning' : '';
  return (
    <button
      type={type}
      className={`nhsuk-button${variant}${className ? ` ${className}` : ''}`}
      disabled={disabled}
      aria-disabled={disabled || undefined}
      onClick={onClick}
    >
      {children}
    </button>
  );
}
