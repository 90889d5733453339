/**
 * A horizontal bar chart of coverage by locality, drawn as SVG (no chart library: the figures
 * are few and the page stays light). The same figures are in the table beside it, which is what
 * a screen reader is pointed to.
 */
import { percentText, TARGET_PERCENT } from './coverage';

export interface Bar {
  label: string;
  percent: number | null;
  /** The region's (or all shown localities') figure: drawn darker. */
  total?: boolean;
}

const LABEL_WIDTH = 160;
const BAR_WIDTH = 260;
const ROW = 28;
const TOP = 24;

export function CoverageChart({ id, title, bars }: { id: string; title: string; bars: Bar[] }) {
  const height = TOP + bars.length * ROW + 8;
  const x = (p: number) => LABEL_WIDTH + (p / 100) * BAR_WIDTH;
  return (
    <svg
      className="chis-chart"
      viewBox={`0 0 ${LABEL_WIDTH + BAR_WIDTH + 100} ${height}`}
      role="img"
      aria-labelledby={`${id}-title`}
      data-testid="coverage-chart"
    >
      <title id={`${id}-title`}>{`${title}: bar chart of the figures in the table beside it`}</title>
      <line className="chis-chart__axis" x1={x(0)} x2={x(0)} y1={TOP - 6} y2={height - 4} />
      <line className="chis-chart__target" x1={x(TARGET_PERCENT)} x2={x(TARGET_PERCENT)} y1={TOP - 6} y2={height - 4} />
      <text className="chis-chart__note" x={x(TARGET_PERCENT)} y={12} textAnchor="middle">
        {`${TARGET_PERCENT}% target`}
      </text>
      {bars.map((bar, i) => {
        const y = TOP + i * ROW;
        const width = bar.percent === null ? 0 : (bar.percent / 100) * BAR_WIDTH;
        return (
          <g key={bar.label}>
            <text className="chis-chart__label" x={LABEL_WIDTH - 8} y={y + ROW / 2 + 4} textAnchor="end">
              {bar.label}
            </text>
            <rect
              className={bar.total ? 'chis-chart__bar chis-chart__bar--total' : 'chis-chart__bar'}
              x={x(0)}
              y={y + 4}
              width={width}
              height={ROW - 8}
            />
            <text className="chis-chart__value" x={x(0) + width + 6} y={y + ROW / 2 + 4}>
              {percentText(bar.percent)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
