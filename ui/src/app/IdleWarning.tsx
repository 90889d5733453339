import { useEffect, useRef } from 'react';
import { formatSpan } from '../format/dates';

/** The "you will be signed out soon" dialog (a modal <dialog>: focus stays inside it until closed). */
export function IdleWarning({
  remainingMs,
  onStay,
  onSignOut,
}: {
  remainingMs: number;
  onStay(): void;
  onSignOut(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);
  const seconds = Math.max(0, Math.ceil(remainingMs / 1000));
  return (
    <dialog
      ref={dialog}
      className="app-dialog"
      aria-labelledby="idle-title"
      aria-describedby="idle-text"
      onCancel={(e) => (e.preventDefault(), onStay())}
    >
      <h2 id="idle-title" className="nhsuk-heading-m">
        You will be signed out soon
      </h2>
      <p id="idle-text" className="nhsuk-body">
        You have not done anything for a while. To protect children's records, you will be signed out in{' '}
        <strong>{seconds >= 60 ? formatSpan(remainingMs + 59_999) : `${seconds} seconds`}</strong>. Anything you have
        not saved will be lost.
      </p>
      <div className="nhsuk-button-group">
        <button type="button" className="nhsuk-button" onClick={onStay} autoFocus>
          Stay signed in
        </button>
        <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </dialog>
  );
}
