import type { ChildBannerView, ChildSummary, SafeguardingAlert } from '../api/types';
import { formatAge, formatDate } from '../format/dates';
import { formatNhsNumber } from '../format/nhs-number';
import { Link } from '../app/router';

const ALERTS: Record<Exclude<SafeguardingAlert, 'none'>, { text: string; colour: string }> = {
  concern: { text: 'Safeguarding concern', colour: 'nhsuk-tag--orange' },
  child_protection_plan: { text: 'Child protection plan', colour: 'nhsuk-tag--red' },
  looked_after: { text: 'Looked after child', colour: 'nhsuk-tag--purple' },
};

export function AlertTag({ alert }: { alert: SafeguardingAlert }) {
  if (alert === 'none') return null;
  const { text, colour } = ALERTS[alert];
  return <strong className={`nhsuk-tag ${colour}`}>{text}</strong>;
}

/** A record restricted on PDS (S-flagged): where the child lives is confidential. */
export function RestrictedTag() {
  return <strong className="nhsuk-tag nhsuk-tag--grey app-restricted-tag">Restricted record</strong>;
}

/** "SMITH, Olivia": family name in capitals first, as the CUI banner writes it. */
export function childName(c: Pick<ChildSummary, 'givenName' | 'familyName'>): string {
  return `${c.familyName.toUpperCase()}, ${c.givenName}`;
}

const SEX: Record<string, string> = {
  female: 'Female',
  male: 'Male',
  indeterminate: 'Indeterminate',
  unknown: 'Not known',
};

/**
 * The child banner (NHS CUI patient banner): name, NHS number, born and age, sex, locality,
 * GP practice, postcode, and the safeguarding alert. Missing values read "Not known".
 */
export function ChildBanner({
  child,
  accessedWithReason,
  link = true,
  pageHeading = false,
}: {
  child: ChildBannerView;
  accessedWithReason?: boolean;
  link?: boolean;
  /** On the child's own record the name is the page's h1. */
  pageHeading?: boolean;
}) {
  const name = childName(child);
  const Heading = pageHeading ? 'h1' : 'h2';
  return (
    <section className="app-child-banner" aria-label="Child">
      <Heading className="nhsuk-heading-m app-child-banner__name">
        {link ? <Link to={`/children/${child.nhsNumber}`}>{name}</Link> : name}{' '}
        <AlertTag alert={child.safeguardingAlert} />
        {child.restricted && <RestrictedTag />}
        {child.status !== 'active' && (
          <strong className="nhsuk-tag nhsuk-tag--grey">
            {child.status === 'deceased'
              ? 'Deceased'
              : child.status === 'moved_out'
                ? 'Moved out of the region'
                : child.status}
          </strong>
        )}
      </Heading>
      <ul className="app-child-banner__facts">
        <li>
          <span className="app-child-banner__label">NHS number</span>{' '}
          <span className="app-nowrap">{formatNhsNumber(child.nhsNumber)}</span>
        </li>
        <li>
          <span className="app-child-banner__label">Born</span> {formatDate(child.dateOfBirth)} (
          {formatAge(child.dateOfBirth)})
        </li>
        <li>
          <span className="app-child-banner__label">Sex</span> {SEX[child.sex] ?? 'Not known'}
        </li>
        <li>
          <span className="app-child-banner__label">Locality</span> {child.localityName}
        </li>
        <li>
          <span className="app-child-banner__label">GP practice</span>{' '}
          {child.gpPractice ? `${child.gpPractice.name} (${child.gpPractice.odsCode})` : 'Not known'}
        </li>
        <li>
          <span className="app-child-banner__label">Postcode</span> {child.postcode || 'Not known'}
        </li>
      </ul>
      {accessedWithReason && (
        <p className="nhsuk-body-s nhsuk-u-margin-top-2 nhsuk-u-margin-bottom-0">
          <strong className="nhsuk-tag nhsuk-tag--yellow">Accessed with a stated reason</strong> This child is outside
          your localities: your access is recorded and the locality&apos;s safeguarding lead told.
        </p>
      )}
    </section>
  );
}
