import type { DiagramProblem } from '../api/processes';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function problemCounts(problems: readonly DiagramProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return 'No problems';
  return [errors ? plural(errors, 'error') : '', warnings ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(', ');
}

/**
 * The problems of a diagram as text: errors (they stop a deployment) then warnings, each a
 * button that selects its element on the diagram.
 */
export function ProblemsList({
  problems,
  nameOf,
  onSelect,
  heading = 'Problems',
}: {
  problems: readonly DiagramProblem[] | null;
  nameOf(elementId: string): string | null;
  onSelect(elementId: string): void;
  heading?: string;
}) {
  return (
    <section className="chis-problems" aria-labelledby="problems-heading" data-testid="problems">
      <h2 className="nhsuk-heading-s" id="problems-heading">
        {heading}
        {problems && <span className="nhsuk-u-font-weight-normal"> ({problemCounts(problems)})</span>}
      </h2>
      {problems === null ? (
        <p className="nhsuk-body">Checking the diagram…</p>
      ) : problems.length === 0 ? (
        <p className="nhsuk-body">The diagram can be deployed: nothing to fix.</p>
      ) : (
        <ul className="chis-problems__list">
          {problems.map((p, i) => {
            const name = p.elementId ? (nameOf(p.elementId) ?? p.elementId) : 'The diagram';
            const text = (
              <>
                <strong>{p.severity === 'error' ? 'Error' : 'Warning'}</strong> {name}: {p.message}
              </>
            );
            return (
              <li key={`${p.elementId}-${p.rule}-${i}`}>
                {p.elementId ? (
                  <button
                    type="button"
                    className={`chis-problems__item chis-problems__item--${p.severity}`}
                    data-element-id={p.elementId}
                    onClick={() => onSelect(p.elementId!)}
                  >
                    {text}
                  </button>
                ) : (
                  <p className={`chis-problems__item chis-problems__item--${p.severity}`}>{text}</p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
