import { useStudio } from '../../state/store';
import type { CompressJobResult } from '../../workers/protocol';
import { CompareChart } from '../compress/CompareCharts';
import { changeClass, emptyRows, metricRows, sizeRow, type MetricRow } from '../compress/metric-rows';

/** The id of a headline figure's value: the test ids the result cards always had. */
const valueId = (key: string, phase: 'before' | 'after') => (key === 'size' ? `compress-size-${phase}` : `compress-${phase}-${key}`);

/** One headline figure: before → after, the change, and one line under it. */
function Figure({ row, sub }: { row: MetricRow; sub?: string }) {
  return (
    <section className="figure" aria-label={row.label} data-testid={`headline-${row.key}`}>
      <h3>{row.label}</h3>
      <p className="figure-values">
        <span className="figure-before">
          <span className="figure-tag">Before</span> <span data-testid={valueId(row.key, 'before')}>{row.before}</span>
        </span>
        <span className="figure-after">
          <span className="figure-tag">After</span> <strong data-testid={valueId(row.key, 'after')}>{row.after}</strong>
        </span>
      </p>
      <p className={changeClass(row)} data-testid={`compress-change-${row.key}`}>
        {row.change || '\u00a0'}
      </p>
      <p className="figure-sub">{sub ?? '\u00a0'}</p>
    </section>
  );
}

/** A card's secondary line as "label: before → after". */
const line = (row: MetricRow, label: string) => {
  const l = row.lines.find(([name]) => name === label);
  return l ? `${l[0]}: ${l[1]} → ${l[2]}` : undefined;
};

/**
 * The workbench's headline: size, accuracy and latency before and after the last compression,
 * the sentence saying what the recipe did, and the size chart. Every figure is the engine's
 * (metric-rows.ts formats them); the rest of the figures are in the All figures tab.
 */
export function Headline() {
  const r: CompressJobResult | undefined = useStudio((s) => s.compress);
  const stale = useStudio((s) => s.running?.type === 'compress') && !!r;
  const rows = r ? [sizeRow(r), ...metricRows(r)] : (({ size, rows: rest }) => [size, ...rest])(emptyRows());
  const get = (key: string) => rows.find((x) => x.key === key)!;
  const size = get('size');
  return (
    <div className={`headline-body${stale ? ' stale' : ''}`} data-testid="headline" aria-busy={stale}>
      <p className="headline-status">
        {stale ? (
          <span className="badge" data-testid="compress-stale">
            previous run; a new one is running
          </span>
        ) : r ? (
          <span className="badge neutral">last Compress · {r.testRecords.count.toLocaleString('en')} test images</span>
        ) : (
          <span className="placeholder">Set the recipe and press Compress: before and after appear here, measured the same way.</span>
        )}
      </p>
      <div className="figures">
        <Figure row={size} sub={r ? line(size, 'gzip') : undefined} />
        <Figure row={get('accuracy')} sub={r ? `macro recall: ${get('recall').before} → ${get('recall').after}` : undefined} />
        <Figure row={get('latency')} sub={r ? line(get('latency'), 'p95') : undefined} />
      </div>
      <p className="recipe-sentence" data-testid="recipe-sentence">
        {r?.summary ?? '\u00a0'}
      </p>
      <CompareChart r={r} which="size" height="fill" />
    </div>
  );
}
