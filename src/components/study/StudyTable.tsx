import type { StudyRow } from '../../engine/study/rows';
import { formatPercent, formatPoints } from '../format';

const pct = (x: number) => `${x.toFixed(2)}%`;

/** What a row without a measurement says: running now, waiting in the queue, or not run. */
function pendingText(status: string, index: number, current: number): string {
  if (status !== 'running') return 'not run';
  return index === current ? 'running…' : index > current ? 'queued' : '—';
}

/**
 * The study's published figure beside ours for each configuration: size reduction against float32
 * and accuracy change, and where each figure comes from. Figures come from engine/study/rows.ts.
 */
export function StudyTable({ rows, status, current }: { rows: StudyRow[]; status: string; current: number }) {
  return (
    <div className="study-table" data-testid="study-table">
      <table>
        <caption>Published vs yours</caption>
        <thead>
          <tr>
            <th scope="col">Configuration</th>
            <th scope="col">Size reduction, published</th>
            <th scope="col">Size reduction, yours</th>
            <th scope="col">Accuracy change, published</th>
            <th scope="col">Accuracy change, yours</th>
            <th scope="col">Where the figures come from</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const m = r.measured;
            const pending = pendingText(status, i, current);
            return (
              <tr key={r.key} data-testid="study-row" data-key={r.key} className={status === 'running' && i === current ? 'current' : undefined}>
                <th scope="row">
                  {r.modelLabel} · {r.datasetLabel}
                  <span className="run-sub">{r.methodLabel}</span>
                </th>
                <td className="num" data-testid="published-size">
                  {r.published ? pct(r.published.sizeReductionPct) : '—'}
                </td>
                <td className="num" data-testid="your-size">
                  {m ? (
                    <>
                      {pct(m.size.pct)}
                      <span className="run-sub">{m.size.basis === 'gzip' ? 'gzip’d (zeros)' : `dense ${m.size.basis}`}</span>
                    </>
                  ) : (
                    <span className="placeholder">{pending}</span>
                  )}
                </td>
                <td data-testid="published-accuracy">{r.published ? 'retained*' : '—'}</td>
                <td className="num" data-testid="your-accuracy">
                  {m ? (
                    <>
                      {formatPoints(m.accuracyBefore, m.accuracyAfter)}
                      <span className="run-sub">
                        {formatPercent(m.accuracyBefore)} → {formatPercent(m.accuracyAfter)}
                      </span>
                    </>
                  ) : (
                    <span className="placeholder">{pending}</span>
                  )}
                </td>
                <td className="provenance-cell" data-testid="study-provenance">
                  {r.published && <span className="run-sub">Published: {r.published.source}.</span>}
                  {m && (
                    <span className="run-sub">
                      Yours: {m.records}; {m.method}.
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
