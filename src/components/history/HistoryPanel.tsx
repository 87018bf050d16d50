import { useState } from 'react';
import { historyCsv, historyJson } from '../../state/history-export';
import { useStudio } from '../../state/store';
import { downloadText } from '../download';
import { CompareRuns } from './CompareRuns';
import { HistoryRow } from './HistoryRow';
import { ParetoChart } from './ParetoChart';
import { SIZE_MEASURES, type SizeMeasure } from './run-figures';
import { StorageNotice } from './StorageNotice';

/** Every finished run: the Pareto chart, the table (rename, delete, show, compare) and exports. */
export function HistoryPanel() {
  const runs = useStudio((s) => s.runs);
  const status = useStudio((s) => s.history);
  const currentId = useStudio((s) => s.currentRunId);
  const compareIds = useStudio((s) => s.compareIds);
  const removeSkipped = useStudio((s) => s.removeSkipped);
  const pair = compareIds.map((id) => runs.find((r) => r.id === id)).filter((r) => r !== undefined);
  // gzip by default: where unstructured sparsity shows (dense sizes do not change with it).
  const [measure, setMeasure] = useState<SizeMeasure>('gzip');
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return (
    <div className="history" data-testid="history">
      <StorageNotice status={status} what="run" testId="history" onRemoveSkipped={removeSkipped} />
      <div className="history-top">
        <ParetoChart runs={runs} measure={measure} />
        <div className="history-side">
          <p className="history-count" data-testid="history-count">
            {status.storage === 'loading'
              ? 'Reading the saved runs…'
              : `${runs.length} run${runs.length === 1 ? '' : 's'}${status.storage === 'indexeddb' ? ', saved in this browser' : status.storage === 'memory' ? ', in this tab only' : ''}.`}
          </p>
          <div className="buttons">
            <button type="button" className="secondary" disabled={runs.length === 0} onClick={() => downloadText(`compression-runs-${stamp()}.csv`, historyCsv(runs), 'text/csv')} data-testid="export-csv">
              Export CSV
            </button>
            <button type="button" className="secondary" disabled={runs.length === 0} onClick={() => downloadText(`compression-runs-${stamp()}.json`, historyJson(runs), 'application/json')} data-testid="export-json">
              Export JSON
            </button>
          </div>
          <label className="field inline small-field">
            Size in the chart
            <select value={measure} onChange={(e) => setMeasure(e.target.value as SizeMeasure)} data-testid="pareto-measure">
              {SIZE_MEASURES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <CompareRuns pair={pair} />
        </div>
      </div>
      <div className="history-table">
        <table>
          <thead>
            <tr>
              <th scope="col">
                <span className="sr-only">Compare</span>
              </th>
              <th scope="col">Run</th>
              <th scope="col">Recipe</th>
              <th scope="col">Accuracy after</th>
              <th scope="col">Size after ({SIZE_MEASURES.find((m) => m.value === measure)!.label})</th>
              <th scope="col">Test images</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <HistoryRow key={r.id} run={r} current={r.id === currentId} picked={compareIds.includes(r.id)} measure={measure} />
            ))}
          </tbody>
        </table>
        {runs.length === 0 && <p className="placeholder">Finished compression runs appear here, newest first.</p>}
      </div>
    </div>
  );
}
