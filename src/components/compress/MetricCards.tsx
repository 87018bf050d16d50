import type { CompressJobResult } from '../../engine/jobs/results';
import { changeClass, emptyRows, HEADLINE_KEYS, metricRows, sizeRow, type MetricRow } from './metric-rows';

/**
 * One before/after card. Size keeps the test ids compress-size-{before,after}. The figures the
 * headline also shows carry their test ids there (Headline.tsx), here a detail- prefix.
 */
function MetricCard({ row, wide }: { row: MetricRow; wide?: boolean }) {
  const prefix = (HEADLINE_KEYS as readonly string[]).includes(row.key) ? 'detail-' : '';
  const id = (phase: 'before' | 'after') => prefix + (row.key === 'size' ? `compress-size-${phase}` : `compress-${phase}-${row.key}`);
  return (
    <section className={`metric-card${wide ? ' size-card' : ''}`} aria-label={row.label} data-testid={`card-${row.key}`}>
      <h4>{row.label}</h4>
      <dl className="before-after">
        <div>
          <dt>Before</dt>
          <dd data-testid={id('before')}>{row.before}</dd>
        </div>
        <div>
          <dt>After</dt>
          <dd data-testid={id('after')}>{row.after}</dd>
        </div>
      </dl>
      <p className={changeClass(row)} data-testid={`${prefix}compress-change-${row.key}`}>
        {row.change || '\u00a0'}
      </p>
      <table className="card-lines">
        <tbody>
          {row.lines.map(([label, b, a]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{b}</td>
              <td>{a}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {row.note !== undefined && (
        <p className="card-note" data-testid={`compress-note-${row.key}`}>
          {row.note}
        </p>
      )}
    </section>
  );
}

/** Before/after cards: size with its breakdown, accuracy, recall, latency, throughput, MACs, memory. */
export function MetricCards({ r }: { r?: CompressJobResult }) {
  const { size, rows } = r ? { size: sizeRow(r), rows: metricRows(r) } : emptyRows();
  return (
    <div className="metric-cards">
      <MetricCard row={size} wide />
      {rows.map((row) => (
        <MetricCard key={row.key} row={row} />
      ))}
    </div>
  );
}
