import { useEffect, useId, useRef, type ReactNode } from 'react';

/** A modal <dialog> (focus stays inside until it closes; Escape cancels). */
export function Dialog({
  title,
  children,
  onCancel,
  wide,
}: {
  title: string;
  children: ReactNode;
  onCancel(): void;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`app-dialog${wide ? ' chis-dialog--wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => (e.preventDefault(), onCancel())}
    >
      <h2 id={titleId} className="nhsuk-heading-m">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
