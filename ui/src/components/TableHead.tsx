import type { ReactNode } from 'react';

/** A column heading: its text, or the text with how it is shown. */
export type Column =
  | string
  | {
      label: string;
      /** Right-aligned, for figures. */
      numeric?: boolean;
      /** Read by screen readers only (e.g. a column of buttons). */
      visuallyHidden?: boolean;
      /** Leave the column out (e.g. an action only some people have). */
      omit?: boolean;
    };

/** How the caption is shown: NHS caption sizes, or read by screen readers only. */
export type CaptionStyle = 's' | 'm' | 'plain' | 'hidden';

const captionClass: Record<CaptionStyle, string> = {
  s: 'nhsuk-table__caption nhsuk-table__caption--s',
  m: 'nhsuk-table__caption nhsuk-table__caption--m',
  plain: 'nhsuk-table__caption',
  hidden: 'nhsuk-table__caption nhsuk-u-visually-hidden',
};

/**
 * The caption and header row of an NHS table, so every table names itself and its columns the same
 * way (scope, classes, numeric alignment). Render it as the first children of `<table className="nhsuk-table">`.
 */
export function TableHead({
  caption,
  captionStyle = 'hidden',
  columns,
}: {
  caption: ReactNode;
  captionStyle?: CaptionStyle;
  columns: Column[];
}) {
  return (
    <>
      <caption className={captionClass[captionStyle]}>{caption}</caption>
      <thead className="nhsuk-table__head">
        <tr className="nhsuk-table__row">
          {columns.map((column) => {
            const c = typeof column === 'string' ? { label: column } : column;
            if (c.omit) return null;
            return (
              <th
                scope="col"
                key={c.label}
                className={`nhsuk-table__header${c.numeric ? ' nhsuk-table__header--numeric' : ''}`}
              >
                {c.visuallyHidden ? <span className="nhsuk-u-visually-hidden">{c.label}</span> : c.label}
              </th>
            );
          })}
        </tr>
      </thead>
    </>
  );
}
