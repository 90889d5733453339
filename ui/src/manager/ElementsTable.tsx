import type { ReactNode } from 'react';
import type { DiagramElementRow } from '../bpmn/diagram-elements';
import './manager.css';
import { TableHead } from '../components/TableHead';

export interface ElementColumn {
  header: string;
  cell(row: DiagramElementRow): ReactNode;
}

/**
 * The text alternative of a diagram: every element with its name and kind, plus the columns
 * the screen adds (problems, state, counts, change). `onSelect` offers a button per row that
 * selects the element on the diagram (and, in the editor, opens its properties).
 */
export function ElementsTable({
  caption,
  rows,
  columns = [],
  onSelect,
  selectedId,
  flows = false,
}: {
  caption: string;
  rows: DiagramElementRow[];
  columns?: ElementColumn[];
  onSelect?(id: string): void;
  selectedId?: string | null;
  /** Also list sequence flows (from → to). */
  flows?: boolean;
}) {
  const shown = flows ? rows : rows.filter((r) => r.kind !== 'Sequence flow');
  return (
    <div className="chis-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="nhsuk-table" data-testid="elements-table">
        <TableHead caption={caption} captionStyle="s" columns={['Element', 'Kind', ...columns.map((c) => c.header)]} />
        <tbody className="nhsuk-table__body">
          {shown.map((row) => (
            <tr
              className="nhsuk-table__row"
              key={row.id}
              data-element-id={row.id}
              aria-current={selectedId === row.id ? 'true' : undefined}
            >
              <td className="nhsuk-table__cell">
                {onSelect ? (
                  <button type="button" className="chis-link-button" onClick={() => onSelect(row.id)}>
                    {row.name || row.id}
                    <span className="nhsuk-u-visually-hidden"> (select on the diagram)</span>
                  </button>
                ) : (
                  row.name || row.id
                )}
                {row.name && <span className="chis-element-id"> {row.id}</span>}
                {row.from && (
                  <span className="chis-element-id">
                    {' '}
                    {row.from} → {row.to}
                  </span>
                )}
              </td>
              <td className="nhsuk-table__cell">{row.kind}</td>
              {columns.map((c) => (
                <td className="nhsuk-table__cell" key={c.header}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
