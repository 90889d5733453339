import { useState, type FormEvent } from 'react';
import { WarningCallout } from './Callouts';
import { ErrorSummary } from './ErrorSummary';
import { Button, Textarea } from './Fields';

export const REASON_MIN = 10;
export const REASON_MAX = 500;

/**
 * Break glass: before a child outside the person's localities is shown, they say why. The
 * warning says what happens: the access is recorded and the locality's safeguarding lead told.
 */
export function BreakGlassForm({
  heading,
  about,
  min = REASON_MIN,
  max = REASON_MAX,
  onReason,
  onCancel,
}: {
  /** The question, e.g. "Why do you need to see this child's record?" */
  heading: string;
  /** Which child or search it is about. */
  about: string;
  min?: number;
  max?: number;
  onReason(reason: string): void;
  onCancel(): void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = reason.trim();
    if (text.length < min) setError(`Enter a reason of at least ${min} characters`);
    else if (text.length > max) setError(`The reason must be ${max} characters or fewer`);
    else onReason(text);
  };
  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <ErrorSummary errors={error ? [{ fieldId: 'access-reason', text: error }] : []} />
        <h1>{heading}</h1>
        <p className="nhsuk-body-l">{about}</p>
        <WarningCallout heading="This child is outside your localities">
          <p className="nhsuk-card__description">
            You can only see the records of children in your localities. If you carry on, your access will be recorded
            with your reason, and the safeguarding lead for the child&apos;s locality will be told.
          </p>
        </WarningCallout>
        <form onSubmit={submit} noValidate>
          <Textarea
            id="access-reason"
            label="Reason"
            labelClass="nhsuk-label--s"
            hint="For example, covering the Coventry health visiting rota this week"
            value={reason}
            onChange={setReason}
            error={error}
            maxLength={max}
            rows={3}
          />
          <div className="nhsuk-button-group">
            <Button type="submit" warning>
              Continue and record my access
            </Button>
            <Button secondary onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
