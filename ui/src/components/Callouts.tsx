import type { ReactNode } from 'react';

/** NHS warning callout (nhsuk-frontend 10: a warning card). */
export function WarningCallout({
  heading,
  children,
  headingLevel = 3,
}: {
  heading: string;
  children: ReactNode;
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div className="nhsuk-card nhsuk-card--warning">
      <div className="nhsuk-card__content">
        <Heading className="nhsuk-card__heading">{heading}</Heading>
        {children}
      </div>
    </div>
  );
}

/** NHS notification banner; `success` for "it worked" (announced to screen readers). */
export function NotificationBanner({
  title,
  children,
  success,
}: {
  title?: string;
  children: ReactNode;
  success?: boolean;
}) {
  return (
    <div
      className={`nhsuk-notification-banner${success ? ' nhsuk-notification-banner--success' : ''}`}
      role={success ? 'alert' : 'region'}
      aria-labelledby="notification-banner-title"
      tabIndex={-1}
    >
      <div className="nhsuk-notification-banner__header">
        <h2 className="nhsuk-notification-banner__title" id="notification-banner-title">
          {title ?? (success ? 'Success' : 'Important')}
        </h2>
      </div>
      <div className="nhsuk-notification-banner__content">{children}</div>
    </div>
  );
}

export function InsetText({ children }: { children: ReactNode }) {
  return (
    <div className="nhsuk-inset-text">
      <span className="nhsuk-u-visually-hidden">Information: </span>
      {children}
    </div>
  );
}
