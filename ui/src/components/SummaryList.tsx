import type { ReactNode } from 'react';

/** NHS summary list: key and value rows. */
export function SummaryList({
  rows,
  noBorder,
}: {
  rows: Array<{ key: string; value: ReactNode }>;
  noBorder?: boolean;
}) {
  return (
    <dl className={`nhsuk-summary-list${noBorder ? ' nhsuk-summary-list--no-border' : ''}`}>
      {rows.map((row) => (
        <div className="nhsuk-summary-list__row" key={row.key}>
          <dt className="nhsuk-summary-list__key">{row.key}</dt>
          <dd className="nhsuk-summary-list__value">{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}
